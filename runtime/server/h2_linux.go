package server

import (
	"bytes"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http2"
)

// HTTP/2, the second protocol a transport (conn_linux.go) drives: a
// connection whose TLS handshake chose "h2" by ALPN, or whose first bytes
// on an h2c listen are the connection preface, hands its plaintext to a
// runtime/http2 engine and writes what the engine pulls. Requests are
// answered by the same Ctx and generated handlers as HTTP/1.x
// (h2_answer_linux.go); the engine multiplexes the answers within the
// flow-control windows. The transport keeps what it does for HTTP/1.x: the
// record layer, c.out for what the socket did not take, the idle timer, the
// session count and close.

// h2conn is the HTTP/2 side of a connection; it is the engine's Handler.
type h2conn struct {
	l        *loop
	c        *conn
	e        *http2.Conn
	stopping bool      // the loop stops: GOAWAY sent, streams in flight finish
	stopAt   int64     // when stopping began (loop clock, ms)
	ups      []*upConn // the exchanges of streams forwarded to backends (proxy_h2_linux.go)
}

// h2loop is what a loop keeps for its HTTP/2 connections.
type h2loop struct {
	cfg  *http2.Config
	ans  h2Answer // the answer of the stream ctx is serving
	head []byte   // a forwarded answer's head, re-encoded for its stream
	body []byte   // the pieces of one read of a chunked answer, given to its stream at once
}

// h2Pull bounds what one Pull produces: a few frames of each stream
// per write, and no more output per connection than the socket may take.
// It matches tlsPiece, so that one Pull is one write.
const h2Pull = tlsPiece

// h2Config is the engine's configuration for this site: the header limits
// are the HTTP/1.x ones (max_headers_count, max_headers_length).
func (l *loop) h2Config() *http2.Config {
	if l.h2.cfg == nil {
		lim := &l.rt.site.Limits
		cfg := &http2.Config{MaxHeaders: lim.MaxHeaders}
		if lim.MaxHeadBytes > 0 {
			cfg.MaxHeaderListSize = uint32(min(lim.MaxHeadBytes, 1<<20))
		}
		l.h2.cfg = cfg
	}
	return l.h2.cfg
}

// startH2 makes c an HTTP/2 connection; first is what was read of it
// already (the preface on an h2c listen), or nil.
func (l *loop) startH2(c *conn, first []byte) {
	h := &h2conn{l: l, c: c}
	h.e = http2.NewConn(l.h2Config(), h)
	c.h2 = h
	c.served = true
	c.elapseAt = 0 // streams are bounded by the idle timeout between reads and writes
	if len(first) > 0 {
		l.h2Feed(c, first)
	}
	if l.stopping.Load() {
		h.stop()
	}
}

// h2Event is event for an HTTP/2 connection.
func (l *loop) h2Event(c *conn, ev uint32) {
	if ev&unix.EPOLLERR != 0 {
		l.close(c)
		return
	}
	if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		c.hup = true
	}
	if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		c.readMore = true // edge-triggered: read until the socket is empty
	}
	l.h2Run(c)
}

// h2Run moves c on as far as it can: the engine's output goes out while
// the socket takes it, and input is read only when no output waits, so a
// client that does not read stops being read (and the engine bounds what
// it queues for it).
func (l *loop) h2Run(c *conn) {
	h := c.h2
	for c.phase != phaseClosed {
		if c.blocked() && !l.drain(c) {
			return // the socket is full: epoll reports when it drains
		}
		if c.phase == phaseClosed {
			return
		}
		if h.e.Pending() {
			l.wbuf = h.e.Pull(l.wbuf[:0], h2Pull)
			l.flushOwn(c, true) // Pull copies everything it writes there
			continue
		}
		if h.e.Done() {
			// GOAWAY is out and no stream is left. The client may still be
			// sending (requests above the GOAWAY's last stream, window
			// updates): closing with them unread would reset the connection,
			// and the client could lose the GOAWAY or fail a write instead of
			// retrying elsewhere. Shut the write side and read off what
			// comes until the client closes, as HTTP/1.x does after an
			// error answer (finish).
			c.h2Close()
			c.goneAway = true
			c.closeWhen(afterLinger)
			l.finish(c)
			return
		}
		if !c.readMore {
			l.arm(c)
			return
		}
		l.h2Read(c)
	}
}

