package server

import (
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
)

// The reverse proxy lives in the loop: an upstream connection is one more
// non-blocking socket in the same epoll set as its client. Request bodies
// and responses are streamed, never held whole: at most one read buffer of
// response and maxUpOut bytes of request body wait at a time, and reading
// stops on the side whose peer is not keeping up.

const (
	maxUpOut       = 256 << 10 // request bytes buffered for a backend before the client is paused
	maxIdlePerPeer = 64        // pooled idle connections per backend per worker
)

// upState is one worker's view of an Upstream.
type upState struct {
	u        *Upstream
	rr       int
	backends []backend
	m0       int // metrics index of backends[0]
}

type backend struct {
	sa        unix.Sockaddr // IPv4 or IPv6 (ipv6_linux.go)
	addr      string        // "ip:port" for logs
	active    int           // connections in use, for least-connections
	downUntil int64         // ms: skipped until then after a failed connect
	idle      []*upConn
}

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
	state  uint8 // upIdle … upTunnel (lifecycle.go)
	client *conn // nil while pooled

	reused    bool   // taken from the pool for this exchange
	viaTLS    bool   // a socketpair to a goroutine speaking TLS to the backend
	head      []byte // the request head, kept while it may have to be sent again (see Forward)
	bodiless  bool   // the request is its head alone
	replay    bool   // the request may be sent again on a fresh connection: bodiless and idempotent
	gotAny    bool   // a response byte arrived
	readMore  bool   // reading paused while the client drains
	hup       bool   // the backend shut down its side: read to the end
	reusable  bool
	dechunk   bool // HTTP/1.0 client: send the chunked body decoded
	upgrade   bool // the request asks for a protocol upgrade (see tunnel_linux.go)
	mode      uint8
	left      int64
	chunk     http1.Chunked
	out       []byte // request bytes not yet written
	in        []byte // partial response head
	idleSince int64

	// A tunnel's two ways (tunnel_linux.go).
	toClient, toBackend halfPipe

	// The HTTP/2 stream answered, when the client speaks HTTP/2
	// (proxy_h2_linux.go); nil for HTTP/1.x.
	h2 h2stream

	// for the access log and late error answers
	site    *Website
	method  http1.Method
	minor   uint8
	status  int
	sent    int64
	logLine []byte // the line's head, then the request's part of its tail from logCut
	logCut  int
	logAt   int64 // loop ms when the request's head arrived
}

func (l *loop) initUpstreams() {
	l.upstreams = make([]upState, len(l.rt.site.Upstreams))
	m0 := 0
	for i, u := range l.rt.site.Upstreams {
		st := &l.upstreams[i]
		st.u, st.m0 = u, m0
		m0 += backendsOf(u)
		if u.App != nil { // one backend, in this process
			st.backends = []backend{{addr: u.Name}}
			continue
		}
		st.backends = make([]backend, len(u.Servers))
		for j, s := range u.Servers {
			b := &st.backends[j]
			b.sa, b.addr = backendSockaddr(s.IP, s.Port)
		}
	}
}

func (l *loop) upOf(fd int) *upConn {
	if fd < len(l.ups) {
		return l.ups[fd]
	}
	return nil
}

