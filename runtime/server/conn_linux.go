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
	ip      [4]byte
	scanned int32 // bytes of a partial request head already searched for its end
	logCut  int32 // where logLine's size goes (accesslog.go)

	phase phase // what the connection is doing (lifecycle.go)
	after after // what it does once its answers are out

	// Hints, independent of the phase.
	served   bool // at least one request was answered
	reading  bool // inside read: a nested call must not reuse the read buffer
	hup      bool // the peer has shut down its side: read to the end
	readMore bool // the socket may hold unread input (reading stopped early)

	ln  *Listen
	tls *tlsConn // the record layer of a TLS connection (tlsloop_linux.go), or nil

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

// accept takes one connection from a listener that epoll reported
// readable; the listener is level-triggered, so more waiting connections
// are reported again.
func (l *loop) accept(ln listener) {
	for {
		nfd, ip, err := sysAccept(ln.fd)
		if err != nil {
			if err == unix.EINTR || err == unix.ECONNABORTED {
				continue
			}
			if err != unix.EAGAIN {
				// Out of descriptors (or memory): the connection stays
				// queued and the level-triggered listener would be reported
				// at once, again and again. Stop accepting for a moment.
				if err == unix.EMFILE || err == unix.ENFILE {
					l.rt.logErrorOnce("accept: %v (raise the open-files limit)", err)
				}
				l.pauseAccept()
			}
			return
		}
		if !l.admit(ip) {
			sysClose(nfd)
			return
		}
		if ln.ln.TLS != nil {
			l.handshake(nfd, ln.ln, ip) // counted from now on (tls_linux.go)
			return
		}
		l.open(nfd, ln.ln, ip, nil)
		return
	}
}

// acceptPause is how long the loop stops accepting after accept failed
// for lack of resources (nginx waits 500 ms).
const acceptPause = 100 // ms

func (l *loop) pauseAccept() {
	if l.acceptPaused != 0 {
		return
	}
	for _, ln := range l.lns {
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, ln.fd, &unix.EpollEvent{Fd: int32(ln.fd)})
	}
	l.acceptPaused = l.now + acceptPause
}

// resumeAccept listens again once the pause is over; it returns the
// milliseconds left otherwise (-1: not paused).
func (l *loop) resumeAccept() int {
	if l.acceptPaused == 0 {
		return -1
	}
	if left := l.acceptPaused - l.now; left > 0 {
		return int(left)
	}
	l.acceptPaused = 0
	for _, ln := range l.lns {
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, ln.fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(ln.fd)})
	}
	return -1
}

// admit applies max_http_session_count and max_connections_per_ip to a new
// connection from ip, and counts it when admitted.
func (l *loop) admit(ip [4]byte) bool {
	lim := &l.rt.site.Limits
	if lim.MaxSessions > 0 && int(l.sessions.Load()) >= lim.MaxSessions {
		return false
	}
	if l.perIP != nil {
		if n := l.perIP[ip]; n > 0 && int(n) >= max(lim.MaxConnectionsPerIP, 1) {
			return false
		}
		l.perIP[ip]++
	}
	return true
}

func (l *loop) open(fd int, ln *Listen, ip [4]byte, t *tlsConn) {
	for fd >= len(l.conns) {
		l.conns = append(l.conns, make([]*conn, len(l.conns)+1024)...)
	}
	var c *conn
	if n := len(l.free); n > 0 {
		c, l.free = l.free[n-1], l.free[:n-1]
		gen := c.gen + 1
		*c = conn{gen: gen}
	} else {
		c = &conn{}
	}
	c.fd, c.ln, c.ip, c.tls = int32(fd), ln, ip, t
	c.idleAt = l.now + l.rt.timeout
	c.elapseAt = l.now + l.rt.elapse
	l.conns[fd] = c
	l.sessions.Add(1)
	// The request usually arrives with the connection (a client writes it
	// right after connecting): read it now, before the descriptor joins the
	// epoll set. A client that asked to close is then answered and closed
	// without one epoll call or timer; the others are armed and added
	// afterwards, and adding reports whatever became ready meanwhile, so
	// nothing is missed.
	l.read(c)
	if c.phase == phaseClosed {
		return
	}
	l.arm(c)
	if err := l.add(fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET); err != nil {
		l.close(c)
	}
}

func (l *loop) close(c *conn) {
	if c.phase == phaseClosed {
		return
	}
	c.to(phaseClosed)
	l.logSent(c) // a download cut short: what was sent of it
	if up := c.proxy; up != nil {
		c.proxy = nil
		l.clientGone(up)
	}
	if c.file != nil {
		c.file.Release()
		c.file = nil
	}
	tlsCloseNotify(c)
	sysClose(int(c.fd))
	l.conns[c.fd] = nil
	l.sessions.Add(-1)
	if l.perIP != nil {
		if n := l.perIP[c.ip]; n <= 1 {
			delete(l.perIP, c.ip)
		} else {
			l.perIP[c.ip] = n - 1
		}
	}
	c.in, c.out, c.outRef, c.chunked = nil, nil, nil, nil
	c.gen++
	if len(l.free) < 4096 {
		l.free = append(l.free, c)
	}
}

// timeout handles c's deadline: a backend that does not connect or answer
// in time (proxy_exchange_linux.go); otherwise the connection ends.
func (l *loop) timeout(c *conn) {
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
}

// readLoop is read's body: it runs with c.reading set.
func (l *loop) readLoop(c *conn) {
	for c.phase != phaseClosed {
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

// process answers the complete requests at the start of data and keeps
// what is left (a partial request, or requests queued behind a blocked
// response) in c.in.
func (l *loop) process(c *conn, data []byte) {
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

// flush writes the batch in the loop's write buffer; what the socket does
// not take is copied to the connection.
func (l *loop) flush(c *conn) {
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
		n, err := l.write(c, l.wbuf)
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
		up.out = appendChunk(up.out, piece)
		if done {
			c.chunked = nil
			up.out = append(up.out, lastChunk...)
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
