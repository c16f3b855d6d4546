package server

import (
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// fileVariant picks what to send for a file too large for the memory
// cache: one of its precompressed sidecars (static/sidecar_linux.go) when
// compression is on and the client weighs that coding highest (zstd, br,
// gzip on equal q), else the file itself. When the client accepts nothing
// there is, it answers 406, gives f up and reports false.
func (x *Ctx) fileVariant(f *static.File) (*static.File, http1.Coding, bool) {
	ae := x.Req.AcceptEncoding
	if ae == nil || !f.HasCoded() || !x.l.rt.site.HTTP.Compress {
		if x.identityRefused() {
			f.Release()
			x.notAcceptable()
			return nil, 0, false
		}
		return f, http1.CodingIdentity, true
	}
	order, n := http1.AcceptEncoding(ae).Order()
	for _, c := range order[:n] {
		if c == http1.CodingIdentity {
			return f, c, true
		}
		if f.Coded(c) != nil {
			return f.Swap(c), c, true
		}
	}
	f.Release()
	x.notAcceptable()
	return nil, 0, false
}
