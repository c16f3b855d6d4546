package compiler

import (
	"sort"
	"strings"
)

// builtinMIMETable is used when a configuration has no mime_type at all:
// hetao 0.14's 45 entries (with "swf" spelled right) plus the types nginx
// users expect (marked "added"). Compress marks the types gzip helps.
var builtinMIMETable = []struct {
	exts, mime string
	compress   bool
}{
	{"html htm shtml", "text/html", true},
	{"css", "text/css", true},
	{"xml", "text/xml", true},
	{"txt", "text/plain", true},
	{"gif", "image/gif", false},
	{"jpeg jpg", "image/jpeg", false},
	{"png", "image/png", false},
	{"tif tiff", "image/tiff", false},
	{"ico", "image/x-ico", false},
	{"jng", "image/x-jng", false},
	{"bmp", "image/x-ms-bmp", false},
	{"svg svgz", "image/svg+xml", true},
	{"jar war ear", "application/java-archive", false},
	{"json", "application/json", true},
	{"doc", "application/msword", false},
	{"pdf", "application/pdf", false},
	{"rtf", "application/rtf", false},
	{"xls", "application/vnd.ms-excel", false},
	{"ppt", "application/vnd.ms-powerpoint", false},
	{"7z", "application/x-7z-compressed", false},
	{"rar", "application/x-rar-compressed", false},
	{"swf", "application/x-shockwave-flash", false},
	{"xhtml", "application/xhtml+xml", true},
	{"bin exe dll iso img msi msp msm", "application/octet-stream", false},
	{"zip", "application/zip", false},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", false},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", false},
	{"mid midi kar", "audio/midi", false},
	{"mp3", "audio/mpeg", false},
	{"ogg", "audio/ogg", false},
	{"m4a", "audio/x-m4a", false},
	{"ra", "audio/x-realaudio", false},
	{"3gpp 3gp", "video/3gpp", false},
	{"ts", "video/mp2t", false},
	{"mp4", "video/mp4", false},
	{"mpeg mpg", "video/mpeg", false},
	{"mov", "video/quicktime", false},
	{"webm", "video/webm", false},
	{"flv", "video/x-flv", false},
	{"m4v", "video/x-m4v", false},
	{"mng", "video/x-mng", false},
	{"asx asf", "video/x-ms-asf", false},
	{"wmv", "video/x-ms-wmv", false},
	{"avi", "video/x-msvideo", false},
	// added
	{"js mjs", "text/javascript", true},
	{"webp", "image/webp", false},
	{"avif", "image/avif", false},
	{"woff", "font/woff", false},
	{"woff2", "font/woff2", false},
	{"wasm", "application/wasm", false},
	{"csv", "text/csv", true},
	{"md", "text/markdown", true},
	{"map", "application/json", true},
}

// builtinMIME returns the built-in table, one entry per extension, sorted
// by extension. Built-in entries have no position.
func builtinMIME() []MIMEType {
	var out []MIMEType
	for _, e := range builtinMIMETable {
		for _, ext := range strings.Fields(e.exts) {
			out = append(out, MIMEType{Ext: ext, Type: e.mime, Compress: e.compress})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ext < out[j].Ext })
	return out
}
