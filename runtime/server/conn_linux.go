package server

import (
	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// conn is one client connection. Idle, it holds no buffer at all: input
// lives in the loop's read buffer while it is parsed, and only bytes that
// could not be handled yet (a partial request, or requests queued behind a
// blocked response) are copied into in; likewise only unsent output is
// copied into out.
type conn struct {
	fd      int32
	gen     uint32
	ip      ipAddr
	scanned int32 // bytes of a partial request head already searched for its end
	logCut  int32 // where logLine's size goes (accesslog.go)

	phase phase // what the connection is doing (lifecycle.go)
	after after // what it does once its answers are out

	// Hints, independent of the phase.
	served   bool // at least one request was answered
	reading  bool // inside read: a nested call must not reuse the read buffer
	hup      bool // the peer has shut down its side: read to the end
	readMore bool // the socket may hold unread input (reading stopped early)
	goneAway bool // HTTP/2 ended with GOAWAY: lingering until the client closes, a stop waits for it

	ln  *Listen
	tls *tlsConn // the record layer of a TLS connection (tlsloop_linux.go), or nil
	h2  *h2conn  // the HTTP/2 protocol (h2_linux.go), or nil for HTTP/1.x

	// The access-log line of an answer whose body is still being sent, up
	// to its size, for logSent; logBody is the size of the whole body.
	logLine []byte
	logSite *Website
	logBody int64

	in       []byte
	out      []byte       // unsent bytes, owned
	outRef   []byte       // unsent tail of an immutable shared body, sent after out
	file     *static.File // being sent with sendfile, or nil
	fileOff  int64
	fileEnd  int64
	bodyLeft int64          // request body bytes still to discard
	chunked  *http1.Chunked // chunked request body being discarded or forwarded
	proxy    *upConn        // the backend answering the current request
	idleAt   int64
	elapseAt int64
	armed    int64
}

// deadline is when c times out: idle for timeout, or a request (from its
// first byte until its answer is ready) past elapse. A keep-alive
// connection waiting for its next request is bounded by timeout alone, as
// nginx's keepalive_timeout; elapse starts again with the next request's
// first byte (readLoop).
func (c *conn) deadline() int64 {
	if c.h2 != nil && len(c.h2.ups) > 0 {
		return c.h2.deadline() // its streams' (proxy_h2_linux.go)
	}
	if c.elapseAt != 0 && c.elapseAt < c.idleAt && !c.idle() {
		return c.elapseAt
	}
	return c.idleAt
}

// blocked: output is waiting for the socket to become writable.
func (c *conn) blocked() bool {
	return len(c.out) > 0 || len(c.outRef) > 0 || c.file != nil || c.tlsPending()
}

// idle: between requests with nothing buffered either way and no backend
// answering for it, or lingering after an answer with no body arriving.
func (c *conn) idle() bool {
	if c.blocked() || len(c.in) > 0 {
		return false
	}
	switch c.phase {
	case phaseHead:
		return true
	case phaseLinger:
		return c.bodyLeft == 0 && c.chunked == nil
	}
	return false
}

// ms

// timeout handles c's deadline: a backend that does not connect or answer
// in time (proxy_exchange_linux.go); otherwise the connection ends.
func (l *loop) timeout(c *conn) {
	if c.h2 != nil {
		l.h2Timeout(c)
		return
	}
	switch c.phase {
	case phaseForward, phaseBackend:
		l.timeoutProxy(c)
	default: // idle, a head or body too slow, a silent tunnel, a linger over
		l.close(c)
	}
}

// waiting: the connection must not be read now, because its output is
// pending, or its request is with a backend (only the body is read then,
// as fast as the backend takes it).
func (c *conn) waiting() bool {
	if c.blocked() {
		return true
	}
	switch c.phase {
	case phaseBackend:
		return true
	case phaseForward:
		return len(c.proxy.out) >= maxUpOut
	}
	return false
}

func (l *loop) event(c *conn, ev uint32) {
	if c.tls != nil && ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP|unix.EPOLLERR) != 0 {
		c.tls.io.drained = false // the socket has something again
		if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
			c.tls.io.shut = true
		}
	}
	if c.h2 != nil {
		l.h2Event(c, ev)
		return
	}
	if c.phase == phaseTunnel {
		l.tunnelEvent(c, ev)
		return
	}
	if ev&unix.EPOLLERR != 0 {
		l.close(c)
		return
	}
	if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		c.hup = true
	}
	readable := ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0
	if ev&unix.EPOLLOUT != 0 && c.blocked() {
		if !l.drain(c) {
			if readable {
				c.readMore = true // edge-triggered: this input is not reported again
			}
			return
		}
		if l.settle(c) {
			return
		}
		if up := c.proxy; up != nil && up.readMore {
			if readable {
				c.readMore = true
			}
			l.upRead(up)
			return
		}
		if len(c.in) > 0 || c.readMore || readable {
			l.read(c)
		}
		return
	}
	if readable {
		l.read(c)
	}
}

