package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
)

// HTTPS: the loop accepts a TLS listen's connections as it does plain
// ones, and they are admitted then (max_http_session_count and
// max_connections_per_ip count a connection from its accept, as nginx's
// worker_connections does). A goroutine then shakes hands with crypto/tls
// (blocking reads with a deadline keep that simple) and hands the socket
// and its *tls.Conn back to the loop, which runs the record layer from then
// on (tlsloop_linux.go) and otherwise serves the connection as a plain one:
// the same parser, cache, proxy and logs. (It went through a socketpair and
// two copying goroutines before: twice nginx's CPU per HTTPS request.)
//
// The admission counts belong to the loop's thread: a connection is counted
// at accept (a session, and one for its address), and the goroutine always
// reports back through inject, either with the socket (the loop then
// opens it under the same count) or with fd -1 when the handshake failed
// (the loop then gives the count back). A plain HTTP request answered 400
// by the goroutine comes back with that fd -1 and its access-log line,
// which the loop writes into its own buffer: the goroutine touches no log
// buffer.

// injection is a TLS connection handed back to the loop by its
// terminator: fd is its socket, with tls its record layer, or -1 when the
// handshake failed. Either way the connection was admitted at accept.
// A failed one may bring the access-log line (no newline) of a plain HTTP
// request it answered, for site's log.
type injection struct {
	fd   int
	ln   *Listen
	ip   ipAddr
	tls  *tlsConn // the record layer the loop runs from now on
	site *Website
	line []byte
}

// injector queues connections for a loop; the loop takes them when its
// eventfd wakes it.
type injector struct {
	mu sync.Mutex
	q  []injection
}

// handshakes lets a stopping loop abandon the handshakes that do not
// finish (they are counted as sessions, which the loop waits for).
type handshakes struct {
	ctx     context.Context
	cancel  context.CancelFunc
	abandon *time.Timer // set once the loop stops
}

// stop abandons the handshakes still in progress after grace. Those that
// finish meanwhile are served as the loop serves a stopping connection:
// with TLS 1.3 the client takes its handshake for complete before the
// server has read its Finished, and it may have sent its requests already;
// cancelling then would close the connection under them, and an HTTP/2
// client that had no GOAWAY fails them instead of sending them again.
// Only the loop's thread calls it.
func (h *handshakes) stop(grace time.Duration) {
	if h.cancel != nil && h.abandon == nil {
		h.abandon = time.AfterFunc(grace, h.cancel)
	}
}

func (l *loop) inject(in injection) {
	l.inj.mu.Lock()
	l.inj.q = append(l.inj.q, in)
	l.inj.mu.Unlock()
	// A loop that took the queue through an earlier wake-up may have
	// drained and released its eventfd meanwhile: wakeUp checks.
	l.wakeUp()
}

// takeInjected opens the connections whose handshakes succeeded and gives
// back the admission of those that failed, logging the plain HTTP requests
// they answered. A connection whose handshake ends while the loop stops is
// opened too, never closed unanswered: its client may have sent requests
// already. HTTP/2 gets GOAWAY at once (startH2), so the client sends them
// again elsewhere; HTTP/1.x has its request answered with Connection:
// close, or is closed idle as a fresh connection is (drainStep).
func (l *loop) takeInjected() {
	l.inj.mu.Lock()
	q := l.inj.q
	l.inj.q = nil
	l.inj.mu.Unlock()
	for _, in := range q {
		if in.site != nil {
			b := &l.access[in.site.id]
			b.B = append(b.B, in.line...)
			b.Line()
		}
		if in.fd < 0 {
			l.unadmit(in.ip)
			continue
		}
		// open counts the session again; the address stays counted from
		// admit until the connection closes, as a plain one's does.
		l.sessions.Add(-1)
		l.open(in.fd, in.ln, in.ip, in.tls)
	}
}

// listenTLS adds a TLS listen's socket to the loop: it is accepted as a
// plain one and each connection admitted goes to handshake.
func (l *loop) listenTLS(fd int, ln *Listen) error {
	if l.rt.tls[ln] == nil {
		return fmt.Errorf("listen %s:%d: no certificate loaded", ln.IP, ln.Port)
	}
	if l.hs.ctx == nil {
		l.hs.ctx, l.hs.cancel = context.WithCancel(context.Background())
	}
	l.lns = append(l.lns, listener{fd, ln})
	return l.add(fd, unix.EPOLLIN)
}

// handshake takes an accepted and admitted connection of a TLS listen: it
// stays counted as a session until its terminator hands it back.
func (l *loop) handshake(fd int, ln *Listen, ip ipAddr) {
	l.sessions.Add(1)
	// The site's timeout bounds a handshake, and tune.handshake further
	// (the loop's timers start once the connection is handed over).
	timeout := min(time.Duration(l.rt.timeout)*time.Millisecond, l.rt.tune.handshake)
	go l.terminate(fd, ln, ip, timeout)
}

