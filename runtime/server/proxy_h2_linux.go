package server

import (
	"strconv"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/http2"
)

// Forwarding an HTTP/2 stream to an HTTP/1.1 backend (or a compiled-in
// app, which is one). The exchange (proxy_exchange_linux.go) is the
// HTTP/1.x one; what differs is its client side, which is a stream, not a
// connection:
//
//   - The answer goes into the stream: its head re-encoded with HPACK
//     (Stream.RespondHTTP1 drops the connection-specific fields, RFC 9113
//     §8.2.2), its body, de-chunked, written into the stream. The backend
//     is read only while the stream has nothing buffered: the engine sends
//     it as the windows and the socket allow, then calls Writable, which
//     reads the backend again. A client that does not read holds one read
//     buffer per stream, never the whole body.
//   - The request body arrives as DATA (Handler.Body) and is consumed, and
//     its window given back, only as the backend's socket takes it: at most
//     h2UpOut bytes wait for the backend. Without a content-length it goes
//     on chunked; past max_body_size it is answered 413 (or the stream
//     reset once the answer started). The engine checks content-length
//     against the DATA received.
//   - Deadlines are the stream's: connecting (forward_connect), waiting
//     for the answer's head (timeout, and elapse from the request), and,
//     once the body flows, timeout between two steps of progress. The
//     connection's idle timeout applies when no stream is with a backend.
//     A late head is answered 504; a stalled body ends with RST_STREAM.
//   - A stream that ends early (the client's RST_STREAM, a connection
//     error, the connection closing) abandons its exchange: the backend
//     connection is closed, never pooled half-read.
//
// Upgrades are HTTP/1.1's (there is no extended CONNECT, RFC 8441, here):
// the engine refuses a request with an Upgrade field as malformed.

// h2UpOut bounds the request body bytes read from a stream and waiting for
// its backend: the stream's window reopens only as the backend takes them.
const h2UpOut = 64 << 10

// h2stream is the HTTP/2 side of an exchange; s is nil for HTTP/1.x.
type h2stream struct {
	h        *h2conn
	s        *http2.Stream
	idleAt   int64 // no progress until then: timeout
	elapseAt int64 // the request's elapse, until its answer's head
	chunked  bool  // the body goes to the backend chunked (no content-length)
	bodyEnd  bool  // the whole request body is in up.out
	bodySent int64
	pumping  bool // inside h2Pump
}

// forwardH2 is forward (proxy_linux.go) for a request on an HTTP/2 stream.
func (x *Ctx) forwardH2(u *Upstream, a *h2Answer) {
	l, c, req, s := x.l, x.c, x.Req, a.s
	st := &l.upstreams[u.id]
	up := l.connectAny(st, false)
	if up == nil {
		x.Error(503)
		return
	}
	a.forwarded = true
	addr := st.backends[up.b].addr
	if u.App != nil {
		addr = "localhost"
	}
	chunked := req.ContentLength < 0 && !s.BodyDone()
	req.Chunked = chunked // the framing proxyHead writes for the backend
	head := x.proxyHead(l.phead[:0], addr, false)
	req.Chunked = false
	l.phead = head
	up.client, up.site, up.method, up.minor = c, x.Site, req.Method, 1
	up.status, up.sent, up.gotAny, up.readMore, up.dechunk = 0, 0, false, false, false
	up.bodiless = !chunked && req.ContentLength <= 0
	up.upgrade = false
	up.replay = up.bodiless && req.Method.Idempotent()
	up.out = append(up.out[:0], head...)
	up.head = up.head[:0]
	if up.bodiless && (up.viaTLS && !up.reused || up.reused && up.replay) {
		up.head = append(up.head, head...)
	}
	up.logLine, up.logCut, up.logAt = x.appendProxyLog(up.logLine[:0])
	up.h2 = h2stream{h: c.h2, s: s, elapseAt: c.elapseAt, chunked: chunked, bodyEnd: up.bodiless}
	st.backends[up.b].active++
	l.m.UpstreamRequest(st.m0 + up.b)
	s.User = up
	c.h2.ups = append(c.h2.ups, up)
	l.h2Wait(up)
}

