package logs

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// The error log: one per process, shared by every loop. Lines look like
// hetao's:
//
//	2026-11-23 04:50:01 | ERROR | 1234:conn_linux.go:88 | message
//
// Before Setup, lines go to standard error.
var std struct {
	mu    sync.Mutex
	level Level
	file  *File
}

func init() { std.level = Warn }

// Setup sends the error log to path at level. An empty path keeps standard
// error.
func Setup(path string, level Level) error {
	var f *File
	if path != "" {
		var err error
		if f, err = OpenFile(path); err != nil {
			return err
		}
	}
	std.mu.Lock()
	old := std.file
	std.file, std.level = f, level
	std.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Reopen reopens the error log file (after a rotation).
func Reopen() error {
	std.mu.Lock()
	f := std.file
	std.mu.Unlock()
	if f == nil {
		return nil
	}
	return f.Reopen()
}

// Enabled reports whether lines at level l are written.
func Enabled(l Level) bool {
	std.mu.Lock()
	defer std.mu.Unlock()
	return l >= std.level
}

func output(l Level, format string, args ...any) {
	if !Enabled(l) {
		return
	}
	_, file, line, _ := runtime.Caller(2)
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 40<<10 {
		msg = msg[:40<<10]
	}
	s := fmt.Sprintf("%s | %-5s | %d:%s:%d | %s\n", time.Now().Format("2006-01-02 15:04:05"), l, os.Getpid(), filepath.Base(file), line, msg)
	std.mu.Lock()
	f := std.file
	std.mu.Unlock()
	if f != nil {
		f.Write([]byte(s))
	} else {
		os.Stderr.WriteString(s)
	}
}

// Debugf, Infof, Warnf, Errorf and Fatalf write one line at their level.
// Fatalf does not exit: the caller decides.
func Debugf(format string, args ...any) { output(Debug, format, args...) }
func Infof(format string, args ...any)  { output(Info, format, args...) }
func Warnf(format string, args ...any)  { output(Warn, format, args...) }
func Errorf(format string, args ...any) { output(Error, format, args...) }
func Fatalf(format string, args ...any) { output(Fatal, format, args...) }