// forward is Forward (api.go).
func (x *Ctx) forward(u *Upstream) {
	if a, ok := x.out.(*h2Answer); ok {
		x.forwardH2(u, a) // proxy_h2_linux.go
		return
	}
	l, c, req := x.l, x.c, x.Req
	st := &l.upstreams[u.id]
	upgrade := req.Upgrade != nil && wantsUpgrade(req)
	up := l.connectAny(st, upgrade)
	if up == nil {
		x.Error(503)
		return
	}
	addr := st.backends[up.b].addr
	if u.App != nil {
		addr = "localhost" // the Host of a request without one: the app's server insists on a valid one
	}
	head := x.proxyHead(l.phead[:0], addr, upgrade)
	l.phead = head
	up.client, up.site, up.method, up.minor = c, x.Site, req.Method, req.Minor
	up.status, up.sent, up.gotAny, up.readMore, up.dechunk = 0, 0, false, false, false
	up.bodiless = req.ContentLength <= 0 && !req.Chunked
	up.upgrade = upgrade
	up.replay = up.bodiless && req.Method.Idempotent() && !upgrade
	up.out = append(up.out[:0], head...)
	up.head = up.head[:0]
	if up.bodiless && (up.viaTLS && !up.reused || up.reused && up.replay) {
		// Kept to be sent again: a TLS connect may still fail (nothing
		// reached the backend), a pooled connection may turn out closed.
		up.head = append(up.head, head...)
	}
	up.logLine, up.logCut, up.logAt = x.appendProxyLog(up.logLine[:0])
	st.backends[up.b].active++
	l.m.UpstreamRequest(st.m0 + up.b)
	c.proxy = up
	if c.phase == phaseDiscard {
		c.to(phaseForward) // the body goes to the backend
	} else {
		c.to(phaseBackend)
	}
	if req.Expect100 && (req.ContentLength > 0 || req.Chunked) {
		l.wbuf = append(l.wbuf, "HTTP/1.1 100 Continue\r\n\r\n"...)
	}
	l.waitBackend(c, up)
}

// waitBackend sets the client's deadline for its backend, connect or
// answer, and starts sending once connected.
func (l *loop) waitBackend(c *conn, up *upConn) {
	if up.state == upConnecting {
		c.idleAt = l.now + min(l.rt.tune.connect, l.rt.timeout)
	} else {
		c.idleAt = l.now + l.rt.timeout
	}
	l.arm(c)
	if up.state >= upHead {
		l.upWrite(up)
	}
}

// proxyHead appends the request head sent to the backend; with upgrade,
// the client's Upgrade field and "Connection: upgrade" are passed on.
func (x *Ctx) proxyHead(w []byte, backend string, upgrade bool) []byte {
	req := x.Req
	w = append(w, req.MethodRaw...)
	w = append(w, ' ')
	if x.rewritten {
		w = http1.AppendEscapedPath(w, x.Path)
		if x.Query != nil {
			w = append(w, '?')
			w = http1.AppendEscapedQuery(w, x.Query)
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
		case upgrade && equalFold(h.Name, "upgrade"):
			// Hop-by-hop, but the one hop it is for is the backend's.
		case http1.HopByHop(h.Name), http1.ProxyOwned(h.Name), http1.ListedInConnection(req.Headers, h.Name):
			continue
		case equalFold(h.Name, "x-forwarded-for"):
			xffSeen = true // joined below
			continue
		}
		w = append(w, h.Name...)
		w = append(w, ": "...)
		w = append(w, h.Value...)
		w = append(w, "\r\n"...)
	}
	// The framing is ours, from the parsed request, whatever the client's
	// fields (or a Connection field listing them) say: the body forwarded
	// is exactly the one we read, so the backend must delimit it the same.
	switch {
	case req.Chunked:
		w = append(w, "Transfer-Encoding: chunked\r\n"...) // re-chunked by forwardBody
	case req.ContentLength >= 0:
		w = append(w, "Content-Length: "...)
		w = strconv.AppendInt(w, req.ContentLength, 10)
		w = append(w, "\r\n"...)
	}
	if upgrade {
		w = append(w, "Connection: upgrade\r\n"...)
	}
	// Every X-Forwarded-For line, joined, then this client: one field,
	// after the others (joining in place would run into the next field).
	w = append(w, "X-Forwarded-For: "...)
	if xffSeen {
		for _, h := range req.Headers {
			if equalFold(h.Name, "x-forwarded-for") && !http1.ListedInConnection(req.Headers, h.Name) {
				w = append(w, h.Value...)
				w = append(w, ", "...)
			}
		}
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
