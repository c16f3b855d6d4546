package server

import (
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
)

// One exchange with a backend: events on its connection, the request going
// out, the answer coming back and reaching the client, failures, and the
// end that returns the connection to the pool and the client to its next
// request.

// upEvent handles readiness on a backend connection.
func (l *loop) upEvent(up *upConn, ev uint32) {
	if up.h2.s != nil {
		l.h2UpEvent(up, ev) // its client is an HTTP/2 stream (proxy_h2_linux.go)
		return
	}
	l.upStep(up, ev)
}

// upStep handles readiness on a backend connection, by its state: a
// pooled one that stirs is closed; a connecting one learns whether it
// connected; a tunnel relays; otherwise the request goes out and the
// answer comes in.
func (l *loop) upStep(up *upConn, ev uint32) {
	switch up.state {
	case upTunnel:
		l.tunnelUpEvent(up, ev)
		return
	case upIdle:
		// Pooled: the backend closed it, or sent what nobody asked for. (A
		// late report that the socket is writable is no reason to close.)
		if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP|unix.EPOLLERR) != 0 {
			l.upClose(up)
		}
		return
	case upConnecting:
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		if errno, err := unix.GetsockoptInt(up.fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || errno != 0 || ev&unix.EPOLLERR != 0 {
			l.retry(up, true)
			return
		}
		up.state = upHead
		up.client.idleAt = l.now + l.rt.timeout
		up.h2.idleAt = up.client.idleAt
	}
	if ev&unix.EPOLLOUT != 0 && len(up.out) > 0 {
		l.upWrite(up)
	}
	if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		up.hup = true
	}
	if up.client != nil && ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP|unix.EPOLLERR) != 0 {
		l.upRead(up)
	}
}

// retry moves an exchange whose connection failed before any answer to
// another connection: after a failed connect (the backend is disabled and
// the next one tried), or after a pooled connection turned out closed.
func (l *loop) retry(up *upConn, connectFailed bool) {
	c, st := up.client, up.st
	st.backends[up.b].active--
	if connectFailed {
		l.disable(st, up.b)
	}
	pending := up.out
	next := l.connectAny(st, up.upgrade)
	if next == nil && up.h2.s != nil {
		st.backends[up.b].active++ // h2EndExchange counts it off
		up.out = up.out[:0]
		l.proxyError(c, up, 503)
		l.endExchange(up, false)
		l.upClose(up)
		return
	}
	up.client, up.out = nil, nil
	l.upClose(up)
	if next == nil {
		c.backendDone()
		l.proxyError(c, up, 503)
		c.served = true
		l.logProxy(up)
		l.resumeClient(c)
		return
	}
	next.client, next.site, next.method, next.minor = c, up.site, up.method, up.minor
	next.replay, next.bodiless, next.upgrade, next.gotAny = up.replay, up.bodiless, up.upgrade, false
	next.out = append(next.out[:0], pending...)
	next.head = next.head[:0]
	if up.bodiless {
		next.head = append(next.head, pending...)
	}
	next.logLine, next.logCut, next.logAt = append(next.logLine[:0], up.logLine...), up.logCut, up.logAt
	st.backends[next.b].active++
	l.m.UpstreamRequest(st.m0 + next.b)
	if up.h2.s != nil {
		l.h2Rebind(up, next)
		l.h2Wait(next)
		return
	}
	c.proxy = next
	l.waitBackend(c, next)
}

// upWrite sends buffered request bytes; once they are out, a client paused
// for backpressure is read again.
func (l *loop) upWrite(up *upConn) {
	for len(up.out) > 0 {
		n, err := sysWrite(up.fd, up.out)
		if n > 0 {
			up.out = up.out[n:]
			up.h2.idleAt = l.now + l.rt.timeout
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return
		}
		l.upFailed(up)
		return
	}
	up.out = up.out[:0]
	if up.h2.s != nil {
		l.h2Pump(up) // more of the stream's body
		return
	}
	if c := up.client; c != nil && c.readMore && c.phase != phaseClosed {
		l.read(c)
	}
}

