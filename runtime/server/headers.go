package server

import (
	"github.com/hetaoc/hetao/runtime/static"
)

// Headers are the response header fields a website or location adds, with
// every line pre-built at generation time so that adding them is one
// append: the cached GET path still allocates nothing.
type Headers struct {
	// Always is added to every answer: files, redirects, error pages
	// (nginx add_header … always). Lines end in CRLF.
	Always string
	// Cache gives the Cache-Control line of a file: the first rule that
	// names its extension or its media type, else Default.
	Cache   []CacheRule
	Default string
}

// CacheRule is one Cache-Control line for the files of an extension
// (without the dot, case-sensitive as the MIME table) or of a media type.
type CacheRule struct {
	Ext   string
	Type  string
	Field string // "Cache-Control: …\r\n"
}

// SetHeaders makes h the fields added to the answer of the current
// request; a location's handler replaces its website's.
func (x *Ctx) SetHeaders(h *Headers) { x.hdr = h }

// appendFileFields appends the configured fields of a file answer: the
// fixed ones, then Cache-Control by the file's extension or type.
func (x *Ctx) appendFileFields(w []byte, ext string, mime *static.MIME) []byte {
	h := x.hdr
	if h == nil {
		return w
	}
	w = append(w, h.Always...)
	return append(w, h.cacheField(ext, mime)...)
}

// cacheField is the Cache-Control line of a file, or "".
func (h *Headers) cacheField(ext string, mime *static.MIME) string {
	for i := range h.Cache {
		r := &h.Cache[i]
		if r.Ext != "" && r.Ext == ext || r.Type != "" && mime != nil && typeIs(mime.Type, r.Type) {
			return r.Field
		}
	}
	return h.Default
}

// alwaysFields are the fields added to an answer that is not a file.
func (x *Ctx) alwaysFields() string {
	if x.hdr == nil {
		return ""
	}
	return x.hdr.Always
}

// typeIs reports whether media type t, perhaps with parameters
// ("text/html; charset=utf-8"), is want.
func typeIs(t, want string) bool {
	if len(t) < len(want) || t[:len(want)] != want {
		return false
	}
	return len(t) == len(want) || t[len(want)] == ';' || t[len(want)] == ' '
}
