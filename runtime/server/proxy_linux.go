package server

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/static"
)

// The reverse proxy lives in the loop: an upstream connection is one more
// non-blocking socket in the same epoll set as its client. Request bodies
// and responses are streamed, never held whole: at most one read buffer of
// response and maxUpOut bytes of request body wait at a time, and reading
// stops on the side whose peer is not keeping up.

const (
	maxUpOut       = 256 << 10 // request bytes buffered for a backend before the client is paused
	maxIdlePerPeer = 64        // pooled idle connections per backend per worker
	connectTimeout = 5000      // ms before a backend that does not answer a connect is skipped
	poolIdleMax    = 60_000    // ms a pooled connection may stay unused
)

// upState is one worker's view of an Upstream.
type upState struct {
	u        *Upstream
	rr       int
	backends []backend
}

type backend struct {
	sa        unix.SockaddrInet4
	addr      string // "ip:port" for logs
	active    int    // connections in use, for least-connections
	downUntil int64  // ms: skipped until then after a failed connect
	idle      []*upConn
}

const (
	upIdle = iota
	upConnecting
	upActive
)

// Response body framing.
const (
	bodyNone = iota
	bodyLength
	bodyChunked
	bodyClose
)

// upConn is a connection to a backend, in a pool or serving one exchange.
type upConn struct {
	fd     int
	st     *upState
	b      int
	state  uint8
	client *conn // nil while pooled

	reused    bool   // taken from the pool for this exchange
	viaTLS    bool   // a socketpair to a goroutine speaking TLS to the backend
	head      []byte // the request head, kept while a TLS connect may still fail
	replay    bool   // the request can be sent again on a fresh connection
	gotAny    bool   // a response byte arrived
	headDone  bool   // the response head was sent to the client
	readMore  bool   // reading paused while the client drains
	hup       bool   // the backend shut down its side: read to the end
	reusable  bool
	dechunk   bool // HTTP/1.0 client: send the chunked body decoded
	mode      uint8
	left      int64
	chunk     http1.Chunked
	out       []byte // request bytes not yet written
	in        []byte // partial response head
	idleSince int64

	// for the access log and late error answers
	site    *Website
	method  http1.Method
	minor   uint8
	status  int
	sent    int64
	logLine []byte
}

func (l *loop) initUpstreams() {
	l.upstreams = make([]upState, len(l.rt.site.Upstreams))
	for i, u := range l.rt.site.Upstreams {
		st := &l.upstreams[i]
		st.u = u
		st.backends = make([]backend, len(u.Servers))
		for j, s := range u.Servers {
			b := &st.backends[j]
			if a, err := netip.ParseAddr(s.IP); err == nil && a.Is4() {
				b.sa.Addr = a.As4()
			}
			b.sa.Port = s.Port
			b.addr = s.IP + ":" + strconv.Itoa(s.Port)
		}
	}
}

func (l *loop) upOf(fd int) *upConn {
	if fd < len(l.ups) {
		return l.ups[fd]
	}
	return nil
}