// upFailed handles a backend connection that broke during an exchange.
func (l *loop) upFailed(up *upConn) {
	c := up.client
	if c == nil {
		l.upClose(up)
		return
	}
	if !up.gotAny && up.reused && up.replay && len(up.head) > 0 {
		up.out = up.head // the head may have gone out whole: send it again
		l.retry(up, false)
		return
	}
	if !up.gotAny && up.viaTLS && !up.reused && len(up.head) > 0 {
		up.out = up.head // the TLS connect failed: nothing reached the backend
		l.retry(up, true)
		return
	}
	if up.state < upBody {
		l.proxyError(c, up, 502)
		l.endExchange(up, false)
		return
	}
	l.cutOff(up)
}

// cutOff ends an exchange whose answer was under way when the backend
// failed or went silent: the client cannot be told, only cut off, and
// nothing it pipelined behind may be answered on that connection (it would
// read as the rest of the cut body).
func (l *loop) cutOff(up *upConn) {
	if up.h2.s != nil {
		l.h2EndExchange(up, false, false) // the stream is reset, not the connection
		return
	}
	c := up.client
	c.closeWhen(afterAnswer)
	l.endExchange(up, false)
	l.close(c)
}

// upRead reads the backend's answer while the client keeps up.
func (l *loop) upRead(up *upConn) {
	for up.client != nil {
		c := up.client
		if c.blocked() && up.h2.s == nil || up.h2.s != nil && up.h2.s.Buffered() > 0 {
			up.readMore = true // Writable or the client's drain reads on
			return
		}
		up.readMore = false
		n, err := sysRead(up.fd, l.rbuf)
		switch {
		case n > 0:
			up.gotAny = true
			c.idleAt = l.now + l.rt.timeout
			up.h2.idleAt = c.idleAt
			more := l.upData(up, l.rbuf[:n])
			if up.h2.s != nil {
				l.h2BodyFlush(up)
			}
			if !more || (n < len(l.rbuf) && !up.hup) {
				return
			}
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
		case err == nil && up.state == upBody && up.mode == bodyClose:
			l.endExchange(up, false) // the close delimits the body
			return
		default:
			l.upFailed(up)
			return
		}
	}
}

// upData takes bytes from the backend: the response head first, then the
// body, passed to the client as it comes. It reports whether the exchange
// goes on.
func (l *loop) upData(up *upConn, data []byte) bool {
	if up.state == upHead {
		buf := data
		if len(up.in) > 0 {
			up.in = append(up.in, data...)
			buf = up.in
		}
		for {
			n, err := l.resp.Parse(buf, 0)
			if err == http1.ErrNeedMore {
				if len(up.in) == 0 {
					up.in = append(up.in, buf...)
				}
				return true
			}
			if l.resp.Status == 101 && err == nil && up.upgrade {
				l.startTunnel(up, &l.resp, buf[n:])
				return false
			}
			if err != nil || l.resp.Status == 101 { // a switch nobody asked for
				l.proxyError(up.client, up, 502)
				l.endExchange(up, false)
				return false
			}
			if l.resp.Status < 200 { // interim: 100 Continue and friends
				buf = buf[n:]
				continue
			}
			l.sendHead(up, &l.resp)
			body := buf[n:]
			up.in = up.in[:0]
			if up.mode == bodyNone {
				l.endExchange(up, up.reusable && len(body) == 0)
				return false
			}
			if len(body) == 0 {
				return true
			}
			// body aliases up.in or the read buffer; it is consumed below
			// before either is written again.
			return l.upBody(up, body)
		}
	}
	return l.upBody(up, data)
}

// sendHead writes the client's response head: the backend's status and
// fields less the hop-by-hop ones, framed for this client.
func (l *loop) sendHead(up *upConn, r *http1.Response) {
	c := up.client
	up.status = r.Status
	up.reusable = !r.Close
	switch {
	case r.NoBody(up.method):
		up.mode = bodyNone
	case r.Chunked:
		up.mode = bodyChunked
		up.chunk.Reset()
		up.chunk.MaxBody = 0
		up.dechunk = up.minor == 0
	case r.ContentLength >= 0:
		up.mode, up.left = bodyLength, r.ContentLength
		if up.left == 0 {
			up.mode = bodyNone
		}
	default:
		up.mode, up.reusable = bodyClose, false
	}
	if up.h2.s != nil {
		up.dechunk = true // DATA frames delimit the body
		l.h2SendHead(up, r)
		return
	}
	if up.mode == bodyClose || up.dechunk {
		c.closeWhen(afterAnswer) // only the end of the connection can delimit the body
	}
	// The framing toward the client is ours, from the parsed response:
	// none for 1xx, 204 and 304 (RFC 9110 §8.6, §15.3.5), the length a
	// HEAD would have had, the length, or our own chunking.
	w := l.appendUpstreamHead(l.wbuf, r, false)
	switch {
	case up.mode == bodyChunked && !up.dechunk:
		w = append(w, "Transfer-Encoding: chunked\r\n"...)
	case up.mode == bodyLength, r.ContentLength >= 0 && r.Status >= 200 && r.Status != 204 && r.Status != 304:
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, r.ContentLength, 10)
		w = append(w, "\r\n"...)
	}
	l.wbuf = appendConnection(w, c.keepAlive(), up.minor)
	up.state = upBody
	l.flush(c)
}

