package static

import (
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/autoindex"
)

// List reads directory dir (a cleaned path ending in "/") beneath r for a
// listing: each entry that is a regular file or a directory (a symlink
// counts as what it names), with its size and time. status is 200; 404 (no
// such directory, or not one); 403; or 500 with err.
func (r *Root) List(dir string) (entries []autoindex.Entry, status int, err error) {
	fd, err := r.openBeneath(dir[1:])
	if err != nil {
		if status = errStatus(err); status != 500 {
			err = nil
		}
		return nil, status, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, 500, os.NewSyscallError("fstat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil, 404, nil
	}
	buf := make([]byte, 16<<10)
	var names []string
	for {
		n, err := unix.ReadDirent(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, 500, os.NewSyscallError("getdents64", err)
		}
		if n <= 0 {
			break
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
	for _, name := range names {
		if err := unix.Fstatat(fd, name, &st, 0); err != nil {
			continue // a dangling symlink, or gone meanwhile
		}
		e := autoindex.Entry{Name: name, Mod: time.Unix(st.Mtim.Unix())}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			e.Dir = true
		case unix.S_IFREG:
			e.Size = st.Size
		default:
			continue
		}
		entries = append(entries, e)
	}
	return entries, 200, nil
}
