package static

import (
	"errors"
	"io"
	"runtime/debug"

	"golang.org/x/sys/unix"
)

// Reading a File where sendfile cannot send it: into TLS records, or into
// HTTP/2 DATA frames. A File is mapped into memory the first time it is
// read so, and read from the mapping until it closes: a copy out of the
// page cache in user space, where pread would cost a system call, a
// page-cache lookup and a kernel copy for every 16 KiB frame. Measured
// with h2load -c 50 -m 1 on a 1 MiB file over HTTP/2 and TLS, pread was 22%
// of the site's CPU, most of it in the kernel's copy and lookup.
//
// A mapped file that shrinks under the server makes a read of its lost
// pages fault (SIGBUS). ReadAt turns that fault into an error, as pread
// would return a short read, and reads the file with pread from then on.

// mapMin is the smallest file worth mapping: below it, the mapping's
// system calls and page faults cost more than the preads they save.
const mapMin = 64 << 10

// ErrShrunk: the file is shorter than when it was opened.
var ErrShrunk = errors.New("static: the file shrank while it was sent")

// ReadAt reads len(p) bytes of f from off, or fewer where f ends (at
// f.Size, the size it had when it was opened): n > 0 with a nil error, or
// an error (io.EOF at or past the end, ErrShrunk when the file is shorter
// now).
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if off >= f.Size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), f.Size-off)]
	if f.mem == nil && !f.mapTried {
		f.mapTried = true
		if f.Size >= mapMin && f.FD >= 0 {
			if m, err := unix.Mmap(f.FD, 0, int(f.Size), unix.PROT_READ, unix.MAP_SHARED); err == nil {
				f.mem = m
			}
		}
	}
	if f.mem != nil {
		if n, ok := copyMapped(p, f.mem[off:]); ok {
			return n, nil
		}
		f.unmap() // shrunk: pread tells how much is left
	}
	n, err := unix.Pread(f.FD, p, off)
	if n <= 0 {
		if err == nil {
			err = ErrShrunk
		}
		return 0, err
	}
	return n, nil
}

// copyMapped copies src, a mapped file, to dst; ok is false when a page of
// src is no longer backed by the file (it shrank). The fault would
// otherwise kill the worker (debug.SetPanicOnFault names this use).
func copyMapped(dst, src []byte) (n int, ok bool) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if v := recover(); v != nil {
			if _, fault := v.(interface{ Addr() uintptr }); !fault {
				panic(v)
			}
			n, ok = 0, false
		}
	}()
	return copy(dst, src), true
}

// unmap releases f's mapping, if it has one.
func (f *File) unmap() {
	if f.mem != nil {
		unix.Munmap(f.mem)
		f.mem = nil
	}
}
