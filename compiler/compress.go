package compiler

import "strings"

// Textual reports whether media type mime (parameters allowed, any case)
// is text that compression pays for: text/*, any +xml or +json type,
// application/json, application/javascript, application/xml,
// image/svg+xml and application/wasm. It decides what the built-in MIME
// table compresses, and, in the 2016 layout (before hetao 0.6.0 added
// compress_enable, when compress_on compressed text), a mime_type written
// without compress_enable.
func Textual(mime string) bool {
	base, _, _ := strings.Cut(mime, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if strings.HasPrefix(base, "text/") || strings.HasSuffix(base, "+xml") || strings.HasSuffix(base, "+json") {
		return true
	}
	switch base {
	case "application/json", "application/javascript", "application/xml", "image/svg+xml", "application/wasm":
		return true
	}
	return false
}