// appendUpstreamHead appends the status line and fields of the backend's
// answer less the hop-by-hop ones (but Upgrade, for a 101 passed on) and
// Content-Length, and Date if it has none; the caller adds its framing,
// from the parsed response, and the final CRLF.
func (l *loop) appendUpstreamHead(w []byte, r *http1.Response, upgrade bool) []byte {
	w = http1.AppendStatusLine(w, r.Status)
	if len(r.Reason) > 0 && string(r.Reason) != http1.StatusText(r.Status) {
		w = w[:len(w)-len(http1.StatusText(r.Status))-2]
		w = append(w, r.Reason...)
		w = append(w, "\r\n"...)
	}
	hasDate := false
	for _, h := range r.Headers {
		switch {
		case upgrade && equalFold(h.Name, "upgrade"):
		case http1.HopByHop(h.Name), equalFold(h.Name, "content-length"), http1.ListedInConnection(r.Headers, h.Name):
			continue // the framing is written by the caller (even if listed in Connection)
		case equalFold(h.Name, "date"):
			hasDate = true
		}
		w = append(w, h.Name...)
		w = append(w, ": "...)
		w = append(w, h.Value...)
		w = append(w, "\r\n"...)
	}
	if !hasDate {
		w = append(w, l.clock.date...)
	}
	return w
}

// upBody passes body bytes to the client; it reports whether the exchange
// goes on.
func (l *loop) upBody(up *upConn, data []byte) bool {
	c := up.client
	switch up.mode {
	case bodyLength:
		n := int64(len(data))
		extra := n > up.left
		if extra {
			n = up.left
		}
		l.toClient(up, data[:n])
		up.left -= n
		if up.client == nil || c.phase == phaseClosed {
			return false
		}
		if up.left == 0 {
			l.endExchange(up, up.reusable && !extra)
			return false
		}
	case bodyChunked:
		for len(data) > 0 {
			consumed, piece, done, err := up.chunk.Decode(data)
			if err != nil && up.h2.s != nil {
				l.cutOff(up)
				return false
			}
			if err != nil {
				l.endExchange(up, false)
				l.close(c)
				return false
			}
			if up.dechunk {
				l.toClient(up, piece)
			} else {
				// Re-chunked in canonical framing: the backend's chunk
				// extensions and trailers are not passed on.
				l.toClientChunk(up, piece, done)
			}
			data = data[consumed:]
			if up.client == nil || c.phase == phaseClosed {
				return false
			}
			if done {
				l.endExchange(up, up.reusable && len(data) == 0)
				return false
			}
		}
	case bodyClose:
		l.toClient(up, data)
	}
	return up.client != nil && c.phase != phaseClosed
}

// toClient writes body bytes to the client through its pending output.
func (l *loop) toClient(up *upConn, b []byte) {
	c := up.client
	if len(b) == 0 || c == nil || c.phase == phaseClosed {
		return
	}
	up.sent += int64(len(b))
	if up.h2.s != nil {
		l.h2Body(up, b)
		return
	}
	l.wbuf = append(l.wbuf, b...)
	l.flush(c)
}

// toClientChunk writes body data to the client as one chunk, and the last
// chunk after it when done.
func (l *loop) toClientChunk(up *upConn, data []byte, done bool) {
	c := up.client
	if c == nil || c.phase == phaseClosed || len(data) == 0 && !done {
		return
	}
	n := len(l.wbuf)
	l.wbuf = http1.AppendChunk(l.wbuf, data)
	if done {
		l.wbuf = append(l.wbuf, http1.LastChunk...)
	}
	up.sent += int64(len(l.wbuf) - n)
	l.flush(c)
}

