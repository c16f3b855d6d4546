package server

import "strconv"

// log appends the access-log line of the request just answered to the
// loop's buffer for its website; the loop writes each buffer once per batch
// of events. The line is hetao's, with the real client address and the body
// size appended:
//
//	2026-11-23 04:50:01 - 127.0.0.1(curl/8.5.0) - example.com - "GET /a.html HTTP/1.1" 200 3321
func (x *Ctx) log() {
	s := x.Site
	if s == nil || s.log == nil || x.status == 0 {
		return
	}
	c := x.c
	if c.file != nil || len(c.outRef) > 0 {
		// The body is still being sent: the line is written when it is
		// out, or with what was sent if the connection ends first (as
		// nginx's $body_bytes_sent).
		w := x.appendLogPrefix(c.logLine[:0])
		w = strconv.AppendInt(w, int64(x.status), 10)
		c.logLine, c.logSite, c.logBody = append(w, ' '), s, x.sent
		return
	}
	b := &x.l.access[s.id]
	w := x.appendLogPrefix(b.B)
	w = strconv.AppendInt(w, int64(x.status), 10)
	w = append(w, ' ')
	w = strconv.AppendInt(w, x.sent, 10)
	b.B = w
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
	b.B = append(b.B, c.logLine...)
	b.B = strconv.AppendInt(b.B, max(c.logBody-unsent, 0), 10)
	b.Line()
	c.logSite, c.logLine = nil, c.logLine[:0]
}

// appendLogPrefix appends the line up to the status: time, client, Host
// and request line, as received.
func (x *Ctx) appendLogPrefix(w []byte) []byte {
	req := x.Req
	w = append(w, x.l.clock.log...)
	w = append(w, " - "...)
	w = appendIP(w, x.c.ip)
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
	w = append(w, " HTTP/1."...)
	w = append(w, '0'+req.Minor)
	return append(w, `" `...)
}

func appendIP(w []byte, ip [4]byte) []byte {
	for i, v := range ip {
		if i > 0 {
			w = append(w, '.')
		}
		w = strconv.AppendUint(w, uint64(v), 10)
	}
	return w
}

// appendSafe appends at most max bytes of s, escaping what could forge a
// log line or a field: control bytes, quotes, backslashes and non-ASCII.
func appendSafe(w, s []byte, max int) []byte {
	const hex = "0123456789abcdef"
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
