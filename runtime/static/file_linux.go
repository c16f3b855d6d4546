package static

import (
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
	"golang.org/x/sys/unix"
)

// File is a file too large for the memory cache, open for sendfile (and
// mapped where it is read instead: TLS, HTTP/2; readat_linux.go). The
// cache keeps the descriptor of such a file, as nginx's open_file_cache
// does, so a request for it costs no open, stat or close: it is sent from
// the same descriptor (sendfile reads at an explicit offset, so many
// responses can share it) until inotify reports a change, and then closed
// once the last response sending from it is done. A File the cache could
// not keep (its directory is not watched, or caching is off) is closed when
// its one response is done.
//
// Like the cache, a File belongs to one event loop.
type File struct {
	FD   int
	Size int64
	Mod  time.Time
	MIME *MIME
	Ext  string // of the file's name, without the dot ("" none)
	ETag string
	// Header is the representation header lines of a whole-file answer.
	Header []byte

	cached bool  // an entry of the cache holds it (a sidecar: its original does)
	refs   int32 // responses sending from it

	coded [http1.NumCodings]*File // precompressed sidecars (sidecar_linux.go)

	mem      []byte // the file mapped by ReadAt (readat_linux.go), until it closes
	mapTried bool
}

func newFile(fd int, st *unix.Stat_t, mime *MIME) *File {
	mod := time.Unix(st.Mtim.Unix())
	f := &File{FD: fd, Size: st.Size, Mod: mod, MIME: mime, ETag: ETag(mod, st.Size)}
	f.Header = AppendHeader(nil, mime, f.Size, mod, f.ETag, http1.CodingIdentity)
	return f
}

// Hold marks f as in use by a response until Release.
func (f *File) Hold() { f.refs++ }

// Release ends a use begun by Hold, or, for a File never held, gives it
// up; the descriptor is closed when nothing uses or names f any more.
func (f *File) Release() {
	if f.refs > 0 {
		f.refs--
	}
	f.closeIfUnused()
}

func (f *File) closeIfUnused() {
	if f.refs == 0 && !f.cached && f.FD >= 0 {
		f.unmap()
		unix.Close(f.FD)
		f.FD = -1
		for _, v := range f.coded {
			if v != nil {
				v.cached = false
				v.closeIfUnused()
			}
		}
	}
}
