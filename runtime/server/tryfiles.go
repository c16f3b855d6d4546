package server

import (
	"strings"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// TryFiles is nginx's try_files for a website or location: each form of
// the request path in Try is looked up in order and the first that names a
// file (or, for a form ending in "/", a directory with an index file)
// answers; when none does, Fallback is served from the same root, or
// Status is answered. Single-page apps and clean URLs use it:
// try_files $uri $uri.html $uri/ /index.html.
type TryFiles struct {
	Try      []TryPath
	Fallback string // a clean path, "/index.html"; "" answers Status
	Status   int
}

// TryPath is one form of the path: Before, then the request path when
// URI is set, then After ("$uri.html" is {URI: true, After: ".html"}).
type TryPath struct {
	Before string
	URI    bool
	After  string
}

// TryFiles answers the request from root the way t says. Only GET and
// HEAD are served, as by Static.
func (x *Ctx) TryFiles(root *static.Root, t *TryFiles) {
	if m := x.Req.Method; m != http1.MethodGET && m != http1.MethodHEAD {
		x.Static(root) // answers 405 or 501
		return
	}
	l := x.l
	for i := range t.Try {
		p := x.tryPath(&t.Try[i])
		if en := l.cache.Lookup(root, p); en != nil {
			x.sendEntry(en)
			return
		}
		res := l.cache.Resolve(root, p, l.rt.mimeOf)
		switch {
		case res.Status == 500:
			l.rt.logErrorOnce("static file: "+strings.ReplaceAll(res.Err.Error(), "%", "%%")+" (first seen for %s)", p)
			x.Error(500)
			return
		case res.Status != 200:
			continue // not there, a directory without its slash, or forbidden: the next form
		case res.Entry != nil:
			x.sendEntry(res.Entry)
		default:
			x.sendFile(res.File)
		}
		return
	}
	if t.Fallback == "" {
		x.Error(t.Status)
		return
	}
	x.tryBuf = append(x.tryBuf[:0], t.Fallback...)
	x.Path = x.tryBuf
	x.Static(root)
}

// tryPath builds one form of the path in the Ctx's scratch buffer, which
// the next form reuses. The request path is clean, and so is the result:
// "$uri/" of "/a/" is "/a/", not "/a//".
func (x *Ctx) tryPath(t *TryPath) []byte {
	b := append(x.tryBuf[:0], t.Before...)
	after := t.After
	if t.URI {
		b = append(b, x.Path...)
		if len(b) > 0 && b[len(b)-1] == '/' && strings.HasPrefix(after, "/") {
			after = after[1:]
		}
	}
	b = append(b, after...)
	x.tryBuf = b
	return b
}
