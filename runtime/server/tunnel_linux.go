package server

import (
	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
)

// Protocol upgrades (WebSocket and the like) through forward and app.
//
// A request that asks for one (HTTP/1.1, no body, Connection listing
// "upgrade", an Upgrade field) is sent with its Upgrade field and
// "Connection: upgrade" on a fresh backend connection, never a pooled one,
// and is never sent again. A 101 answer turns the exchange into a tunnel:
// the head goes to the client with its Upgrade field, then bytes are
// relayed both ways, each way as the loop's proxy streams a body: read into
// the loop's read buffer, written straight on, what the peer does not take
// kept (at most one read) while the side it came from is not read. An end
// of stream is passed on as a shutdown of the other side's write; the
// tunnel closes when both ways have ended, on an error, or after `timeout`
// without a byte either way (elapse does not apply). Any other answer is
// relayed as usual and the connection is not pooled. The access log line,
// status 101 and the bytes sent to the client, is written when the tunnel
// ends.
//
// While a tunnel runs, its client's events come here (phaseTunnel, see
// event) and c.proxy stays set: close, timeout and the least-connections
// count treat it as an exchange in progress.

// wantsUpgrade reports whether a request with an Upgrade field asks for an
// upgrade the proxy passes on: HTTP/1.1 (RFC 9110 §7.8), "upgrade" in a
// Connection field, and no body (the protocol switches right after the
// head).
func wantsUpgrade(req *http1.Request) bool {
	return req.Minor == 1 && req.ContentLength <= 0 && !req.Chunked && http1.ListedInConnection(req.Headers, []byte("upgrade"))
}

// startTunnel sends the client the backend's 101 head and what followed it
// (rest, in the read buffer or up.in), then relays both ways. The client's
// bytes read after its request head (in c.in) go to the backend first.
func (l *loop) startTunnel(up *upConn, r *http1.Response, rest []byte) {
	c := up.client
	up.status, up.state = r.Status, upTunnel
	up.head = up.head[:0]
	c.to(phaseTunnel)
	c.closeWhen(afterAnswer)
	c.elapseAt, c.idleAt = 0, l.now+l.rt.timeout
	w := l.appendUpstreamHead(l.wbuf, r, true)
	w = append(w, "Connection: upgrade\r\n\r\n"...)
	w = append(w, rest...)
	up.sent = int64(len(rest))
	l.wbuf = w
	// Either side may hold unread bytes: the client's were left unread
	// while the backend answered, the backend's read stopped at the head.
	up.toClient = halfPipe{more: true, hup: up.hup, out: c.out}
	up.toBackend = halfPipe{more: true, hup: c.hup, out: up.out}
	c.out, up.out = nil, nil
	ok := l.tunnelWrite(c, int(c.fd), &up.toClient.out, l.wbuf)
	l.wbuf = l.wbuf[:0]
	up.in = nil // rest may have been here: it is copied now
	if !ok {
		l.close(c)
		return
	}
	if len(c.in) > 0 {
		up.toBackend.out = append(up.toBackend.out, c.in...)
		c.in = nil
	}
	c.scanned = 0
	l.arm(c)
	l.tunnelPump(up)
}

// tunnelEvent handles readiness on the client of a tunnel.
func (l *loop) tunnelEvent(c *conn, ev uint32) {
	if ev&unix.EPOLLERR != 0 {
		l.close(c)
		return
	}
	p := &c.proxy.toBackend
	if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		p.hup = true
	}
	if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		p.more = true
	}
	l.tunnelPump(c.proxy)
}

// tunnelUpEvent handles readiness on the backend of a tunnel.
func (l *loop) tunnelUpEvent(up *upConn, ev uint32) {
	c := up.client
	if ev&unix.EPOLLERR != 0 {
		l.close(c)
		return
	}
	if ev&(unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		up.toClient.hup = true
	}
	if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLRDHUP) != 0 {
		up.toClient.more = true
	}
	l.tunnelPump(up)
}

