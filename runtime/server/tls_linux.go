package server

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/logs"
)

// HTTPS: crypto/tls terminates the connection in two goroutines, and the
// plaintext reaches the loop through a socketpair, so the loop serves it
// exactly as it serves a plain connection (the same parser, cache, proxy and
// logs) and knows only that its listen has TLS. The handshake and the
// record layer cost far more than the extra copy.

// handshakeTimeout bounds a TLS handshake (the loop's timers start once the
// plaintext side is handed over).
const handshakeTimeout = 10 * time.Second

// tlsConfig loads a listen's certificate and key (paths already expanded).
func tlsConfig(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// injection is a connection handed to the loop by another goroutine.
type injection struct {
	fd int
	ln *Listen
	ip [4]byte
}

// injector queues connections for a loop; the loop takes them when its
// eventfd wakes it.
type injector struct {
	mu sync.Mutex
	q  []injection
}

func (l *loop) inject(in injection) {
	l.inj.mu.Lock()
	l.inj.q = append(l.inj.q, in)
	l.inj.mu.Unlock()
	var one = [8]byte{1}
	unix.Write(l.wake, one[:])
}

// takeInjected opens the connections other goroutines handed over.
func (l *loop) takeInjected() {
	l.inj.mu.Lock()
	q := l.inj.q
	l.inj.q = nil
	l.inj.mu.Unlock()
	for _, in := range q {
		if l.stopping.Load() || !l.admit(in.ip) {
			unix.Close(in.fd)
			continue
		}
		l.open(in.fd, in.ln, in.ip)
	}
}

// listenTLS serves a TLS listen's socket: Go's poller accepts and shakes
// hands, the loop serves the plaintext.
func (l *loop) listenTLS(fd int, ln *Listen) error {
	cfg := l.rt.tls[ln]
	if cfg == nil {
		return fmt.Errorf("listen %s:%d: no certificate loaded", ln.IP, ln.Port)
	}
	f := os.NewFile(uintptr(fd), "tls-listener")
	nl, err := net.FileListener(f) // a duplicate descriptor in Go's poller
	f.Close()
	if err != nil {
		return fmt.Errorf("listen %s:%d: %w", ln.IP, ln.Port, err)
	}
	l.tlsLns = append(l.tlsLns, nl)
	go func() {
		for {
			c, err := nl.Accept()
			if err != nil {
				if l.stopping.Load() {
					return
				}
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					continue
				}
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(10 * time.Millisecond) // EMFILE and friends: do not spin
				continue
			}
			go l.terminate(c, ln, cfg)
		}
	}()
	return nil
}

// terminate shakes hands on an accepted connection and pumps bytes between
// it and the loop's end of a socketpair until either side is done.
func (l *loop) terminate(raw net.Conn, ln *Listen, cfg *tls.Config) {
	if tc, ok := raw.(*net.TCPConn); ok {
		tc.SetNoDelay(l.rt.site.TCP.NoDelay)
	}
	tc := tls.Server(raw, cfg)
	tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.Handshake(); err != nil {
		logs.Debugf("TLS handshake with %v: %v", raw.RemoteAddr(), err)
		raw.Close()
		return
	}
	tc.SetDeadline(time.Time{})
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.rt.logErrorOnce("socketpair for TLS: %v", err)
		raw.Close()
		return
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		raw.Close()
		return
	}
	f := os.NewFile(uintptr(fds[1]), "tls-plaintext")
	plain, err := net.FileConn(f)
	f.Close()
	if err != nil {
		unix.Close(fds[0])
		raw.Close()
		return
	}
	var ip [4]byte
	if a, ok := raw.RemoteAddr().(*net.TCPAddr); ok {
		if v4 := a.IP.To4(); v4 != nil {
			copy(ip[:], v4)
		}
	}
	l.inject(injection{fd: fds[0], ln: ln, ip: ip})
	pump(plain, tc)
}

// dialTLS starts a connection to a backend over TLS (forward.ssl): a
// goroutine dials and shakes hands while the loop already writes the
// request into its end of a socketpair. The backend's certificate is not
// verified (hetao did not either: backends are addressed by IP). A dial or
// handshake that fails closes the pair before any byte, which the loop
// takes as a failed connect.
func (l *loop) dialTLS(st *upState, j int) *upConn {
	b := &st.backends[j]
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.rt.logErrorOnce("socketpair for a TLS backend: %v", err)
		return nil
	}
	unix.SetNonblock(fds[0], true)
	f := os.NewFile(uintptr(fds[1]), "tls-backend")
	plain, err := net.FileConn(f)
	f.Close()
	if err != nil {
		unix.Close(fds[0])
		return nil
	}
	up := &upConn{fd: fds[0], st: st, b: j, state: upActive, viaTLS: true}
	if !l.register(up) {
		plain.Close()
		return nil
	}
	addr, timeout := b.addr, time.Duration(min(connectTimeout, l.rt.timeout))*time.Millisecond
	go func() {
		raw, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			logs.Debugf("TLS backend %s: %v", addr, err)
			plain.Close()
			return
		}
		tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
		tc.SetDeadline(time.Now().Add(handshakeTimeout))
		if err := tc.Handshake(); err != nil {
			logs.Debugf("TLS backend %s: %v", addr, err)
			raw.Close()
			plain.Close()
			return
		}
		tc.SetDeadline(time.Time{})
		pump(plain, tc)
	}()
	return up
}

// pump copies between the loop's end of a socketpair and a TLS connection,
// both ways, passing each side's end of stream on, and closes both when
// both directions are done.
func pump(plain net.Conn, tc *tls.Conn) {
	done := make(chan struct{}, 2)
	go func() {
		io.Copy(plain, tc) // peer → loop
		plain.(*net.UnixConn).CloseWrite()
		done <- struct{}{}
	}()
	go func() {
		io.Copy(tc, plain) // loop → peer
		tc.CloseWrite()
		done <- struct{}{}
	}()
	<-done
	<-done
	plain.Close()
	tc.Close()
}