// endExchange settles both sides once the answer is complete (or failed):
// the backend connection goes back to the pool when reusable, and the
// client goes on with its next request.
func (l *loop) endExchange(up *upConn, reusable bool) {
	c := up.client
	if c == nil {
		return // the client went first; closing it closed up
	}
	if up.h2.s != nil {
		l.h2EndExchange(up, reusable, true)
		return
	}
	st := up.st
	b := &st.backends[up.b]
	b.active--
	if up.upgrade {
		reusable = false // the backend was asked to switch: do not bet it did not
	}
	up.client, up.head = nil, up.head[:0]
	c.backendDone()
	c.served = true
	if up.status != 0 {
		l.logProxy(up)
	}
	l.poolOrClose(up, reusable)
	l.resumeClient(c)
}

// poolOrClose keeps a backend connection whose exchange ended for the
// next request, or closes it.
func (l *loop) poolOrClose(up *upConn, reusable bool) {
	b := &up.st.backends[up.b]
	if reusable && up.fd >= 0 && len(b.idle) < maxIdlePerPeer && !l.stopping.Load() {
		up.state, up.idleSince, up.reused = upIdle, l.now, false
		up.in, up.out = up.in[:0], up.out[:0]
		b.idle = append(b.idle, up)
	} else {
		l.upClose(up)
	}
}

// resumeClient goes on with a client whose exchange has ended: close it if
// it asked so, or read its next request.
func (l *loop) resumeClient(c *conn) {
	if c == nil || c.phase == phaseClosed {
		return
	}
	c.elapseAt = l.now + l.rt.elapse
	if !c.keepAlive() {
		if c.bodyComing() || len(c.in) > 0 {
			c.closeWhen(afterLinger) // the client is still sending: see process
		} else {
			c.closeWhen(afterDrain)
		}
		if !c.blocked() {
			l.finish(c)
		}
		return
	}
	l.arm(c)
	if !c.blocked() && (len(c.in) > 0 || c.readMore) {
		l.read(c)
	}
}

// proxyError answers the client itself when the backend could not: 502,
// 503 or 504, framed as the client's request needs. The caller ends the
// exchange.
func (l *loop) proxyError(c *conn, up *upConn, code int) {
	if c == nil || c.phase == phaseClosed {
		return
	}
	if up.h2.s != nil {
		l.h2Error(up, code)
		up.status, up.state = code, upBody
		if up.st != nil && code != 503 && code != 413 {
			l.m.UpstreamFailure(up.st.m0 + up.b)
		}
		return
	}
	l.wbuf, up.sent = l.appendPage(l.wbuf, code, "", "", nil, c.keepAlive(), up.minor, up.method)
	up.status, up.state = code, upBody
	if up.st != nil && code != 503 { // 503: no backend was there to fail
		l.m.UpstreamFailure(up.st.m0 + up.b)
	}
	l.flush(c)
}

// timeoutProxy handles a client deadline while its request is with a
// backend: a connect that takes too long moves to the next backend; an
// answer that does not come is a 504.
func (l *loop) timeoutProxy(c *conn) {
	up := c.proxy
	if up.state == upConnecting {
		l.retry(up, true)
		return
	}
	if up.state < upBody {
		c.closeWhen(afterAnswer)
		l.proxyError(c, up, 504)
		l.endExchange(up, false)
		return
	}
	l.cutOff(up)
}

// logProxy writes the access-log line of a forwarded request, with the
// backend's address and status.
func (l *loop) logProxy(up *upConn) {
	l.countProxy(up)
	s := up.site
	if s == nil || s.log == nil {
		return
	}
	f := l.rt.site.AccessLogFormat
	b := &l.access[s.id]
	w := append(b.B, up.logLine[:up.logCut]...)
	w = appendLogStatus(w, f, up.status)
	w = strconv.AppendInt(w, up.sent, 10)
	w = append(w, up.logLine[up.logCut:]...)
	b.B = appendLogEnd(w, f, l.now-up.logAt, up.st.backends[up.b].addr)
	b.Line()
}
