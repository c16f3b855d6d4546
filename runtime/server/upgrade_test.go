package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// upgradeBackend is a raw backend for protocol upgrades: it reads request
// heads on each connection it accepts and gives each to serve, which
// answers and says whether to read another one.
type upgradeBackend struct {
	Backend
	accepts atomic.Int32
	heads   chan *http.Request // every request head read, in order
}

type serveFunc func(c net.Conn, br *bufio.Reader, req *http.Request) (more bool)

func newUpgradeBackend(t *testing.T, ln net.Listener, serve serveFunc) *upgradeBackend {
	t.Helper()
	b := &upgradeBackend{Backend: backendAddr(t, ln.Addr().String()), heads: make(chan *http.Request, 100)}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.accepts.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					b.heads <- req
					if !serve(c, br, req) {
						return
					}
				}
			}()
		}
	}()
	return b
}

func listenTCP(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// smallBuffers keeps a socket's kernel buffers small, so that what the
// kernel holds on the way cannot hide how much the site holds.
func smallBuffers(_, _ string, rc syscall.RawConn) error {
	return rc.Control(func(fd uintptr) {
		unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 128<<10)
		unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF, 128<<10)
	})
}

const switched = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Backend: yes\r\n\r\n"

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// echo101 answers an upgrade with 101 and greeting, then echoes what
// comes until the end of stream, which it passes on; a request without
// Upgrade gets a kept-alive "ok". done, when set, hears of each echo's end.
func echo101(greeting string, done chan<- error) serveFunc {
	return func(c net.Conn, br *bufio.Reader, req *http.Request) bool {
		if req.Header.Get("Upgrade") == "" {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			return true
		}
		if _, err := io.WriteString(c, switched+greeting); err != nil {
			return false
		}
		_, err := io.Copy(c, br)
		closeWrite(c)
		if done != nil {
			done <- err
		}
		return false
	}
}

// upgradeClient is a client connection that has asked for an upgrade.
type upgradeClient struct {
	net.Conn
	br   *bufio.Reader
	resp *http.Response
}

const upgradeRequest = "GET /chat?room=1 HTTP/1.1\r\nHost: ws.example\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Forwarded-For: 10.0.0.1\r\nUser-Agent: upgrade-test\r\n\r\n"

// upgradeOn sends req (and early, pipelined behind it) on c and reads the
// answer's head.
func upgradeOn(t *testing.T, c net.Conn, req, early string) *upgradeClient {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(c, req+early); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("reading the answer to an upgrade: %v", err)
	}
	return &upgradeClient{Conn: c, br: br, resp: resp}
}

func dialUpgrade(t *testing.T, addr, early string) *upgradeClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return upgradeOn(t, c, upgradeRequest, early)
}

func (u *upgradeClient) expect(t *testing.T, want string) {
	t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(u.br, got); err != nil || string(got) != want {
		t.Fatalf("read %q, %v; want %q", got, err, want)
	}
}

func (u *upgradeClient) switched(t *testing.T) {
	t.Helper()
	r := u.resp
	if r.StatusCode != 101 || r.Header.Get("Upgrade") != "websocket" || !strings.EqualFold(r.Header.Get("Connection"), "upgrade") || r.Header.Get("X-Backend") != "yes" {
		t.Fatalf("the answer to an upgrade: %d %v", r.StatusCode, r.Header)
	}
}

// waitLog polls the access log (written once per batch of events) until
// it holds want.
func waitLog(t *testing.T, file, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(file)
		if strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("access log lacks %q:\n%s", want, b)
		}
		time.Sleep(10 * time.Millisecond) // polling a file: nothing to wait on
	}
}

