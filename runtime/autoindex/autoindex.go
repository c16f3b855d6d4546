// Package autoindex writes directory listings (nginx's autoindex, Python's
// http.server): an HTML page, or JSON when the client asks for it. It
// formats what it is given; runtime/static reads the directory.
package autoindex

import (
	"encoding/json"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Entry is one name in a directory.
type Entry struct {
	Name string
	Dir  bool
	Size int64 // of a file
	Mod  time.Time
}

// Sort orders entries directories first, then by name (bytewise).
func Sort(entries []Entry) {
	sort.Slice(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if a.Dir != b.Dir {
			return a.Dir
		}
		return a.Name < b.Name
	})
}

// Visible drops hidden entries (names starting with "."), keeping order.
func Visible(entries []Entry) []Entry {
	out := entries[:0]
	for _, e := range entries {
		if !strings.HasPrefix(e.Name, ".") {
			out = append(out, e)
		}
	}
	return out
}

// WantsJSON reports whether an Accept header value asks for JSON before
// HTML: it names application/json and not text/html ahead of it.
func WantsJSON(accept []byte) bool {
	a := strings.ToLower(string(accept))
	j := strings.Index(a, "application/json")
	if j < 0 {
		return false
	}
	h := strings.Index(a, "text/html")
	return h < 0 || j < h
}

const timeFormat = "2006-01-02 15:04:05"

// HTML appends the listing of dir (a clean URL path ending in "/") as an
// HTML page: a link to the parent (except at the root), then each entry
// with its size and modification time (UTC). Names are escaped both as
// text and in links.
func HTML(w []byte, dir string, entries []Entry) []byte {
	title := html.EscapeString("Index of " + dir)
	w = append(w, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>"...)
	w = append(w, title...)
	w = append(w, "</title>\n<style>body{font-family:sans-serif}td{padding:0 1em 0 0}td.n{text-align:right}</style></head>\n<body><h1>"...)
	w = append(w, title...)
	w = append(w, "</h1>\n<table>\n"...)
	if dir != "/" {
		w = append(w, "<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n"...)
	}
	for _, e := range entries {
		name := e.Name
		if e.Dir {
			name += "/"
		}
		w = append(w, "<tr><td><a href=\""...)
		w = append(w, html.EscapeString(linkTo(name))...)
		w = append(w, "\">"...)
		w = append(w, html.EscapeString(name)...)
		w = append(w, "</a></td><td class=\"n\">"...)
		if !e.Dir {
			w = strconv.AppendInt(w, e.Size, 10)
		} else {
			w = append(w, '-')
		}
		w = append(w, "</td><td>"...)
		w = e.Mod.UTC().AppendFormat(w, timeFormat)
		w = append(w, "</td></tr>\n"...)
	}
	return append(w, "</table>\n</body></html>\n"...)
}

// linkTo is a relative link to name: percent-encoded, and a name with a
// colon before any slash prefixed with "./" so that it is not read as a
// scheme ("javascript:…").
func linkTo(name string) string {
	l := (&url.URL{Path: name}).EscapedPath()
	if i := strings.IndexByte(l, ':'); i >= 0 && !strings.Contains(l[:i], "/") {
		l = "./" + l
	}
	return l
}

// JSON appends the listing as nginx's autoindex_format json writes it: an
// array of {"name", "type" ("directory" or "file"), "mtime" (HTTP date)
// and, for a file, "size"}.
func JSON(w []byte, entries []Entry) []byte {
	w = append(w, '[')
	for i, e := range entries {
		if i > 0 {
			w = append(w, ',')
		}
		w = append(w, "\n{\"name\":"...)
		q, _ := json.Marshal(e.Name) // a string always marshals; invalid UTF-8 becomes U+FFFD
		w = append(w, q...)
		if e.Dir {
			w = append(w, ",\"type\":\"directory\""...)
		} else {
			w = append(w, ",\"type\":\"file\""...)
		}
		w = append(w, ",\"mtime\":\""...)
		w = e.Mod.UTC().AppendFormat(w, "Mon, 02 Jan 2006 15:04:05 GMT")
		w = append(w, '"')
		if !e.Dir {
			w = append(w, ",\"size\":"...)
			w = strconv.AppendInt(w, e.Size, 10)
		}
		w = append(w, '}')
	}
	return append(w, "\n]\n"...)
}
