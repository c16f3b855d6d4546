package server

import (
	"time"

	"golang.org/x/sys/unix"
)

// Choosing a backend and getting a connection to it: the balancing rule,
// disabled backends, the per-worker pool of idle connections, dialing.

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

// connectAny returns a connection to a live backend: a pooled one (unless
// fresh: an upgrade is never sent on a reused connection), or a new one
// whose connect has started. Backends that refuse are disabled for
// forward_disable seconds and the next is tried.
func (l *loop) connectAny(st *upState, fresh bool) *upConn {
	for {
		j := l.pick(st)
		if j < 0 {
			return nil
		}
		if !fresh {
			if up := l.pooled(st, j); up != nil {
				return up
			}
		}
		if up := l.dial(st, j); up != nil {
			return up
		}
		if st.u.App != nil {
			return nil // the one app: nothing else to try, and never disabled
		}
		l.disable(st, j)
	}
}

func (l *loop) disable(st *upState, j int) {
	if st.u.App != nil {
		return // an app in this process cannot be down; skipping it would only give 503s
	}
	b := &st.backends[j]
	b.downUntil = l.now + l.rt.disable
	l.m.UpstreamFailure(st.m0 + j)
	l.rt.log.Warnf("%s: backend %s failed; skipped for %v", st.u.Name, b.addr, time.Duration(l.rt.disable)*time.Millisecond)
}

func (l *loop) pooled(st *upState, j int) *upConn {
	b := &st.backends[j]
	for len(b.idle) > 0 {
		up := b.idle[len(b.idle)-1]
		b.idle = b.idle[:len(b.idle)-1]
		if l.now-up.idleSince > l.rt.tune.poolIdle {
			l.upClose(up)
			continue
		}
		up.reused, up.state = true, upHead
		return up
	}
	return nil
}

func (l *loop) dial(st *upState, j int) *upConn {
	if st.u.App != nil {
		return l.dialApp(st, j)
	}
	if st.u.TLS {
		return l.dialTLS(st, j)
	}
	b := &st.backends[j]
	fd, err := unix.Socket(sockFamily(b.sa), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.rt.logErrorOnce("socket for a backend: %v", err)
		return nil
	}
	if l.rt.site.TCP.NoDelay {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	state := uint8(upHead)
	if err := unix.Connect(fd, b.sa); err == unix.EINPROGRESS {
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
