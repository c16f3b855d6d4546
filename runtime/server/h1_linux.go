package server

import (
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
	"golang.org/x/sys/unix"
)

// HTTP/1.x, the protocol a transport (conn_linux.go) drives: request
// framing, pipelining, keep-alive, a body read off or passed to a backend.

// process answers the complete requests at the start of data and keeps
// what is left (a partial request, or requests queued behind a blocked
// response) in c.in.
func (l *loop) process(c *conn, data []byte) {
	if c.ln.H2C && !c.served && l.h2Preface(c, data) {
		return // HTTP/2 with prior knowledge (h2_linux.go)
	}
	lim := &l.rt.limits
requests:
	for len(data) > 0 && c.after < afterDrain {
		switch c.phase {
		case phaseForward:
			rest, ok := l.forwardBody(c, data)
			data = rest
			if !ok {
				break requests
			}
			continue
		case phaseDiscard:
			data = l.discardBody(c, data)
			continue
		}
		if c.phase != phaseHead || c.blocked() {
			break
		}
		// A head arriving in drips is parsed once, when it is complete (or
		// over the limit), not again on every read: O(n), not O(n²).
		if c.scanned > 0 && http1.HeadEnd(data, int(c.scanned)) < 0 && len(data) <= l.rt.headCap {
			c.scanned = int32(len(data))
			break
		}
		n, err := l.req.Parse(data, lim)
		if err == http1.ErrNeedMore {
			c.scanned = int32(len(data))
			break
		}
		c.scanned = 0
		if err != nil {
			c.closeWhen(afterAnswer)
			l.ctx.reset(c)
			status := 400
			if e, ok := err.(*http1.Error); ok {
				status = e.Status
			}
			l.ctx.badRequest(status)
			c.closeWhen(afterLinger) // the stream cannot be trusted past this
			data = nil
			break
		}
		data = data[n:]
		c.elapseAt = l.now + l.rt.elapse
		// A body is read off unless the handler takes it (Forward).
		if l.req.Chunked {
			c.chunked = &http1.Chunked{MaxBody: l.rt.limits.MaxBody}
			c.to(phaseDiscard)
		} else if l.req.ContentLength > 0 {
			c.bodyLeft = l.req.ContentLength
			c.to(phaseDiscard)
		}
		c.served = true
		if !l.req.KeepAlive || l.stopping.Load() {
			c.closeWhen(afterAnswer) // said in this answer's head
		}
		l.ctx.reset(c)
		l.ctx.serve()
		if !c.keepAlive() && !c.withBackend() {
			// A forwarded request closes when its answer ends.
			if c.chunked != nil || int64(len(data)) != c.bodyLeft {
				// The client is still sending: the rest of the body, or
				// requests behind it. Closing with input unread would reset
				// the connection and could destroy the answer before it is
				// read (RFC 9112 §9.6): linger, as after an error answer.
				c.closeWhen(afterLinger)
			} else {
				c.closeWhen(afterDrain)
			}
		}
		if len(l.wbuf) >= maxBatchOut {
			// Enough answers for one write: the rest waits, as read input,
			// until these are out. Tiny pipelined requests for a larger
			// page would otherwise multiply one read into megabytes of
			// output held for a client that need not read it.
			break
		}
	}
	if len(data) > 0 && c.after < afterDrain {
		c.in = append(c.in[:0], data...) // may move data within c.in itself
	} else if cap(c.in) > 4096 {
		c.in = nil // do not keep a grown buffer on an idle connection
	}
}

func (l *loop) discardBody(c *conn, data []byte) []byte {
	if c.chunked != nil {
		n, _, done, err := c.chunked.Decode(data)
		if err != nil {
			// The request was answered already; the stream cannot be
			// trusted past its bad framing, and the client may be sending.
			c.closeWhen(afterLinger)
			return nil
		}
		if done {
			c.chunked = nil
			c.to(phaseHead)
		}
		return data[n:]
	}
	n := int64(len(data))
	if n > c.bodyLeft {
		n = c.bodyLeft
	}
	c.bodyLeft -= n
	if c.bodyLeft == 0 {
		c.to(phaseHead)
	}
	return data[n:]
}

