package server

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/hetaoc/hetao/runtime/autoindex"
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// StaticAutoindex is Static for a website or location with autoindex: a
// directory without an index file is answered with a listing of its
// files, HTML or JSON (Accept: application/json), hidden names left out.
// A hidden directory ("/.git/") is not listed: 404.
func (x *Ctx) StaticAutoindex(root *static.Root) {
	p := x.Path
	if m := x.Req.Method; m != http1.MethodGET && m != http1.MethodHEAD || p[len(p)-1] != '/' || root.FirstIndex(p) != "" {
		x.static(root)
		return
	}
	if bytes.Contains(p, []byte("/.")) {
		x.Error(404)
		return
	}
	entries, status, err := root.List(string(p))
	if status != 200 {
		if err != nil {
			x.l.rt.logErrorOnce("autoindex: "+strings.ReplaceAll(err.Error(), "%", "%%")+" (first seen for %s)", p)
		}
		x.Error(status)
		return
	}
	entries = autoindex.Visible(entries)
	autoindex.Sort(entries)
	body, ctype := []byte(nil), "Content-Type: text/html; charset=utf-8\r\n"
	if autoindex.WantsJSON(x.Req.Header("Accept")) {
		body, ctype = autoindex.JSON(nil, entries), "Content-Type: application/json\r\n"
	} else {
		body = autoindex.HTML(nil, string(p), entries)
	}
	w := x.head(200)
	w = append(w, ctype...)
	w = append(w, "Content-Length: "...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	w = append(w, "\r\nVary: Accept\r\n"...)
	w = append(w, x.alwaysFields()...)
	x.endHead(w)
	x.writeBody(body)
}
