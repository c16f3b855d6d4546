package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// A Logger is an error log. Lines look like hetao's:
//
//	2026-11-23 04:50:01 | ERROR | 1234:conn_linux.go:88 | message
//
// A site running in its own process logs through the process's one logger
// (the package functions, set up with Setup); sites started side by side in
// one process (tests, embedding) each have their own.
type Logger struct {
	mu    sync.Mutex
	level Level
	file  *File // nil: standard error
}

// New returns a logger writing lines at level and above to path; an empty
// path is standard error.
func New(path string, level Level) (*Logger, error) {
	g := &Logger{level: level}
	if path != "" {
		var err error
		if g.file, err = OpenFile(path); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// std is the process's logger; before Setup, lines go to standard error.
var std = &Logger{level: Warn}

// Std is the process's logger, the one the package functions write to.
func Std() *Logger { return std }

// Setup sends the process's error log to path at level. An empty path
// keeps standard error.
func Setup(path string, level Level) error {
	g, err := New(path, level)
	if err != nil {
		return err
	}
	std.mu.Lock()
	old := std.file
	std.file, std.level = g.file, level
	std.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Reopen reopens the process's error log file (after a rotation).
func Reopen() error { return std.Reopen() }

// Reopen reopens g's file (after a rotation).
func (g *Logger) Reopen() error {
	g.mu.Lock()
	f := g.file
	g.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.Reopen()
}

// Close closes g's file, if it has one.
func (g *Logger) Close() error {
	g.mu.Lock()
	f := g.file
	g.file = nil
	g.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.Close()
}

// Enabled reports whether the process's logger writes lines at level l.
func Enabled(l Level) bool { return std.Enabled(l) }

// Enabled reports whether g writes lines at level l. A nil *Logger is the
// process's.
func (g *Logger) Enabled(l Level) bool {
	if g == nil {
		g = std
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return l >= g.level
}

// output writes one line; depth is the caller's frame above output.
func (g *Logger) output(l Level, format string, args ...any) {
	if !g.Enabled(l) {
		return
	}
	if g == nil {
		g = std
	}
	_, file, line, _ := runtime.Caller(2)
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 40<<10 {
		msg = msg[:40<<10]
	}
	s := fmt.Sprintf("%s | %-5s | %d:%s:%d | %s\n", time.Now().Format("2006-01-02 15:04:05"), l, os.Getpid(), filepath.Base(file), line, msg)
	g.mu.Lock()
	f := g.file
	g.mu.Unlock()
	if f != nil {
		f.Write([]byte(s))
	} else {
		os.Stderr.WriteString(s)
	}
}

// Debugf, Infof, Warnf, Errorf and Fatalf write one line at their level to
// the process's logger. Fatalf does not exit: the caller decides.
func Debugf(format string, args ...any) { std.output(Debug, format, args...) }
func Infof(format string, args ...any)  { std.output(Info, format, args...) }
func Warnf(format string, args ...any)  { std.output(Warn, format, args...) }
func Errorf(format string, args ...any) { std.output(Error, format, args...) }
func Fatalf(format string, args ...any) { std.output(Fatal, format, args...) }

// Debugf, Infof, Warnf and Errorf write one line at their level to g.
func (g *Logger) Debugf(format string, args ...any) { g.output(Debug, format, args...) }
func (g *Logger) Infof(format string, args ...any)  { g.output(Info, format, args...) }
func (g *Logger) Warnf(format string, args ...any)  { g.output(Warn, format, args...) }
func (g *Logger) Errorf(format string, args ...any) { g.output(Error, format, args...) }
