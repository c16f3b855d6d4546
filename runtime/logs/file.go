package logs

import (
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// File is a log file opened for appending that can be reopened (after a
// rotation) while other goroutines write to it.
type File struct {
	Path string

	mu sync.RWMutex // Write holds it shared, Reopen exclusively
	fd int
}

// Stdout is the path that names standard output (access_log "-").
const Stdout = "-"

// OpenFile opens path for appending, creating it and its directory; path
// Stdout is a copy of descriptor 1, which Reopen keeps.
func OpenFile(path string) (*File, error) {
	f := &File{Path: path, fd: -1}
	if err := f.Reopen(); err != nil {
		return nil, err
	}
	return f, nil
}

// Reopen opens the path again and swaps the descriptor: lines written
// after it returns go to the file now at Path.
func (f *File) Reopen() error {
	if f.Path == Stdout {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.fd >= 0 {
			return nil
		}
		fd, err := unix.FcntlInt(1, unix.F_DUPFD_CLOEXEC, 3)
		if err != nil {
			return os.NewSyscallError("dup standard output", err)
		}
		f.fd = fd
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
		return err
	}
	fd, err := unix.Open(f.Path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return &os.PathError{Op: "open", Path: f.Path, Err: err}
	}
	f.mu.Lock()
	old := f.fd
	f.fd = fd
	f.mu.Unlock()
	if old >= 0 {
		unix.Close(old)
	}
	return nil
}

// Write appends b with as few write calls as the kernel allows.
func (f *File) Write(b []byte) (int, error) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := 0
	for n < len(b) {
		m, err := unix.Write(f.fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}

// Close closes the descriptor.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fd < 0 {
		return nil
	}
	err := unix.Close(f.fd)
	f.fd = -1
	return err
}

// Buffer collects one loop's lines for one file; Flush writes them with a
// single write. A Buffer belongs to one goroutine.
type Buffer struct {
	File *File
	B    []byte
}

// flushAt is the size at which a buffer is written before the loop's batch
// ends, so a long batch cannot grow it without bound.
const flushAt = 64 << 10

// Line ends the line under construction in B and flushes when B is large.
func (b *Buffer) Line() {
	b.B = append(b.B, '\n')
	if len(b.B) >= flushAt {
		b.Flush()
	}
}

// Flush writes what is buffered.
func (b *Buffer) Flush() {
	if len(b.B) == 0 || b.File == nil {
		b.B = b.B[:0]
		return
	}
	b.File.Write(b.B)
	b.B = b.B[:0]
}
