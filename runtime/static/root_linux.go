package static

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Open makes r ready to serve from dir (already $VAR$-expanded): it opens
// the directory once, and every later lookup is an openat2 beneath it with
// RESOLVE_BENEATH, so neither ".." nor a symlink can lead out of the root.
func (r *Root) Open(dir string, id int) error {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open wwwroot", Path: dir, Err: err}
	}
	if r.fd > 0 {
		unix.Close(r.fd)
	}
	r.dir, r.fd, r.id = dir, fd, id
	r.real, _ = os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
	return nil
}

// direct reports whether the file open at fd, found at the cleaned path
// file, really is there: not reached through a symlink (to the file or to
// a directory on the way), so the inotify watch of its directory in the
// root sees its changes. It costs a readlink of /proc/self/fd, on a miss
// only. Without /proc it checks the last component alone (lstat).
func (r *Root) direct(fd int, file string) bool {
	if r.real != "" {
		var buf [unix.PathMax]byte
		n, err := unix.Readlink("/proc/self/fd/"+strconv.Itoa(fd), buf[:])
		if err == nil {
			got := buf[:n]
			if r.real == "/" {
				return string(got) == file
			}
			return len(got) == len(r.real)+len(file) && string(got[:len(r.real)]) == r.real && string(got[len(r.real):]) == file
		}
	}
	var lst unix.Stat_t
	return unix.Fstatat(r.fd, file[1:], &lst, unix.AT_SYMLINK_NOFOLLOW) == nil && lst.Mode&unix.S_IFMT == unix.S_IFREG
}

// Close releases the directory opened by Open.
func (r *Root) Close() error {
	if r.fd <= 0 {
		return nil
	}
	err := unix.Close(r.fd)
	r.fd = 0
	return err
}

// Path is the root directory as opened.
func (r *Root) Path() string { return r.dir }

var errNotRegular = errors.New("not a regular file")

// openBeneath opens name (relative, no leading slash; "" is the root itself)
// for reading, refusing any resolution that leaves the root.
func (r *Root) openBeneath(name string) (int, error) {
	if name == "" {
		name = "."
	}
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(r.fd, name, &how)
		if err == unix.EINTR {
			continue
		}
		return fd, err
	}
}
