package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileReopenAfterRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "access.log") // the directory is created
	f, err := OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := &Buffer{File: f}
	b.B = append(b.B, "first"...)
	b.Line()
	b.Flush()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	b.B = append(b.B, "still old"...)
	b.Line()
	b.Flush()
	if err := f.Reopen(); err != nil {
		t.Fatal(err)
	}
	b.B = append(b.B, "new"...)
	b.Line()
	b.Flush()
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if string(old) != "first\nstill old\n" || string(cur) != "new\n" {
		t.Errorf("rotated %q, current %q", old, cur)
	}
}

func TestBufferFlushesWhenLarge(t *testing.T) {
	f, err := OpenFile(filepath.Join(t.TempDir(), "a.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := &Buffer{File: f}
	line := strings.Repeat("x", 1000)
	for i := 0; i < 100; i++ {
		b.B = append(b.B, line...)
		b.Line()
	}
	if len(b.B) >= flushAt {
		t.Errorf("buffer holds %d bytes; it should have been written at %d", len(b.B), flushAt)
	}
}

func TestErrorLogLevelAndFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "error.log")
	if err := Setup(path, Warn); err != nil {
		t.Fatal(err)
	}
	defer Setup("", Warn)
	Infof("hidden %d", 1)
	Errorf("shown %d", 2)
	b, _ := os.ReadFile(path)
	s := string(b)
	if strings.Contains(s, "hidden") || !strings.Contains(s, "| ERROR | ") || !strings.Contains(s, "logs_test.go:") || !strings.HasSuffix(s, "| shown 2\n") {
		t.Errorf("error log: %q", s)
	}
	if Enabled(Info) || !Enabled(Error) {
		t.Error("Enabled disagrees with the level")
	}
}
