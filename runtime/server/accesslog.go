package server

import (
	"bytes"
	"strconv"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

// log appends the access-log line of the request just answered to the
// loop's buffer for its website; the loop writes each buffer once per batch
// of events. The line is in the site's LogFormat (accesslog_format.go);
// hetao's, with the real client address and the body size appended:
//
//	2026-11-23 04:50:01 - 127.0.0.1(curl/8.5.0) - example.com - "GET /a.html HTTP/1.1" 200 3321
func (x *Ctx) log() {
	x.count()
	s := x.Site
	if s == nil || s.log == nil || x.status == 0 {
		return
	}
	c, f := x.c, x.l.rt.site.AccessLogFormat
	ms := x.l.now - (c.elapseAt - x.l.rt.elapse)
	if c.file != nil || len(c.outRef) > 0 {
		// The body is still being sent: the line is written when it is
		// out, or with what was sent if the connection ends first (as
		// nginx's $body_bytes_sent). logLine keeps the line without its
		// size, which goes at logCut.
		w := x.appendLogPrefix(c.logLine[:0])
		w = appendLogStatus(w, f, x.status)
		c.logCut = int32(len(w))
		w = appendLogReq(w, f, x.Req)
		c.logLine, c.logSite, c.logBody = appendLogEnd(w, f, ms, ""), s, x.sent
		return
	}
	b := &x.l.access[s.id]
	w := x.appendLogPrefix(b.B)
	w = appendLogStatus(w, f, x.status)
	w = strconv.AppendInt(w, x.sent, 10)
	w = appendLogReq(w, f, x.Req)
	b.B = appendLogEnd(w, f, ms, "")
	b.Line()
}

// logSent writes the line kept back for a body that was being sent, with
// the bytes of it that went out.
func (l *loop) logSent(c *conn) {
	if c.logSite == nil {
		return
	}
	unsent := int64(len(c.outRef))
	if c.file != nil {
		unsent += c.fileEnd - c.fileOff
	}
	b := &l.access[c.logSite.id]
	b.B = append(b.B, c.logLine[:c.logCut]...)
	b.B = strconv.AppendInt(b.B, max(c.logBody-unsent, 0), 10)
	b.B = append(b.B, c.logLine[c.logCut:]...)
	b.Line()
	c.logSite, c.logLine = nil, c.logLine[:0]
}

// appendLogPrefix appends the line up to the status in the site's
// format: time, client, Host and request line, as received.
func (x *Ctx) appendLogPrefix(w []byte) []byte {
	f := x.l.rt.site.AccessLogFormat
	return appendLogHead(w, f, x.l.clock.logWhen(f), x.c.ip, x.Req, x.c.tls != nil)
}

// appendLogPrefix appends a hetao line up to the status for a request
// from ip at when (the log's time stamp).
func appendLogPrefix(w, when []byte, ip ipAddr, req *http1.Request) []byte {
	w = append(w, when...)
	w = append(w, " - "...)
	w = appendIP(w, ip)
	w = append(w, '(')
	ua := req.UserAgent
	for i, ch := range ua {
		if ch == ' ' {
			ua = ua[:i]
			break
		}
	}
	w = appendSafe(w, ua, 128)
	w = append(w, ") - "...)
	w = appendSafe(w, req.Host, 256)
	w = append(w, ` - "`...)
	w = appendSafe(w, req.MethodRaw, 32)
	w = append(w, ' ')
	w = appendSafe(w, req.Target, 2048)
	w = append(w, ' ')
	w = appendVersion(w, req)
	return append(w, `" `...)
}

// maxLoggedLine bounds a request line logged as received, unparsed: the
// method and target bounds of appendLogPrefix and the version.
const maxLoggedLine = 32 + 1 + 2048 + 9

// plainHTTPLogLine is the access-log line, without its newline, of a plain
// HTTP request that a TLS listen's terminator answered with status and a
// body of sent bytes at t. head is what the client sent, as far as it was
// kept: when it holds a request head that parses, the line is the usual
// one; otherwise it has no user agent and no Host, and the request line is
// the first line of head as received (or what came of it), bounded and
// escaped like any logged field. It runs on the terminator's goroutine and
// touches nothing of the loop's; the loop writes the line.
func plainHTTPLogLine(f LogFormat, t time.Time, ip ipAddr, head []byte, lim *http1.Limits, status int, sent int64) []byte {
	var k clock
	k.logTimes(t)
	when := k.logWhen(f)
	var w []byte
	var req http1.Request
	_, err := req.Parse(head, lim)
	if err != nil && f != LogHetao {
		// What came of the request line, as its target.
		if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
			head = head[:i]
		}
		req = http1.Request{Target: head}
	}
	if err == nil || f != LogHetao {
		w = appendLogHead(w, f, when, ip, &req, false) // plain HTTP, not TLS
		w = appendLogStatus(w, f, status)
		w = strconv.AppendInt(w, sent, 10)
		w = appendLogReq(w, f, &req)
		return appendLogEnd(w, f, 0, "")
	}
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	w = append(w, when...)
	w = append(w, " - "...)
	w = appendIP(w, ip)
	w = append(w, `() -  - "`...)
	w = appendSafe(w, head, maxLoggedLine)
	w = append(w, `" `...)
	w = strconv.AppendInt(w, int64(status), 10)
	w = append(w, ' ')
	return strconv.AppendInt(w, sent, 10)
}

// appendSafe appends at most max bytes of s, escaping what could forge a
// log line or a field: control bytes, quotes, backslashes and non-ASCII,
// as \xhh (hetao's format).
func appendSafe(w, s []byte, max int) []byte { return appendEscaped(w, s, max, "0123456789abcdef") }

// appendNginx is appendSafe as nginx escapes logged variables: \xHH, in
// upper-case hex (the combined format).
func appendNginx(w, s []byte, max int) []byte { return appendEscaped(w, s, max, "0123456789ABCDEF") }

// appendEscaped appends at most max bytes of s, each control byte, quote,
// backslash and byte past ASCII as \x and two digits of hex.
func appendEscaped(w, s []byte, max int, hex string) []byte {
	if len(s) > max {
		s = s[:max]
	}
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			w = append(w, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		w = append(w, c)
	}
	return w
}

// appendVersion appends the protocol of req as a request line names it:
// "HTTP/1.1", or "HTTP/2.0" for a stream of an HTTP/2 connection.
func appendVersion(w []byte, req *http1.Request) []byte {
	if req.Major == 2 {
		return append(w, "HTTP/2.0"...)
	}
	w = append(w, "HTTP/1."...)
	return append(w, '0'+req.Minor)
}
