package server

import "golang.org/x/sys/unix"

// Accept and admission: taking a connection from a listener, the limits
// that admit it (max_http_session_count, max_connections_per_ip), pausing
// when out of descriptors, and opening and closing a conn.

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
const acceptPause = 100

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
func (l *loop) admit(ip ipAddr) bool {
	lim := &l.rt.site.Limits
	if lim.MaxSessions > 0 && int(l.sessions.Load()) >= lim.MaxSessions {
		return false
	}
	if l.perIP != nil {
		if n := l.perIP[ip.limitKey()]; n > 0 && int(n) >= max(lim.MaxConnectionsPerIP, 1) {
			return false
		}
		l.perIP[ip.limitKey()]++
	}
	return true
}

func (l *loop) open(fd int, ln *Listen, ip ipAddr, t *tlsConn) {
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
	if t != nil && t.tc.ConnectionState().NegotiatedProtocol == "h2" {
		l.startH2(c, nil)
	}
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
	c.h2Close()
	tlsCloseNotify(c)
	sysClose(int(c.fd))
	l.conns[c.fd] = nil
	l.sessions.Add(-1)
	if l.perIP != nil {
		if n := l.perIP[c.ip.limitKey()]; n <= 1 {
			delete(l.perIP, c.ip.limitKey())
		} else {
			l.perIP[c.ip.limitKey()] = n - 1
		}
	}
	c.in, c.out, c.outRef, c.chunked = nil, nil, nil, nil
	c.gen++
	if len(l.free) < 4096 {
		l.free = append(l.free, c)
	}
}

// unadmit gives back what admit and handshake counted for a connection
// that is not open in the loop.
func (l *loop) unadmit(ip ipAddr) {
	l.sessions.Add(-1)
	if l.perIP != nil {
		if n := l.perIP[ip.limitKey()]; n <= 1 {
			delete(l.perIP, ip.limitKey())
		} else {
			l.perIP[ip.limitKey()] = n - 1
		}
	}
}