// terminate shakes hands on an accepted connection and hands it, with its
// record layer, to the loop. It always ends with exactly one inject.
func (l *loop) terminate(fd int, ln *Listen, ip ipAddr, timeout time.Duration) {
	failed := injection{fd: -1, ln: ln, ip: ip}
	f := os.NewFile(uintptr(fd), "tls-client")
	raw, err := net.FileConn(f) // a duplicate descriptor in Go's poller
	f.Close()
	if err != nil {
		l.inject(failed)
		return
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		tc.SetNoDelay(l.rt.site.TCP.NoDelay)
	}
	rec := &recordConn{Conn: raw, max: l.rt.headCap}
	tio := &tlsIO{Conn: rec, fd: -1}
	tc := tls.Server(tio, l.rt.tls[ln])
	raw.SetDeadline(time.Now().Add(timeout))
	err = tc.HandshakeContext(l.hs.ctx)
	l.m.TLSHandshake(err == nil)
	if err != nil {
		l.rt.log.Debugf("TLS handshake with %v: %v", raw.RemoteAddr(), err)
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) && rh.Conn != nil && looksLikeHTTP(rh.RecordHeader[:]) {
			at, sent := answerPlainHTTP(raw, rec)
			if w := defaultSite(ln); w != nil && w.log != nil {
				failed.site = w
				failed.line = plainHTTPLogLine(l.rt.site.AccessLogFormat, at, ip, rec.buf, &l.rt.limits, 400, sent)
			}
		}
		raw.Close()
		l.inject(failed)
		return
	}
	cs := tc.ConnectionState()
	if cs.NegotiatedProtocol == acmeALPN {
		tc.Close() // a CA's TLS-ALPN-01 validation ends with the handshake (tls_acme.go)
		l.inject(failed)
		return
	}
	rec.max, rec.buf = 0, nil // nothing more to keep
	fd, err = handOff(raw)
	if err != nil {
		l.rt.logErrorOnce("TLS connection to the loop: %v", err)
		l.inject(failed)
		return
	}
	// The loop runs the record layer from now on (tlsloop_linux.go);
	// what the client sent after its Finished is buffered in tc already.
	tio.fd = fd
	tio.seal = takeover(tc, &cs)
	l.inject(injection{fd: fd, ln: ln, ip: ip, tls: &tlsConn{tc: tc, io: tio}})
}

// recordConn keeps the first bytes a client sends, up to max, unless they
// begin a TLS handshake record: when they are a plain HTTP request, its
// access-log line is made of them. Only the goroutine that reads the
// connection touches it.
type recordConn struct {
	net.Conn
	buf []byte
	max int // no more is kept once buf has it; 0 keeps nothing
}

func (r *recordConn) Read(b []byte) (int, error) {
	n, err := r.Conn.Read(b)
	if n > 0 && len(r.buf) < r.max {
		if len(r.buf) == 0 && b[0] == 0x16 {
			r.max = 0 // a TLS handshake record: a client speaking TLS
		} else {
			r.buf = append(r.buf, b[:min(n, r.max-len(r.buf))]...)
		}
	}
	return n, err
}

// defaultSite is the website of a listen that a request without a known
// Host goes to, if any.
func defaultSite(ln *Listen) *Website {
	if ln.Hosts == nil {
		return nil
	}
	return ln.Hosts.Default
}

// looksLikeHTTP: the first five bytes, taken for a TLS record header,
// begin an HTTP request line.
func looksLikeHTTP(hdr []byte) bool {
	switch string(hdr) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "DELET", "PATCH", "CONNE", "TRACE":
		return true
	}
	return false
}

const plainHTTPBody = "The plain HTTP request was sent to HTTPS port\n"

// answerPlainHTTP tells a client that spoke HTTP to a TLS listen so, as
// nginx does, then reads off what it sent for a moment, through rec (which
// keeps the rest of its request head if it came late), so that closing
// does not reset the answer away. It returns when it answered and how many
// bytes of the body went out.
func answerPlainHTTP(c net.Conn, rec *recordConn) (time.Time, int64) {
	now := time.Now()
	msg := http1.AppendHTTPDate([]byte("HTTP/1.1 400 Bad Request\r\nServer: hetao\r\nDate: "), now)
	msg = append(msg, "\r\nContent-Type: text/plain\r\nContent-Length: "+
		strconv.Itoa(len(plainHTTPBody))+"\r\nConnection: close\r\n\r\n"+plainHTTPBody...)
	n, _ := c.Write(msg)
	sent := max(n-(len(msg)-len(plainHTTPBody)), 0)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	io.Copy(io.Discard, io.LimitReader(rec, 64<<10))
	return now, int64(sent)
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
	up := &upConn{fd: fds[0], st: st, b: j, state: upHead, viaTLS: true}
	if !l.register(up) {
		plain.Close()
		return nil
	}
	addr, timeout := b.addr, time.Duration(min(l.rt.tune.connect, l.rt.timeout))*time.Millisecond
	log, handshake := l.rt.log, l.rt.tune.handshake
	go func() {
		raw, err := net.DialTimeout("tcp", addr, timeout)
		if err != nil {
			log.Debugf("TLS backend %s: %v", addr, err)
			plain.Close()
			return
		}
		tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"http/1.1"}})
		tc.SetDeadline(time.Now().Add(handshake))
		if err := tc.Handshake(); err != nil {
			log.Debugf("TLS backend %s: %v", addr, err)
			raw.Close()
			plain.Close()
			return
		}
		tc.SetDeadline(time.Time{})
		pump(plain, tc)
	}()
	return up
}

// pump copies between the loop's end of a socketpair and a TLS connection
// to a backend (forward.ssl), both ways, passing each side's end of stream
// on, and closes both when both directions are done.
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