// h2Wait sets a stream's deadline for its backend, connect or answer, and
// starts sending once connected.
func (l *loop) h2Wait(up *upConn) {
	if up.state == upConnecting {
		up.h2.idleAt = l.now + min(l.rt.tune.connect, l.rt.timeout)
	} else {
		up.h2.idleAt = l.now + l.rt.timeout
	}
	l.arm(up.client)
	if up.state >= upHead {
		l.upWrite(up)
	}
	if up.h2.s != nil && !up.h2.bodyEnd {
		l.h2Pump(up)
	}
}

// h2Event is upEvent for an exchange of an HTTP/2 stream: the engine's
// output (the answer, window updates) goes out after it.
func (l *loop) h2UpEvent(up *upConn, ev uint32) {
	c := up.client
	l.upStep(up, ev)
	if c != nil && c.h2 != nil {
		l.h2Run(c)
	}
}

// deadline is when the exchange times out.
func (hs *h2stream) deadline(state uint8) int64 {
	if state < upBody {
		return min(hs.idleAt, hs.elapseAt)
	}
	return hs.idleAt
}

// deadline is the earliest deadline of the connection's exchanges.
func (h *h2conn) deadline() int64 {
	d := int64(-1)
	for _, up := range h.ups {
		if t := up.h2.deadline(up.state); d < 0 || t < d {
			d = t
		}
	}
	return d
}

// h2Timeout is timeout for an HTTP/2 connection: the exchanges past their
// deadline are ended; with none in flight, the connection was idle.
func (l *loop) h2Timeout(c *conn) {
	h := c.h2
	if len(h.ups) == 0 {
		l.close(c)
		return
	}
	for c.phase != phaseClosed {
		var late *upConn
		for _, up := range h.ups {
			if up.h2.deadline(up.state) <= l.now {
				late = up
				break
			}
		}
		if late == nil {
			break
		}
		switch {
		case late.state == upConnecting:
			l.retry(late, true)
		case late.state < upBody:
			l.proxyError(c, late, 504)
			l.endExchange(late, false)
		default:
			l.cutOff(late)
		}
	}
	l.h2Run(c)
	if c.phase != phaseClosed {
		l.arm(c)
	}
}

// h2Pump moves request body bytes from the stream to the backend's
// output while the backend keeps up; the stream's window reopens as they
// are taken.
func (l *loop) h2Pump(up *upConn) {
	if up.h2.pumping {
		return
	}
	up.h2.pumping = true
	lim := l.rt.limits.MaxBody
	for s := up.h2.s; up.h2.s == s && s != nil && !up.h2.bodyEnd && len(up.out) < h2UpOut; {
		b := s.Body()
		if len(b) == 0 && !s.BodyDone() {
			break
		}
		b = b[:min(len(b), h2UpOut-len(up.out))]
		if lim > 0 && up.h2.bodySent+int64(len(b)) > lim {
			up.h2.pumping = false
			l.h2TooLarge(up)
			return
		}
		if up.h2.chunked {
			up.out = http1.AppendChunk(up.out, b)
		} else {
			up.out = append(up.out, b...)
		}
		if len(b) > 0 {
			up.h2.bodySent += int64(len(b))
			up.replay = false
			s.Consume(len(b))
		}
		if s.BodyDone() && len(s.Body()) == 0 {
			if up.h2.chunked {
				up.out = append(up.out, http1.LastChunk...)
			}
			up.h2.bodyEnd = true
		}
		if up.state < upHead {
			break // sent once connected
		}
		l.upWrite(up)
	}
	up.h2.pumping = false
}

// h2TooLarge ends an exchange whose request body went past max_body_size:
// 413 if the answer has not started, else the stream is reset.
func (l *loop) h2TooLarge(up *upConn) {
	if up.state < upBody {
		l.proxyError(up.client, up, 413)
		l.endExchange(up, false)
		return
	}
	l.cutOff(up)
}

// h2SendHead is sendHead for a stream: the backend's status and fields
// less the hop-by-hop ones, and the length when known.
func (l *loop) h2SendHead(up *upConn, r *http1.Response) {
	w := l.appendUpstreamHead(l.h2.head[:0], r, false)
	if up.mode == bodyLength || r.ContentLength >= 0 && r.Status >= 200 && r.Status != 204 && r.Status != 304 {
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, r.ContentLength, 10)
		w = append(w, "\r\n"...)
	}
	w = append(w, "\r\n"...)
	l.h2.head = w
	up.state = upBody
	if _, err := up.h2.s.RespondHTTP1(w, up.mode == bodyNone); err != nil {
		l.rt.logErrorOnce("HTTP/2 forwarded answer: "+err.Error()+" (first seen from %s)", up.st.backends[up.b].addr)
		l.cutOff(up)
	}
}