func withAccessLog(t *testing.T, tweak func(*Site)) (func(*Site), string) {
	file := filepath.Join(t.TempDir(), "access.log")
	return func(s *Site) {
		s.Listens[0].Hosts.Default.AccessLog = file
		if tweak != nil {
			tweak(s)
		}
	}, file
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// pattern fills b with bytes that depend on their offset in the stream.
func pattern(b []byte, off int64) {
	for i := range b {
		x := uint64(off) + uint64(i)
		b[i] = byte(x ^ x>>8 ^ x>>16)
	}
}

func TestUpgradeTunnel(t *testing.T) {
	ln, err := (&net.ListenConfig{Control: smallBuffers}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	be := newUpgradeBackend(t, ln, echo101("hello from the backend;", nil))
	tweak, accessLog := withAccessLog(t, nil)
	addr := startProxy(t, 'R', []Backend{be.Backend}, tweak)

	// An ordinary request leaves a connection in the pool; the upgrade
	// must not take it.
	if out := raw(t, addr, "GET /plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 200") {
		t.Fatalf("plain request: %.60q", out)
	}
	<-be.heads

	// Bytes pipelined behind the head reach the backend after it; bytes
	// the backend sends with its 101 reach the client after the head.
	c, err := (&net.Dialer{Control: smallBuffers}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	u := upgradeOn(t, c, upgradeRequest, "early;")
	u.switched(t)
	u.expect(t, "hello from the backend;early;")
	head := <-be.heads
	if n := be.accepts.Load(); n != 2 {
		t.Errorf("the upgrade came on %d backend connections in all; want 2 (a fresh one)", n)
	}
	if head.Header.Get("Upgrade") != "websocket" || head.Header.Get("Connection") != "upgrade" ||
		head.Header.Get("Sec-Websocket-Key") != "dGhlIHNhbXBsZSBub25jZQ==" || head.Header.Get("X-Forwarded-For") != "10.0.0.1, 127.0.0.1" ||
		head.Host != "ws.example" || head.RequestURI != "/chat?room=1" {
		t.Errorf("the backend saw %s %s %v", head.Host, head.RequestURI, head.Header)
	}
	for _, m := range []string{"ping", "a somewhat longer message", "x"} {
		io.WriteString(u, m)
		u.expect(t, m)
	}

	// 20 MiB echoed while the client does not read at first: the client's
	// writes go on until every buffer on the way is full (the kernel's may
	// take it all), and the site holds no more than its own: a read's
	// worth waiting for each side.
	const size = 20 << 20
	// The test's own buffers are made before the heap is sampled: only
	// what the site (and the in-process backend) holds is measured.
	wbuf := make([]byte, 64<<10)
	buf, chunk := make([]byte, 64<<10), make([]byte, 64<<10)
	want, got := sha256.New(), sha256.New()
	before := liveHeap()
	var written atomic.Int64
	writeErr := make(chan error, 1)
	go func() {
		buf := wbuf
		for off := int64(0); off < size; off += int64(len(buf)) {
			pattern(buf, off)
			if _, err := u.Write(buf); err != nil {
				writeErr <- err
				return
			}
			written.Add(int64(len(buf)))
		}
		writeErr <- nil
	}()
	last, still := written.Load(), time.Now()
	for deadline := time.Now().Add(20 * time.Second); ; {
		time.Sleep(10 * time.Millisecond) // polling the writer's progress
		if n := written.Load(); n != last {
			last, still = n, time.Now()
			continue
		}
		if time.Since(still) > 300*time.Millisecond || last == size {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the writer never stalled")
		}
	}
	grown := int64(liveHeap()) - int64(before)
	t.Logf("stalled after %d KiB written; live heap grew by %d KiB", last>>10, grown>>10)
	if grown > 1<<20 {
		t.Errorf("the live heap grew by %d KiB while the tunnel was stalled", grown>>10)
	}
	for off := int64(0); off < size; off += int64(len(buf)) {
		if _, err := io.ReadFull(u.br, buf); err != nil {
			t.Fatalf("echo at %d: %v", off, err)
		}
		pattern(chunk, off)
		want.Write(chunk)
		got.Write(buf)
		if off%(4<<20) == 0 {
			if g := int64(liveHeap()) - int64(before); g > 1<<20 {
				t.Errorf("the live heap grew by %d KiB during the transfer", g>>10)
			}
		}
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want.Sum(nil), got.Sum(nil)) {
		t.Fatal("the echo differs from what was sent")
	}

	// The client's end of stream reaches the backend, whose own comes back.
	closeWrite(u.Conn)
	if rest, err := io.ReadAll(u.br); err != nil || len(rest) > 0 {
		t.Fatalf("after the client's end of stream: %q, %v", rest, err)
	}
	sent := len("hello from the backend;early;") + len("pinga somewhat longer messagex") + size
	waitLog(t, accessLog, fmt.Sprintf(`(upgrade-test) - ws.example - "GET /chat?room=1 HTTP/1.1" 101 %d upstream %s:%d`, sent, be.IP, be.Port))
}

// The backend ends its side first: the client gets the end of stream and
// can still send; the tunnel closes when the client ends too.
func TestUpgradeHalfCloseFromBackend(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	be := newUpgradeBackend(t, listenTCP(t), func(c net.Conn, br *bufio.Reader, req *http.Request) bool {
		io.WriteString(c, switched+"bye")
		closeWrite(c)
		b, _ := io.ReadAll(br)
		got <- string(b)
		return false
	})
	addr := startProxy(t, 'R', []Backend{be.Backend}, nil)
	u := dialUpgrade(t, addr, "")
	u.switched(t)
	if b, err := io.ReadAll(u.br); err != nil || string(b) != "bye" {
		t.Fatalf("the backend's last words: %q, %v", b, err)
	}
	io.WriteString(u, "still here")
	select {
	case s := <-got:
		t.Fatalf("the backend saw the end before the client ended: %q", s)
	default:
	}
	closeWrite(u.Conn)
	if s := <-got; s != "still here" {
		t.Fatalf("the backend read %q after its own end", s)
	}
	// Both ways are done: the site closes.
	if n, err := u.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("after both ends: %d, %v", n, err)
	}
}

// A tunnel lives past elapse while bytes move, and closes (both sides)
// after timeout without any. Elapse also bounds the backend's 101, so it
// leaves room for a loaded machine (400 ms gave 504s there).
func TestUpgradeIdleTimeout(t *testing.T) {
	t.Parallel()
	ended := make(chan error, 1)
	be := newUpgradeBackend(t, listenTCP(t), echo101("", ended))
	tweak, accessLog := withAccessLog(t, func(s *Site) { s.HTTP.Timeout, s.HTTP.Elapse = 800*time.Millisecond, 1500*time.Millisecond })
	addr := startProxy(t, 'R', []Backend{be.Backend}, tweak)
	u := dialUpgrade(t, addr, "")
	u.switched(t)
	tick := time.NewTicker(100 * time.Millisecond) // traffic now and then, for longer than elapse
	defer tick.Stop()
	ticks := 0
	// quiet is taken before the last tick is written: the tunnel's last
	// traffic, and so its idle deadline, can only come after it, whereas
	// the moment this goroutine sees the echo can lag far behind on a
	// loaded machine.
	var quiet time.Time
	for start := time.Now(); time.Since(start) < 1800*time.Millisecond; <-tick.C {
		quiet = time.Now()
		io.WriteString(u, "tick")
		u.expect(t, "tick")
		ticks++
	}
	if n, err := u.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("an idle tunnel: %d, %v", n, err)
	}
	if d := time.Since(quiet); d < 600*time.Millisecond || d > 5*time.Second {
		t.Errorf("an idle tunnel closed after %v; timeout is 800 ms", d)
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the backend's side of the idle tunnel stayed open")
	}
	waitLog(t, accessLog, fmt.Sprintf(`"GET /chat?room=1 HTTP/1.1" 101 %d upstream`, 4*ticks))
}

// An upgrade the backend declines is an ordinary answer: the client's
// connection goes on with HTTP, the backend's is not pooled.
func TestUpgradeDeclined(t *testing.T) {
	t.Parallel()
	for _, answer := range []string{
		"HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 4\r\n\r\nnope",
		"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnope",
	} {
		be := newUpgradeBackend(t, listenTCP(t), func(c net.Conn, br *bufio.Reader, req *http.Request) bool {
			if req.Header.Get("Upgrade") != "" {
				io.WriteString(c, answer)
			} else {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			return true
		})
		addr := startProxy(t, 'R', []Backend{be.Backend}, nil)
		u := dialUpgrade(t, addr, "")
		b, err := io.ReadAll(u.resp.Body)
		if err != nil || u.resp.StatusCode == 101 || string(b) != "nope" || u.resp.Header.Get("Upgrade") != "" {
			t.Fatalf("declined upgrade: %d %v %q %v", u.resp.StatusCode, u.resp.Header, b, err)
		}
		io.WriteString(u, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(u.br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(b) != "ok" {
			t.Fatalf("the request after a declined upgrade: %d %q", resp.StatusCode, b)
		}
		if n := be.accepts.Load(); n != 2 {
			t.Errorf("%d backend connections; want 2 (the upgrade's is not pooled)", n)
		}
	}
}

// A 101 that was not asked for is a 502; HTTP/1.0, or an Upgrade field
// that Connection does not name, asks for none.
func TestUpgradeNotAskedFor(t *testing.T) {
	t.Parallel()
	be := newUpgradeBackend(t, listenTCP(t), func(c net.Conn, br *bufio.Reader, req *http.Request) bool {
		io.WriteString(c, switched)
		return false
	})
	addr := startProxy(t, 'R', []Backend{be.Backend}, nil)
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET / HTTP/1.0\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 2\r\n\r\nhi",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		u := upgradeOn(t, c, req, "")
		if u.resp.StatusCode != 502 {
			t.Errorf("%q: %d", req, u.resp.StatusCode)
		}
		if h := <-be.heads; h.Header.Get("Upgrade") != "" || h.Header.Get("Connection") != "" {
			t.Errorf("%q reached the backend with %v", req, h.Header)
		}
	}
}

func TestUpgradeToStaticIgnored(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK") || !strings.HasSuffix(out, "\r\n\r\n0123456789") {
		t.Errorf("an upgrade asked of a static file: %q", out)
	}
}

// echoTransfer sends n bytes through an echoing tunnel while reading them
// back, then ends its side and expects the end of the echo.
func echoTransfer(t *testing.T, u *upgradeClient, n int) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		buf := make([]byte, 32<<10)
		for off := 0; off < n; off += len(buf) {
			pattern(buf, int64(off))
			if _, err := u.Write(buf); err != nil {
				done <- err
				return
			}
		}
		closeWrite(u.Conn)
		done <- nil
	}()
	buf, want := make([]byte, 32<<10), make([]byte, 32<<10)
	for off := 0; off < n; off += len(buf) {
		if _, err := io.ReadFull(u.br, buf); err != nil {
			t.Fatalf("echo at %d: %v", off, err)
		}
		pattern(want, int64(off))
		if !bytes.Equal(buf, want) {
			t.Fatalf("echo differs at %d", off)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if rest, err := io.ReadAll(u.br); err != nil || len(rest) > 0 {
		t.Fatalf("after the end of stream: %q, %v", rest, err)
	}
}

// A TLS client: the loop decrypts and encrypts what the tunnel moves for it,
// ends of stream (close_notify) included.
func TestUpgradeTLSClient(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	be := newUpgradeBackend(t, listenTCP(t), echo101("hi;", nil))
	addr := startProxy(t, 'R', []Backend{be.Backend}, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	u := upgradeOn(t, c, upgradeRequest, "early;")
	u.switched(t)
	u.expect(t, "hi;early;")
	if h := <-be.heads; h.Header.Get("X-Forwarded-Proto") != "https" {
		t.Errorf("X-Forwarded-Proto %q", h.Header.Get("X-Forwarded-Proto"))
	}
	echoTransfer(t, u, 4<<20)
}

// A TLS backend (forward.ssl): the loop's end is a socketpair to the
// goroutine speaking TLS.
func TestUpgradeTLSBackend(t *testing.T) {
	t.Parallel()
	certFile, keyFile, _ := selfSigned(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(listenTCP(t), &tls.Config{Certificates: []tls.Certificate{cert}})
	be := newUpgradeBackend(t, ln, echo101("hi;", nil))
	addr := startProxy(t, 'R', []Backend{be.Backend}, func(s *Site) { s.Upstreams[0].TLS = true })
	u := dialUpgrade(t, addr, "early;")
	u.switched(t)
	u.expect(t, "hi;early;")
	echoTransfer(t, u, 4<<20)
}

// A TLS client's last bytes and its close_notify in one segment: the end
// of stream that crypto/tls keeps behind the data reaches the backend.
func TestUpgradeTLSCloseNotifyWithData(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	be := newUpgradeBackend(t, listenTCP(t), echo101("hi;", nil))
	addr := startProxy(t, 'R', []Backend{be.Backend}, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.HTTP.Timeout = 10 * time.Second
	})
	c, h := dialHeld(t, addr, pool, tls.VersionTLS13)
	h.release()
	u := upgradeOn(t, c, upgradeRequest, "")
	u.switched(t)
	u.expect(t, "hi;")
	h.hold = true
	io.WriteString(c, "last;")
	c.CloseWrite()
	if err := h.release(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if rest, err := io.ReadAll(u.br); err != nil || string(rest) != "last;" {
		t.Fatalf("after the client's end: %q, %v", rest, err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the tunnel passed the client's close_notify on after %v", d)
	}
}
