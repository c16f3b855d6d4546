package static

import (
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
)

// Precompressed sidecars (nginx's gzip_static, Caddy's precompressed): a
// file too large for the memory cache is sent in a coding when the site
// has it beside the file, as press.html.zst, press.html.br or
// press.html.gz, a regular file not older than the original. They are
// found when the original is opened, kept open with it, and sent with
// sendfile like it.

// sidecarExt is the file name suffix of each coding's sidecar.
var sidecarExt = [http1.NumCodings]string{http1.CodingGzip: ".gz", http1.CodingBrotli: ".br", http1.CodingZstd: ".zst"}

// HasCoded reports whether f has a precompressed sidecar.
func (f *File) HasCoded() bool {
	for _, v := range f.coded {
		if v != nil {
			return true
		}
	}
	return false
}

// Coded is f's sidecar in coding e, or nil.
func (f *File) Coded(e http1.Coding) *File { return f.coded[e] }

// Swap gives up f for its sidecar in coding e, which the caller then owns
// as it owned f: it Holds it to send it, or Releases it.
func (f *File) Swap(e http1.Coding) *File {
	v := f.coded[e]
	v.refs++ // stays open if f closes now
	f.Release()
	v.refs--
	return v
}

// attachSidecars opens the sidecars of f, found at the cleaned path file
// beneath root, that are regular files not older than f, each with its own
// ETag (f's, with the coding appended) and header lines (f's type and
// date, its own length and Content-http1.Coding). When any is found, f's own
// header says Vary: Accept-Encoding.
func attachSidecars(root *Root, file string, f *File) {
	for e, ext := range sidecarExt {
		if ext == "" {
			continue
		}
		fd, st, status, _ := open(root, file+ext)
		if status != 200 {
			continue
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG || time.Unix(st.Mtim.Unix()).Before(f.Mod) {
			unix.Close(fd)
			continue
		}
		enc := http1.Coding(e)
		tag := f.ETag[:len(f.ETag)-1] + "-" + strings.TrimPrefix(ext, ".") + `"`
		v := &File{FD: fd, Size: st.Size, Mod: f.Mod, MIME: f.MIME, Ext: f.Ext, ETag: tag, cached: true}
		v.Header = AppendHeader(nil, f.MIME, v.Size, f.Mod, tag, enc)
		if f.MIME == nil || !f.MIME.Compress {
			v.Header = append(v.Header, "Vary: Accept-Encoding\r\n"...)
		}
		f.coded[enc] = v
	}
	if f.HasCoded() && (f.MIME == nil || !f.MIME.Compress) {
		f.Header = append(f.Header, "Vary: Accept-Encoding\r\n"...)
	}
}

// sidecarOf is the original a sidecar's name stands for ("a.html.br" →
// "a.html"), or "".
func sidecarOf(name string) string {
	for _, ext := range sidecarExt {
		if ext != "" && len(name) > len(ext) && strings.HasSuffix(name, ext) {
			return name[:len(name)-len(ext)]
		}
	}
	return ""
}