// h2Body gives answer body bytes to the stream, which sends them as the
// windows allow (Writable then reads the backend on). The first piece of
// a read goes straight in; the pieces after it (a chunked answer's) are
// collected and given at once by h2BodyFlush, so that the stream does not
// copy what it holds once per piece.
func (l *loop) h2Body(up *upConn, b []byte) {
	if len(l.h2.body) == 0 && up.h2.s.Buffered() == 0 {
		up.h2.s.Write(b)
		return
	}
	l.h2.body = append(l.h2.body, b...)
}

// h2BodyFlush gives the stream the pieces h2Body collected.
func (l *loop) h2BodyFlush(up *upConn) {
	if len(l.h2.body) > 0 {
		up.h2.s.Write(l.h2.body)
		l.h2.body = l.h2.body[:0]
	}
}

// h2Error is proxyError for a stream: an error page answers it.
func (l *loop) h2Error(up *upConn, code int) {
	w, n := l.appendPage(l.h2.head[:0], code, "", "", nil, true, 1, up.method)
	l.h2.head = w
	s := up.h2.s
	k, err := s.RespondHTTP1(w, len(w) == headEnd(w))
	if err != nil {
		s.Reset(http2.ErrCodeInternal)
		return
	}
	if k < len(w) {
		s.Write(w[k:])
		s.End()
	}
	up.sent = n
}

// h2EndExchange is endExchange for a stream: complete, its answer ends;
// otherwise the stream is reset. A request body the backend did not take
// is read off (or refused by the engine).
func (l *loop) h2EndExchange(up *upConn, reusable, complete bool) {
	c, s := up.client, up.h2.s
	if complete {
		l.h2BodyFlush(up)
	}
	l.h2.body = l.h2.body[:0]
	up.st.backends[up.b].active--
	if !up.h2.bodyEnd || len(up.out) > 0 {
		reusable = false // the backend has not had the whole request
	}
	l.h2Unbind(up)
	if up.status != 0 {
		l.logProxy(up)
	}
	if complete {
		s.End()
		s.DiscardBody()
	} else {
		s.Reset(http2.ErrCodeInternal)
	}
	l.poolOrClose(up, reusable)
	if c.phase != phaseClosed {
		l.arm(c)
	}
}

// h2Unbind detaches an exchange from its stream and connection.
func (l *loop) h2Unbind(up *upConn) {
	h := up.h2.h
	for i, u := range h.ups {
		if u == up {
			h.ups = append(h.ups[:i], h.ups[i+1:]...)
			break
		}
	}
	up.h2.s.User = nil
	up.h2 = h2stream{}
	up.client, up.head = nil, up.head[:0]
}

// h2Rebind moves a stream's exchange to another backend connection (retry).
func (l *loop) h2Rebind(from, to *upConn) {
	to.h2 = from.h2
	to.h2.s.User = to
	for i, u := range to.h2.h.ups {
		if u == from {
			to.h2.h.ups[i] = to
		}
	}
	from.h2 = h2stream{}
}

// The engine's callbacks for a stream whose request went to a backend
// (s.User is its exchange).

// Body: more request body arrived.
func (h *h2conn) Body(s *http2.Stream) {
	if up, ok := s.User.(*upConn); ok {
		h.l.h2Pump(up)
	}
}

// Writable: what the backend sent has gone out: read it again.
func (h *h2conn) Writable(s *http2.Stream) {
	if up, ok := s.User.(*upConn); ok {
		up.h2.idleAt = h.l.now + h.l.rt.timeout
		if up.readMore {
			h.l.upRead(up)
		}
	}
}

// Closed: the stream ended before its exchange did (reset by the client,
// a stream or connection error, the connection closing): the backend
// connection cannot be reused.
func (h *h2conn) Closed(s *http2.Stream) {
	up, ok := s.User.(*upConn)
	if !ok {
		return
	}
	up.st.backends[up.b].active--
	l := h.l
	l.h2Unbind(up)
	l.upClose(up)
}