// tunnelCopy moves one way of c's tunnel, p, from src to dst: it reads src
// while the socket may hold more, its end has not come and dst has taken
// everything read before, writing each piece to dst. A short read means
// the socket is drained unless an end of stream follows (p.hup, or the
// client's record layer saw one: c.hup). It reports false on an error.
func (l *loop) tunnelCopy(c *conn, p *halfPipe, src, dst int) bool {
	for p.more && !p.eof && len(p.out) == 0 {
		n, err := l.sockRead(c, src, l.rbuf)
		switch {
		case n > 0:
			c.idleAt = l.now + l.rt.timeout
			p.moved += int64(n)
			if !l.tunnelWrite(c, dst, &p.out, l.rbuf[:n]) {
				return false
			}
			if n < len(l.rbuf) && !p.hup && !(src == int(c.fd) && c.hup) {
				p.more = false // drained: the next arrival is reported
			}
		case err == unix.EAGAIN:
			p.more = false
		case err == unix.EINTR:
		case err == nil:
			p.eof, p.more = true, false
		default:
			return false
		}
	}
	return true
}

// tunnelPump moves what can be moved now: pending output first, then each
// way as long as its destination keeps up, then ends of stream; it closes
// the tunnel when both ways are done or on an error.
func (l *loop) tunnelPump(up *upConn) {
	c := up.client
	cfd := int(c.fd)
	down, upw := &up.toClient, &up.toBackend
	if !l.tunnelWrite(c, cfd, &down.out, nil) || !l.tunnelWrite(c, up.fd, &upw.out, nil) {
		l.close(c)
		return
	}
	if !l.tunnelCopy(c, down, up.fd, cfd) || !l.tunnelCopy(c, upw, cfd, up.fd) {
		l.close(c)
		return
	}
	// An end of stream is passed on once what came before it is out.
	if down.eof && !down.shut && len(down.out) == 0 && !c.tlsPending() {
		tlsCloseNotify(c)
		unix.Shutdown(cfd, unix.SHUT_WR)
		down.shut = true
	}
	if upw.eof && !upw.shut && len(upw.out) == 0 {
		unix.Shutdown(up.fd, unix.SHUT_WR)
		upw.shut = true
	}
	if down.shut && upw.shut {
		l.close(c)
		return
	}
	l.arm(c)
}

// tunnelWrite sends *pending and then data to fd, a side of c's tunnel;
// what the socket does not take is kept in *pending (data is copied: it may
// be the read buffer). A buffer that empties is dropped, so an idle tunnel
// holds none. It reports false on an error other than EAGAIN.
func (l *loop) tunnelWrite(c *conn, fd int, pending *[]byte, data []byte) bool {
	if c.tls != nil && fd == int(c.fd) {
		// Ciphertext the client's socket did not take goes first.
		if _, err := tlsFlush(c.tls.io); err != nil && err != unix.EAGAIN {
			return false
		}
	}
	if len(*pending) > 0 {
		*pending = append(*pending, data...)
		data = *pending
	}
	sent := 0
	for sent < len(data) {
		n, err := l.sockWrite(c, fd, data[sent:])
		if n > 0 {
			sent += n
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err != unix.EAGAIN {
			return false
		}
		break
	}
	if sent > 0 {
		c.idleAt = l.now + l.rt.timeout // bytes moved: the tunnel is not idle
	}
	switch {
	case sent == len(data):
		*pending = nil
	case len(*pending) > 0:
		*pending = append((*pending)[:0], data[sent:]...) // moves within itself
	default:
		*pending = append([]byte(nil), data[sent:]...)
	}
	return true
}

// clientGone settles the backend side of an exchange whose client closes:
// a tunnel's access-log line is written then.
func (l *loop) clientGone(up *upConn) {
	if up.state == upTunnel {
		up.sent += up.toClient.moved
		l.logProxy(up)
		up.toClient, up.toBackend = halfPipe{}, halfPipe{}
	}
	up.st.backends[up.b].active--
	up.client = nil
	l.upClose(up)
}
