package compiler

import (
	"sort"
	"strings"
)

// builtinMIMETable is used when a configuration has no mime_type at all:
// hetao 0.14's 45 entries (with "swf" spelled right) plus the types nginx
// users expect (marked "added"). The Textual types are compressed.
var builtinMIMETable = []struct {
	exts, mime string
}{
	{"html htm shtml", "text/html"},
	{"css", "text/css"},
	{"xml", "text/xml"},
	{"txt", "text/plain"},
	{"gif", "image/gif"},
	{"jpeg jpg", "image/jpeg"},
	{"png", "image/png"},
	{"tif tiff", "image/tiff"},
	{"ico", "image/x-ico"},
	{"jng", "image/x-jng"},
	{"bmp", "image/x-ms-bmp"},
	{"svg svgz", "image/svg+xml"},
	{"jar war ear", "application/java-archive"},
	{"json", "application/json"},
	{"doc", "application/msword"},
	{"pdf", "application/pdf"},
	{"rtf", "application/rtf"},
	{"xls", "application/vnd.ms-excel"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"7z", "application/x-7z-compressed"},
	{"rar", "application/x-rar-compressed"},
	{"swf", "application/x-shockwave-flash"},
	{"xhtml", "application/xhtml+xml"},
	{"bin exe dll iso img msi msp msm", "application/octet-stream"},
	{"zip", "application/zip"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"mid midi kar", "audio/midi"},
	{"mp3", "audio/mpeg"},
	{"ogg", "audio/ogg"},
	{"m4a", "audio/x-m4a"},
	{"ra", "audio/x-realaudio"},
	{"3gpp 3gp", "video/3gpp"},
	{"ts", "video/mp2t"},
	{"mp4", "video/mp4"},
	{"mpeg mpg", "video/mpeg"},
	{"mov", "video/quicktime"},
	{"webm", "video/webm"},
	{"flv", "video/x-flv"},
	{"m4v", "video/x-m4v"},
	{"mng", "video/x-mng"},
	{"asx asf", "video/x-ms-asf"},
	{"wmv", "video/x-ms-wmv"},
	{"avi", "video/x-msvideo"},
	// added
	{"js mjs", "text/javascript"},
	{"webp", "image/webp"},
	{"avif", "image/avif"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"wasm", "application/wasm"},
	{"csv", "text/csv"},
	{"md", "text/markdown"},
	{"map", "application/json"},
}

// builtinMIME returns the built-in table, one entry per extension, sorted
// by extension. Built-in entries have no position.
func builtinMIME() []MIMEType {
	var out []MIMEType
	for _, e := range builtinMIMETable {
		for _, ext := range strings.Fields(e.exts) {
			out = append(out, MIMEType{Ext: ext, Type: e.mime, Compress: Textual(e.mime)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ext < out[j].Ext })
	return out
}