// read reads what the socket holds and answers every complete request in
// it, in order, with one write for the whole batch. Reads go to the loop's
// shared buffer, except while a partial request waits in c.in: then they
// append to it, so a head arriving in drips costs O(n), not O(n²).
// Requests already read but queued behind an answer are answered before
// anything more is read, so what waits in c.in never outgrows one read.
func (l *loop) read(c *conn) {
	switch c.phase {
	case phaseLinger:
		l.lingerRead(c)
		return
	case phaseTunnel, phaseClosed:
		return // a tunnel reads in tunnelPump
	}
	if c.h2 != nil {
		c.readMore = true
		l.h2Run(c)
		return
	}
	if c.reading {
		// Called back from inside this connection's own processing (a
		// backend took the body and asks for more): the outer call is
		// still using the read buffer; it reads on when it returns.
		c.readMore = true
		return
	}
	c.reading = true
	l.readLoop(c)
	c.reading = false
	if c.h2 != nil {
		l.h2Run(c) // the preface of an h2c listen made it HTTP/2
	}
}

// readLoop is read's body: it runs with c.reading set.
func (l *loop) readLoop(c *conn) {
	for c.phase != phaseClosed && c.h2 == nil {
		if c.waiting() {
			c.readMore = true
			return
		}
		c.readMore = false
		if len(c.in) > 0 && c.scanned == 0 {
			data, before := c.in, len(c.in)
			c.in = c.in[:0]
			if l.handle(c, data) { // a leftover is moved within c.in itself
				return
			}
			if len(c.in) < before {
				continue
			}
		}
		buf, n0 := l.rbuf, 0
		if !c.bodyComing() {
			buf = buf[:headRead] // heads are small; a body is read in big pieces
		}
		if len(c.in) > 0 {
			if cap(c.in)-len(c.in) < 2048 {
				grown := make([]byte, len(c.in), max(2*cap(c.in), len(c.in)+4096))
				copy(grown, c.in)
				c.in = grown
			}
			buf, n0 = c.in[:cap(c.in)], len(c.in)
			c.in = c.in[:0]
		}
		n, err := l.recv(c, buf[n0:])
		if n < 0 {
			n = 0
		}
		switch {
		case n > 0:
			c.idleAt = l.now + l.rt.timeout
			if n0 == 0 && c.idle() {
				// The first bytes of a request: its elapse starts now.
				c.elapseAt = l.now + l.rt.elapse
			}
			if l.handle(c, buf[:n0+n]) {
				return
			}
			if len(c.in) > 0 && c.scanned == 0 {
				continue // requests queued behind an answer that is out now
			}
			if n0+n < len(buf) && !c.hup {
				// A short read drained the socket: edge-triggered epoll
				// reports the next arrival (but not an end of stream that
				// came with this edge: hup says to read on to it).
				if !c.blocked() && (len(c.in) == 0 || c.armed != 0) {
					// Idle, or a head still coming in (its elapse may
					// be due before the entry armed while it was idle);
					// a new connection is armed by open if it stays.
					l.arm(c)
				}
				return
			}
		case err == unix.EAGAIN:
			if n0 > 0 {
				if l.handle(c, buf[:n0]) {
					return
				}
				if len(c.in) > 0 && c.scanned == 0 && len(c.in) < n0 {
					continue
				}
			}
			l.arm(c)
			return
		case err == unix.EINTR:
			c.in = buf[:n0]
		default: // EOF or error
			if n0 > 0 && err == nil {
				if l.handle(c, buf[:n0]) {
					return
				}
			}
			if err == nil && c.phase != phaseClosed && (c.blocked() || c.phase == phaseBackend) {
				// Half-closed after a whole request: finish the answer first.
				if c.withBackend() {
					c.closeWhen(afterAnswer)
				} else {
					c.closeWhen(afterDrain)
				}
				return
			}
			l.close(c)
			return
		}
	}
}

// handle answers the requests in data, writes the answers and settles c;
// it reports whether c is done with (closed, or lingering).
func (l *loop) handle(c *conn, data []byte) bool {
	l.process(c, data)
	l.flush(c)
	return l.settle(c)
}

// settle ends a connection whose last answer is out and that was to
// close; it reports whether c is gone (or lingering).
func (l *loop) settle(c *conn) bool {
	if c.phase == phaseLinger || c.phase == phaseClosed {
		return true
	}
	if c.after >= afterDrain && !c.blocked() && !c.withBackend() {
		l.finish(c)
		return true
	}
	return false
}