// Forward sends the request to one of u's backends and streams the answer
// back: the forward phase. The request line carries the current path and
// query (rewritten or not); hop-by-hop fields are dropped; Host is passed
// through; X-Forwarded-For, X-Real-IP and X-Forwarded-Proto are set.
func (x *Ctx) Forward(u *Upstream) {
	l, c, req := x.l, x.c, x.Req
	st := &l.upstreams[u.id]
	up := l.connectAny(st)
	if up == nil {
		x.Error(503)
		return
	}
	head := x.proxyHead(l.phead[:0], st.backends[up.b].addr)
	l.phead = head
	up.client, up.site, up.method, up.minor = c, x.Site, req.Method, req.Minor
	up.status, up.sent, up.headDone, up.gotAny, up.readMore, up.dechunk = 0, 0, false, false, false, false
	up.replay = req.ContentLength <= 0 && !req.Chunked
	up.out = append(up.out[:0], head...)
	up.head = nil
	if up.viaTLS && !up.reused && up.replay {
		up.head = append([]byte(nil), head...)
	}
	up.logLine = x.appendLogPrefix(up.logLine[:0])
	st.backends[up.b].active++
	c.proxy = up
	if req.Expect100 && (req.ContentLength > 0 || req.Chunked) {
		l.wbuf = append(l.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
	}
	l.waitBackend(c, up)
}

// waitBackend sets the client's deadline for its backend, connect or
// answer, and starts sending once connected.
func (l *loop) waitBackend(c *conn, up *upConn) {
	if up.state == upConnecting {
		c.idleAt = l.now + min(connectTimeout, l.rt.timeout)
	} else {
		c.idleAt = l.now + l.rt.timeout
	}
	l.arm(c)
	if up.state == upActive {
		l.upWrite(up)
	}
}

// proxyHead appends the request head sent to the backend.
func (x *Ctx) proxyHead(w []byte, backend string) []byte {
	req := x.Req
	w = append(w, req.MethodRaw...)
	w = append(w, ' ')
	if x.rewritten {
		w = appendEscapedPath(w, x.Path)
		if x.Query != nil {
			w = append(w, '?')
			w = appendEscapedQuery(w, x.Query)
		}
	} else {
		w = append(w, req.Path...)
		if req.Query != nil {
			w = append(w, '?')
			w = append(w, req.Query...)
		}
	}
	w = append(w, " HTTP/1.1\r\n"...)
	// Host is the authority the website was chosen by (the target's, for
	// an absolute-form request), else the website's domain, else the
	// backend's address: HTTP/1.1 requires one.
	w = append(w, "Host: "...)
	switch {
	case len(req.Host) > 0:
		w = append(w, req.Host...)
	case x.Site.Domain != "":
		w = append(w, x.Site.Domain...)
	default:
		w = append(w, backend...)
	}
	w = append(w, "\r\n"...)
	xffSeen := false
	for _, h := range req.Headers {
		switch {
		case hopByHop(h.Name), listedInConnection(req.Headers, h.Name):
			continue
		case foldEq(h.Name, "host"), foldEq(h.Name, "x-real-ip"), foldEq(h.Name, "x-forwarded-proto"), foldEq(h.Name, "expect"):
			continue
		case foldEq(h.Name, "x-forwarded-for"):
			// Every X-Forwarded-For line, joined, then this client.
			if !xffSeen {
				w = append(w, "X-Forwarded-For: "...)
				xffSeen = true
			}
			w = append(w, h.Value...)
			w = append(w, ", "...)
			continue
		}
		w = append(w, h.Name...)
		w = append(w, ": "...)
		w = append(w, h.Value...)
		w = append(w, "\r\n"...)
	}
	if req.Chunked {
		w = append(w, "Transfer-Encoding: chunked\r\n"...)
	}
	if !xffSeen {
		w = append(w, "X-Forwarded-For: "...)
	}
	w = appendIP(w, x.c.ip)
	w = append(w, "\r\nX-Real-IP: "...)
	w = appendIP(w, x.c.ip)
	if x.c.ln.TLS != nil {
		w = append(w, "\r\nX-Forwarded-Proto: https\r\n\r\n"...)
	} else {
		w = append(w, "\r\nX-Forwarded-Proto: http\r\n\r\n"...)
	}
	return w
}

// listedInConnection reports whether name is one of the tokens of any
// Connection field in hs (each such field is hop-by-hop too).
func listedInConnection(hs []http1.Header, name []byte) bool {
	for _, h := range hs {
		if foldEq(h.Name, "connection") && http1.TokenListHas(h.Value, string(name)) {
			return true
		}
	}
	return false
}

// appendEscapedQuery percent-encodes what may not stand raw in a request
// line's query: controls, space, non-ASCII, '"', '#', '<', '>', '\\', '^',
// '`', '{', '|', '}'. A rewrite may have put any of them there.
func appendEscapedQuery(w, q []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range q {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>\\^`{|}", c) >= 0 {
			w = append(w, '%', hex[c>>4], hex[c&15])
			continue
		}
		w = append(w, c)
	}
	return w
}

// hopByHop: fields that describe one connection, not the message
// (RFC 9110 §7.6.1), and Transfer-Encoding, which the proxy re-frames.
func hopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return foldEq(name, "te")
	case 7:
		return foldEq(name, "upgrade") || foldEq(name, "trailer")
	case 10:
		return foldEq(name, "connection") || foldEq(name, "keep-alive")
	case 16:
		return foldEq(name, "proxy-connection")
	case 17:
		return foldEq(name, "transfer-encoding")
	}
	return false
}

func foldEq(b []byte, s string) bool { return equalFold(b, s) }

// appendEscapedPath percent-encodes a decoded path for a request line.
func appendEscapedPath(w, p []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			w = append(w, c)
		default:
			switch c {
			case '-', '.', '_', '~', '/', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
				w = append(w, c)
			default:
				w = append(w, '%', hex[c>>4], hex[c&15])
			}
		}
	}
	return w
}

// pick chooses a backend that is not disabled, by the upstream's rule; -1
// when every one is.
func (l *loop) pick(st *upState) int {
	n := len(st.backends)
	if st.u.Rule == 'L' {
		best := -1
		for j := range st.backends {
			b := &st.backends[j]
			if b.downUntil > l.now {
				continue
			}
			if best < 0 || b.active < st.backends[best].active {
				best = j
			}
		}
		return best
	}
	for i := 0; i < n; i++ {
		j := (st.rr + i) % n
		if st.backends[j].downUntil <= l.now {
			st.rr = j + 1
			return j
		}
	}
	return -1
}

// connectAny returns a connection to a live backend: a pooled one, or a new
// one whose connect has started. Backends that refuse are disabled for
// forward_disable seconds and the next is tried.
func (l *loop) connectAny(st *upState) *upConn {
	for {
		j := l.pick(st)
		if j < 0 {
			return nil
		}
		if up := l.pooled(st, j); up != nil {
			return up
		}
		if up := l.dial(st, j); up != nil {
			return up
		}
		l.disable(st, j)
	}
}

func (l *loop) disable(st *upState, j int) {
	b := &st.backends[j]
	b.downUntil = l.now + int64(max(l.rt.site.HTTP.ForwardDisable, 1))*1000
	logs.Warnf("%s: backend %s failed; skipped for %ds", st.u.Name, b.addr, max(l.rt.site.HTTP.ForwardDisable, 1))
}

func (l *loop) pooled(st *upState, j int) *upConn {
	b := &st.backends[j]
	for len(b.idle) > 0 {
		up := b.idle[len(b.idle)-1]
		b.idle = b.idle[:len(b.idle)-1]
		if l.now-up.idleSince > poolIdleMax {
			l.upClose(up)
			continue
		}
		up.reused, up.state = true, upActive
		return up
	}
	return nil
}

func (l *loop) dial(st *upState, j int) *upConn {
	if st.u.TLS {
		return l.dialTLS(st, j)
	}
	b := &st.backends[j]
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.rt.logErrorOnce("socket for a backend: %v", err)
		return nil
	}
	if l.rt.site.TCP.NoDelay {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	state := uint8(upActive)
	if err := unix.Connect(fd, &b.sa); err == unix.EINPROGRESS {
		state = upConnecting
	} else if err != nil {
		unix.Close(fd)
		return nil
	}
	up := &upConn{fd: fd, st: st, b: j, state: state}
	if !l.register(up) {
		return nil
	}
	return up
}

// register adds a backend connection to the loop's table and epoll set;
// on failure it closes the descriptor.
func (l *loop) register(up *upConn) bool {
	for up.fd >= len(l.ups) {
		l.ups = append(l.ups, make([]*upConn, len(l.ups)+256)...)
	}
	l.ups[up.fd] = up
	if err := l.add(up.fd, unix.EPOLLIN|unix.EPOLLOUT|unix.EPOLLRDHUP|unix.EPOLLET); err != nil {
		l.ups[up.fd] = nil
		unix.Close(up.fd)
		return false
	}
	return true
}

// upClose closes a backend connection (the caller settles its client).
func (l *loop) upClose(up *upConn) {
	if up.fd < 0 {
		return
	}
	if up.state == upIdle {
		b := &up.st.backends[up.b]
		for i, p := range b.idle {
			if p == up {
				b.idle = append(b.idle[:i], b.idle[i+1:]...)
				break
			}
		}
	}
	unix.Close(up.fd)
	l.ups[up.fd] = nil
	up.fd = -1
}

func (l *loop) upEvent(up *upConn, ev uint32) {
	if up.client == nil {
		l.upClose(up) // pooled: the backend closed it, or sent what nobody asked for
		return
	}
	if up.state == upConnecting {
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		if errno, err := unix.GetsockoptInt(up.fd, unix.SOL_SOCKET, unix.SO_ERROR); err != nil || errno != 0 || ev&unix.EPOLLERR != 0 {
			l.retry(up, true)
			return
		}
		up.state = upActive
		up.client.idleAt = l.now + l.rt.timeout
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
	up.client, up.out = nil, nil
	l.upClose(up)
	next := l.connectAny(st)
	if next == nil {
		c.proxy = nil
		l.proxyError(c, up, 503)
		c.served = true
		l.logProxy(up)
		l.resumeClient(c)
		return
	}
	next.client, next.site, next.method, next.minor = c, up.site, up.method, up.minor
	next.replay, next.headDone, next.gotAny = up.replay, false, false
	next.out = append(next.out[:0], pending...)
	next.head = nil
	if next.viaTLS && !next.reused && next.replay {
		next.head = append([]byte(nil), pending...)
	}
	next.logLine = append(next.logLine[:0], up.logLine...)
	st.backends[next.b].active++
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
	if c := up.client; c != nil && c.readMore && !c.closed {
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
	if !up.gotAny && up.reused && up.replay {
		l.retry(up, false)
		return
	}
	if !up.gotAny && up.viaTLS && !up.reused && up.head != nil {
		up.out = up.head // the TLS connect failed: nothing reached the backend
		l.retry(up, true)
		return
	}
	if !up.headDone {
		l.proxyError(c, up, 502)
		l.endExchange(up, false)
		return
	}
	// The answer was under way: the client cannot be told, only cut off.
	l.endExchange(up, false)
	l.close(c)
}

// upRead reads the backend's answer while the client keeps up.
func (l *loop) upRead(up *upConn) {
	for up.client != nil {
		c := up.client
		if c.blocked() {
			up.readMore = true
			return
		}
		up.readMore = false
		n, err := sysRead(up.fd, l.rbuf)
		switch {
		case n > 0:
			up.gotAny = true
			c.idleAt = l.now + l.rt.timeout
			if !l.upData(up, l.rbuf[:n]) || (n < len(l.rbuf) && !up.hup) {
				return
			}
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
		case err == nil && up.headDone && up.mode == bodyClose:
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
	if !up.headDone {
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
			if err != nil || l.resp.Status == 101 {
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
	if up.mode == bodyClose || up.dechunk {
		c.keep = false // only the end of the connection can delimit the body
	}
	w := http1.AppendStatusLine(l.wbuf, r.Status)
	if len(r.Reason) > 0 && string(r.Reason) != http1.StatusText(r.Status) {
		w = w[:len(w)-len(http1.StatusText(r.Status))-2]
		w = append(w, r.Reason...)
		w = append(w, "\r\n"...)
	}
	hasDate := false
	for _, h := range r.Headers {
		if hopByHop(h.Name) || listedInConnection(r.Headers, h.Name) {
			continue
		}
		if foldEq(h.Name, "date") {
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
	if up.mode == bodyChunked && !up.dechunk {
		w = append(w, "Transfer-Encoding: chunked\r\n"...)
	}
	switch {
	case !c.keep:
		w = append(w, "Connection: close\r\n"...)
	case up.minor == 0:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	l.wbuf = append(w, "\r\n"...)
	up.headDone = true
	l.flush(c)
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
		if up.client == nil || c.closed {
			return false
		}
		if up.left == 0 {
			l.endExchange(up, up.reusable && !extra)
			return false
		}
	case bodyChunked:
		for len(data) > 0 {
			consumed, piece, done, err := up.chunk.Decode(data)
			if err != nil {
				l.endExchange(up, false)
				l.close(c)
				return false
			}
			if up.dechunk {
				l.toClient(up, piece)
			} else {
				l.toClient(up, data[:consumed])
			}
			data = data[consumed:]
			if up.client == nil || c.closed {
				return false
			}
			if done {
				l.endExchange(up, up.reusable && len(data) == 0)
				return false
			}
			if up.client == nil || c.closed {
				return false
			}
		}
	case bodyClose:
		l.toClient(up, data)
	}
	return up.client != nil && !c.closed
}

// toClient writes body bytes to the client through its pending output.
func (l *loop) toClient(up *upConn, b []byte) {
	c := up.client
	if len(b) == 0 || c == nil || c.closed {
		return
	}
	up.sent += int64(len(b))
	l.wbuf = append(l.wbuf, b...)
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
	st := up.st
	b := &st.backends[up.b]
	b.active--
	up.client, up.head = nil, nil
	c.proxy = nil
	c.served = true
	if up.status != 0 {
		l.logProxy(up)
	}
	if reusable && up.fd >= 0 && len(b.idle) < maxIdlePerPeer && !l.stopping.Load() {
		up.state, up.idleSince, up.reused = upIdle, l.now, false
		up.in, up.out = up.in[:0], up.out[:0]
		b.idle = append(b.idle, up)
	} else {
		l.upClose(up)
	}
	l.resumeClient(c)
}

// resumeClient goes on with a client whose exchange has ended: close it if
// it asked so, or read its next request.
func (l *loop) resumeClient(c *conn) {
	if c == nil || c.closed {
		return
	}
	c.elapseAt = l.now + l.rt.elapse
	if !c.keep {
		c.closeAfter = true
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
	if c == nil || c.closed {
		return
	}
	body := l.rt.errorPage(code)
	w := http1.AppendStatusLine(l.wbuf, code)
	w = append(w, serverLine...)
	w = append(w, l.clock.date...)
	w = append(w, "Content-Type: text/html\r\nContent-Length: "...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	w = append(w, "\r\n"...)
	switch {
	case !c.keep:
		w = append(w, "Connection: close\r\n"...)
	case up.minor == 0:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	w = append(w, "\r\n"...)
	if up.method != http1.MethodHEAD {
		w = append(w, body...)
		up.sent = int64(len(body))
	}
	l.wbuf = w
	up.status, up.headDone = code, true
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
	if !up.headDone {
		c.keep = false
		l.proxyError(c, up, 504)
		l.endExchange(up, false)
		return
	}
	l.endExchange(up, false)
	l.close(c)
}

// logProxy writes the access-log line of a forwarded request, with the
// backend's address and status.
func (l *loop) logProxy(up *upConn) {
	s := up.site
	if s == nil || s.log == nil {
		return
	}
	b := &l.access[s.id]
	w := append(b.B, up.logLine...)
	w = strconv.AppendInt(w, int64(up.status), 10)
	w = append(w, ' ')
	w = strconv.AppendInt(w, up.sent, 10)
	w = append(w, " upstream "...)
	w = append(w, up.st.backends[up.b].addr...)
	b.B = w
	b.Line()
}

// IndexIs reports whether the request is for a directory whose index file
// (the first of root's that exists) has extension ext. If so, the request
// now names that file, as nginx's index does before its content phase, so a
// forward sends /dir/index.php and a static phase would never serve the
// file's source.
func (x *Ctx) IndexIs(root *static.Root, ext string) bool {
	p := x.Path
	if len(p) == 0 || p[len(p)-1] != '/' {
		return false
	}
	file := root.FirstIndex(p)
	if file == "" || string(static.Ext([]byte(file))) != ext {
		return false
	}
	x.pathBuf = append(x.pathBuf[:0], file...)
	x.Path, x.rewritten = x.pathBuf, true
	return true
}
