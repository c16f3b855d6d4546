// Package logs writes the error log and the per-website access logs.
package logs

// Level is an error-log severity.
type Level int8

// The levels, least severe first, as hetao names them.
const (
	Debug Level = iota
	Info
	Warn
	Error
	Fatal
)

var levelNames = [...]string{"DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return "?"
	}
	return levelNames[l]
}