// forwardBody moves request body bytes to the backend's output; it reports
// false when the backend is not keeping up (or the body is bad), and the
// rest of data then waits in c.in.
func (l *loop) forwardBody(c *conn, data []byte) ([]byte, bool) {
	up := c.proxy
	if len(up.out) >= maxUpOut {
		return data, false
	}
	if c.chunked != nil {
		// The body goes on re-chunked, in canonical framing of our own:
		// "<hex>\r\n<data>\r\n" per piece and "0\r\n\r\n", without the
		// client's extensions and trailers, so the backend never has to
		// read the client's framing the way we did.
		consumed, piece, done, err := c.chunked.Decode(data)
		if err != nil {
			// The client's body is bad (or too large): its fault, not the
			// backend's. Answer 400 or 413 if nothing was answered yet.
			status := 400
			if e, ok := err.(*http1.Error); ok {
				status = e.Status
			}
			c.closeWhen(afterLinger)
			if up.state < upBody {
				l.proxyError(c, up, status)
			}
			l.endExchange(up, false)
			if c.phase != phaseClosed && !c.blocked() {
				l.finish(c)
			}
			return nil, false
		}
		up.out = http1.AppendChunk(up.out, piece)
		if done {
			c.chunked = nil
			up.out = append(up.out, http1.LastChunk...)
			c.to(phaseBackend)
		}
		data = data[consumed:]
	} else {
		n := int(min(int64(len(data)), c.bodyLeft))
		c.bodyLeft -= int64(n)
		up.out = append(up.out, data[:n]...)
		data = data[n:]
		if c.bodyLeft == 0 {
			c.to(phaseBackend)
		}
	}
	up.replay = false
	if up.state >= upHead {
		l.upWrite(up)
	}
	return data, true
}

// appendConnection ends a header block with the Connection field the
// keep-alive decision needs: close, keep-alive for HTTP/1.0, nothing for a
// kept HTTP/1.1 connection.
func appendConnection(w []byte, keep bool, minor uint8) []byte {
	switch {
	case !keep:
		w = append(w, "Connection: close\r\n"...)
	case minor == 0:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	return append(w, "\r\n"...)
}

// h1Answer is HTTP/1.x's answerStream (answer.go): the answers to the
// requests of one read go into the loop's batch buffer, written to the
// connection at once (flush); a large body is written from where it is,
// and a file with sendfile.
type h1Answer struct {
	l *loop
	c *conn // the connection of the request being answered
}

func (a *h1Answer) headBuf() []byte   { return a.l.wbuf }
func (a *h1Answer) sendHead(w []byte) { a.l.wbuf = w }
func (a *h1Answer) keepAlive() bool   { return a.c.keepAlive() }

// sendShared joins a small body to the batch; a large one is written
// after it, from where it is, and what the socket does not take stays
// referenced.
func (a *h1Answer) sendShared(body []byte) {
	l, c := a.l, a.c
	if len(body) <= bodyInline {
		l.wbuf = append(l.wbuf, body...)
		return
	}
	n, err := l.writev2(c, l.wbuf, body)
	if err != nil && err != unix.EAGAIN && err != unix.EINTR {
		c.closeWhen(afterDrain)
		l.wbuf = l.wbuf[:0]
		return
	}
	n = max(n, 0)
	if n < len(l.wbuf) {
		c.out = append([]byte(nil), l.wbuf[n:]...)
		c.outRef = body
	} else if rest := body[n-len(l.wbuf):]; len(rest) > 0 {
		c.outRef = rest
	}
	l.wbuf = l.wbuf[:0]
	if c.blocked() {
		c.elapseAt = 0
	}
}

// sendFile leaves the file to drain, after the batch: the head is written
// with MSG_MORE (loop.write), since sent as a small segment of its own it
// halved the throughput of 1 MiB downloads.
func (a *h1Answer) sendFile(f *static.File, start, end int64) {
	f.Hold()
	a.c.file, a.c.fileOff, a.c.fileEnd = f, start, end
}