// finish closes c. After an error answer the client may still be sending
// (the body of a refused request): closing with unread input would reset
// the connection and could destroy the answer before the client reads it,
// so the write side is shut and input is drained for a while first, as
// nginx's lingering close does.
func (l *loop) finish(c *conn) {
	if c.after != afterLinger {
		l.close(c)
		return
	}
	if c.phase == phaseLinger {
		return
	}
	tlsCloseNotify(c)
	unix.Shutdown(int(c.fd), unix.SHUT_WR)
	c.to(phaseLinger)
	c.idleAt, c.elapseAt = l.now+l.rt.tune.linger, 0
	c.in = nil
	l.arm(c)
	l.lingerRead(c)
}

// lingerRead drops what a lingering connection receives until the client
// closes (or the linger time passes, by the timer).
func (l *loop) lingerRead(c *conn) {
	for c.phase != phaseClosed {
		n, err := sysRead(int(c.fd), l.rbuf)
		switch {
		case n > 0:
			continue
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		default:
			l.close(c)
			return
		}
	}
}

// flush writes the batch in the loop's write buffer; what the socket does
// not take is copied to the connection.
func (l *loop) flush(c *conn) { l.flushOwn(c, false) }

// flushOwn is flush; own says the write buffer's bytes are the loop's own,
// not a handler's (sendHead): a TLS 1.3 record layer may seal them where
// they are (tlsSeal.sealFrom).
func (l *loop) flushOwn(c *conn, own bool) {
	if len(l.wbuf) == 0 {
		return
	}
	if c.phase == phaseClosed {
		l.wbuf = l.wbuf[:0]
		return
	}
	if len(c.out) > 0 {
		c.out = append(c.out, l.wbuf...)
	} else {
		var n int
		var err error
		if own && c.tls != nil {
			n, err = l.tlsWriteFrom(c, l.wbuf, true)
		} else {
			n, err = l.write(c, l.wbuf)
		}
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			l.wbuf = l.wbuf[:0]
			l.close(c)
			return
		}
		if n < 0 {
			n = 0
		}
		if n < len(l.wbuf) {
			c.out = append(c.out[:0:0], l.wbuf[n:]...)
		}
	}
	l.wbuf = l.wbuf[:0]
	if len(l.wbuf) > 1<<20 {
		l.wbuf = make([]byte, 0, 64<<10) // a huge batch: do not keep its buffer
	}
	c.idleAt = l.now + l.rt.timeout
	if c.blocked() {
		// A response that outlasts the socket buffer is bounded by the idle
		// timeout between writes (as nginx's send_timeout), not by elapse.
		c.elapseAt = 0
		l.drain(c)
	}
}

// drain sends pending output: owned bytes, then a shared body, then a file.
// It reports whether everything was sent.
func (l *loop) drain(c *conn) bool {
	if !l.send(c, &c.out) || !l.send(c, &c.outRef) {
		return false
	}
	for c.file != nil {
		if c.fileOff >= c.fileEnd {
			c.file.Release()
			c.file = nil
			break
		}
		var n int
		var err error
		if c.tls != nil {
			n, err = l.tlsSendFile(c)
		} else {
			off := c.fileOff
			n, err = sysSendfile(int(c.fd), c.file.FD, &off, int(min(c.fileEnd-c.fileOff, 1<<30)))
		}
		if n > 0 {
			c.fileOff += int64(n)
			c.idleAt = l.now + l.rt.timeout
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			return false
		}
		l.close(c) // an error, or the file shrank under us
		return false
	}
	if c.tls != nil {
		// The last piece's ciphertext may still be waiting.
		if ok, err := tlsFlush(c.tls.io); !ok {
			if err != unix.EAGAIN {
				l.close(c)
			}
			return false
		}
	}
	l.logSent(c)
	if c.elapseAt == 0 {
		c.elapseAt = l.now + l.rt.elapse
	}
	l.arm(c)
	return true
}

// write writes p to c: with MSG_MORE when a file answer follows (see
// sysWriteMore), so the head leaves with the file's first bytes instead
// of as a small segment of its own, as with nginx's tcp_nopush.
func (l *loop) write(c *conn, p []byte) (int, error) {
	if c.tls != nil {
		return l.tlsWrite(c, p)
	}
	if c.file != nil {
		return sysWriteMore(int(c.fd), p)
	}
	return sysWrite(int(c.fd), p)
}

// send writes as much of *p as the socket takes, advancing *p; it reports
// whether all of it went. An error other than EAGAIN closes c.
func (l *loop) send(c *conn, p *[]byte) bool {
	for len(*p) > 0 {
		n, err := l.write(c, *p)
		if n > 0 {
			*p = (*p)[n:]
			c.idleAt = l.now + l.rt.timeout
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err != unix.EAGAIN {
			l.close(c)
		}
		return false
	}
	*p = nil
	return true
}