// h2Read reads once and feeds the engine. The start of a frame that the
// read ended inside waits in c.in for the next one.
func (l *loop) h2Read(c *conn) {
	buf := l.rbuf
	n0 := copy(buf, c.in)
	n, err := l.recv(c, buf[n0:])
	switch {
	case n > 0:
		c.idleAt = l.now + l.rt.timeout
		// A short read emptied the socket (tlsRead reads until its buffer
		// is full or the socket empty): epoll reports the next arrival,
		// unless the peer's end came with this one (hup).
		c.readMore = n0+n == len(buf) || c.hup
		l.h2Feed(c, buf[:n0+n])
	case err == unix.EAGAIN:
		c.readMore = false
	case err == unix.EINTR:
	default: // the client closed, or failed
		l.close(c)
	}
}

// h2Feed gives data to the engine and keeps what it did not take.
func (l *loop) h2Feed(c *conn, data []byte) {
	used, err := c.h2.e.Feed(data)
	if c.phase == phaseClosed {
		return
	}
	c.in = append(c.in[:0], data[used:]...)
	if err != nil {
		// A connection error: the GOAWAY is queued; the engine is Done
		// once it is pulled, and h2Run closes.
		c.readMore = false
		l.rt.log.Debugf("HTTP/2 client %v: %v", c.ip, err)
	}
}

// stop starts a graceful close: GOAWAY, then, a round trip later (the
// engine's PING), the GOAWAY that names the last stream; the streams in
// flight finish. Called again (drainStep calls it every 100 ms while the
// loop stops) once h2FinalGoAway has passed, it sends the last GOAWAY
// without waiting for a client that does not answer the PING.
func (h *h2conn) stop() {
	switch {
	case !h.stopping:
		h.stopping, h.stopAt = true, h.l.now
		h.e.Shutdown()
	case h.l.now-h.stopAt >= h2FinalGoAway:
		h.e.Shutdown()
	}
}

// h2FinalGoAway bounds the wait for the PING that follows the first GOAWAY
// of a graceful close, in milliseconds.
const h2FinalGoAway = 1000

// h2Stop is drainStep for an HTTP/2 connection.
func (l *loop) h2Stop(c *conn) {
	c.h2.stop()
	l.h2Run(c)
}

// h2Close releases the engine of a connection that closes: the streams'
// file sources are released.
func (c *conn) h2Close() {
	if h := c.h2; h != nil {
		c.h2 = nil
		h.e.Close()
	}
}

// prefaceLine is the first line of the HTTP/2 connection preface.
const prefaceLine = "PRI * HTTP/2.0\r\n"

// h2Preface looks for the HTTP/2 connection preface at the start of an h2c
// listen's connection: it reports whether data was taken (HTTP/2 started,
// or a prefix of the preface waits in c.in for the rest).
func (l *loop) h2Preface(c *conn, data []byte) bool {
	switch http2.ParsePreface(data) {
	case nil:
		c.in = c.in[:0]
		l.startH2(c, data)
		return true
	case http2.ErrNeedMore:
		c.in = append(c.in[:0], data...)
		c.scanned = int32(len(c.in))
		return true
	}
	if len(data) >= len(prefaceLine) && string(data[:len(prefaceLine)]) == prefaceLine {
		// The preface's request line with something else behind it: no
		// HTTP/1.x request (HTTP/2.0 is no HTTP/1 version), a broken
		// HTTP/2 client. The engine answers GOAWAY and closes (RFC 9113
		// §3.4).
		c.in = c.in[:0]
		l.startH2(c, data)
		return true
	}
	if notHTTP1(data) {
		// A first line that is no HTTP/1.x request line either (its last
		// word is no HTTP version): on this listen, an invalid connection
		// preface, which RFC 9113 §3.4 makes a connection error, answered
		// with GOAWAY by the engine rather than with an HTTP/1 400.
		c.in = c.in[:0]
		l.startH2(c, data)
		return true
	}
	return false
}

// notHTTP1 reports whether data holds a whole first line whose last word
// does not start with "HTTP/": no HTTP/1.x request line (RFC 9112 §3).
func notHTTP1(data []byte) bool {
	data = bytes.TrimLeft(data, "\r\n") // empty lines before a request line are allowed (RFC 9112 §2.2)
	end := bytes.IndexByte(data, '\n')
	if end < 0 {
		return false // not a whole line yet: the HTTP/1 parser waits too
	}
	line := bytes.TrimRight(data[:end], "\r")
	word := line[bytes.LastIndexByte(line, ' ')+1:]
	return !bytes.HasPrefix(word, []byte("HTTP/"))
}
