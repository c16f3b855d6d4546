package server

import (
	"strconv"

	"github.com/hetaoc/hetao/runtime/http1"
)

// Writing an answer: status line, fields, body; error pages.

// bodyInline is the largest body copied into the batch buffer; larger
// cached bodies are written straight from the cache.
const bodyInline = 16 << 10

const serverLine = "Server: hetao\r\n"

// respond sends a complete non-file response: status, extra header lines
// (each ending in CRLF) and body, or the status's error page when body is
// nil.
func (x *Ctx) respond(code int, extra string, body []byte) {
	x.status = code
	var w []byte
	w, x.sent = x.l.appendPage(x.out.headBuf(), code, extra, x.alwaysFields(), body, x.out.keepAlive(), x.Req.Minor, x.Req.Method)
	x.out.sendHead(w)
}

// appendPage appends a whole answer that is not a file: status line,
// Server, Date, an HTML body (code's error page when body is nil, nothing
// for 1xx, 204 and 304), extra header lines (each ending in CRLF) and the
// Connection field; HEAD gets the head only. It returns the buffer and the
// body bytes sent. fields are the configured ones (headers.go).
func (l *loop) appendPage(w []byte, code int, extra, fields string, body []byte, keep bool, minor uint8, m http1.Method) ([]byte, int64) {
	if body == nil {
		body = l.rt.errorPage(code)
	}
	if code == 304 || code == 204 || code < 200 {
		body = body[:0]
	}
	w = http1.AppendStatusLine(w, code)
	w = append(w, serverLine...)
	w = append(w, l.clock.date...)
	w = append(w, "Content-Type: text/html\r\nContent-Length: "...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	w = append(w, "\r\n"...)
	w = append(w, extra...)
	w = append(w, fields...)
	w = appendConnection(w, keep, minor)
	if m == http1.MethodHEAD {
		return w, 0
	}
	return append(w, body...), int64(len(body))
}

// head starts an answer's head: status line, Server, Date.
func (x *Ctx) head(code int) []byte {
	x.status = code
	w := http1.AppendStatusLine(x.out.headBuf(), code)
	w = append(w, serverLine...)
	return append(w, x.l.clock.date...)
}

// endHead ends the head with the Connection field the keep-alive decision
// needs and sends it.
func (x *Ctx) endHead(w []byte) {
	x.out.sendHead(appendConnection(w, x.out.keepAlive(), x.Req.Minor))
}

// writeBody sends an immutable body after the head, unless the request is
// HEAD.
func (x *Ctx) writeBody(body []byte) {
	if x.Req.Method == http1.MethodHEAD {
		return
	}
	x.sent = int64(len(body))
	x.out.sendShared(body)
}
