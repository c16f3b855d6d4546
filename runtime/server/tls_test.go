package server

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// (namedCert), and returns a pool that trusts it.
func selfSigned(t testing.TB) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	certFile, keyFile = namedCert(t, t.TempDir(), "hetao test")
	b, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("the certificate just written does not parse")
	}
	return certFile, keyFile, pool
}

func TestHTTPS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	client := &http.Client{
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	base := "https://" + ts.addr
	for i := 0; i < 3; i++ {
		resp, err := client.Get(base + "/a.txt")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "0123456789" || resp.TLS == nil {
			t.Fatalf("GET over TLS: %d %q", resp.StatusCode, b)
		}
	}
	// A file beyond the memory cache goes out with sendfile (its head with
	// MSG_MORE) into the plaintext socketpair: whole, then a range of it,
	// twice on one connection.
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	for _, rng := range []string{"", "bytes=1000-1999999", "", "bytes=-5"} {
		req, _ := http.NewRequest("GET", base+"/big.bin", nil)
		if rng != "" {
			req.Header.Set("Range", rng)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		exp, status := want, 200
		switch rng {
		case "bytes=1000-1999999":
			exp, status = want[1000:], 206
		case "bytes=-5":
			exp, status = want[len(want)-5:], 206
		}
		if err != nil || resp.StatusCode != status || !bytes.Equal(b, exp) {
			t.Fatalf("GET big.bin over TLS (Range %q): %d, %d bytes, %v", rng, resp.StatusCode, len(b), err)
		}
	}
	req, _ := http.NewRequest("GET", base+"/x?y=1", nil)
	req.Host = "old.example"
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "https://new.example/x?y=1" {
		t.Errorf("redirect over TLS: Location %q", loc)
	}
	// A client that speaks plain HTTP to the TLS listen is told so.
	out := raw(t, ts.addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400 ") || !strings.HasSuffix(out, plainHTTPBody) || !strings.Contains(out, "\r\nDate: ") {
		t.Errorf("plain request on a TLS listen: %q", out)
	}
	// Anything else that is not TLS gets nothing.
	if out := raw(t, ts.addr, "\x00\x01garbage\r\n\r\n"); out != "" {
		t.Errorf("garbage on a TLS listen answered: %q", out)
	}
}

// partialHello is the start of a TLS record carrying a ClientHello: a
// handshake that never completes.
var partialHello = []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}

func tlsClient(pool *x509.CertPool) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
}

// getTLS requests /a.txt over TLS, retrying for a moment: connections the
// test closed are given back by the loop shortly after.
func getTLS(t *testing.T, client *http.Client, addr string) {
	t.Helper()
	var err error
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		var resp *http.Response
		if resp, err = client.Get("https://" + addr + "/a.txt"); err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "0123456789" {
			t.Fatalf("GET over TLS: %d %q", resp.StatusCode, b)
		}
		return
	}
	t.Fatalf("GET over TLS: %v", err)
}

// TestTLSAdmission: connections that are still shaking hands count against
// max_http_session_count and max_connections_per_ip from their accept.
func TestTLSAdmission(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.Limits.MaxSessions, s.Limits.MaxConnectionsPerIP = 10, 3
	})
	const ips, perIP = 5, 4 // 20 connections from 5 addresses
	type result struct {
		ip     int
		closed bool
		after  time.Duration
	}
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// A connection beyond the limits is closed at its accept; one within
	// them is held until the handshake timeout (10 s). Each is timed from
	// its own dial, so a loaded machine's slow dials do not add up; held
	// means still open after 3 s, and a close must come within 2 s.
	results := make(chan result, ips*perIP)
	for i := 0; i < ips; i++ {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))}}
		for j := 0; j < perIP; j++ {
			start := time.Now()
			c, err := d.Dial("tcp", ts.addr)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
			c.Write(partialHello)
			go func(ip int) {
				c.SetReadDeadline(start.Add(3 * time.Second))
				_, err := c.Read(make([]byte, 1))
				ne, ok := err.(net.Error)
				results <- result{ip, !(ok && ne.Timeout()), time.Since(start)}
			}(i)
		}
	}
	held, heldBy := 0, make([]int, ips)
	for range ips * perIP {
		r := <-results
		if !r.closed {
			held++
			heldBy[r.ip]++
		} else if r.after > 2*time.Second {
			t.Errorf("a connection beyond the limits closed after %v", r.after)
		}
	}
	if held != 10 {
		t.Errorf("%d handshaking connections held, want 10 (max_http_session_count)", held)
	}
	for i, n := range heldBy {
		if n > 3 {
			t.Errorf("127.0.0.%d: %d handshaking connections held, want at most 3", i+1, n)
		}
	}
	// While they are held, even a proper client is refused.
	if _, err := tlsClient(pool).Get("https://" + ts.addr + "/a.txt"); err == nil {
		t.Error("a request beyond the limits was served")
	}
	for _, c := range conns {
		c.Close()
	}
	conns = nil
	getTLS(t, tlsClient(pool), ts.addr)
}

// TestTLSHandshakeTimeout: a stalled handshake ends after the site's
// timeout (under 10 s), and gives its place back.
func TestTLSHandshakeTimeout(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.Limits.MaxConnectionsPerIP = 1
		s.HTTP.Timeout = 300 * time.Millisecond
	})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(partialHello)
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c.Read(make([]byte, 1))
	if d := time.Since(start); err == nil || d < 240*time.Millisecond || d > 2*time.Second {
		t.Fatalf("stalled handshake ended after %v (%v), want about 300 ms", d, err)
	}
	getTLS(t, tlsClient(pool), ts.addr)
}

// TestTLSStopAbandonsHandshakes: a stopping site does not wait for
// handshakes that would never finish.
func TestTLSStopAbandonsHandshakes(t *testing.T) {
	t.Parallel()
	certFile, keyFile, _ := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write(partialHello)
	time.Sleep(100 * time.Millisecond) // accepted
	start := time.Now()
	if !ts.inst.Stop(5 * time.Second) {
		t.Fatal("site did not stop")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stop took %v with a handshake pending", d)
	}
}

// TestTLSPerIPLimitHoldsAfterHandshake: established HTTPS connections keep
// counting against max_connections_per_ip, not only while they shake hands.
func TestTLSPerIPLimitHoldsAfterHandshake(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.Limits.MaxConnectionsPerIP = 2
	})
	cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	var held []*tls.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for i := 0; i < 2; i++ {
		c, err := tls.Dial("tcp", ts.addr, cfg)
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		held = append(held, c)
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	// Two established keep-alive connections from 127.0.0.1: a third is
	// refused before any handshake.
	c, err := tls.Dial("tcp", ts.addr, cfg)
	if err == nil {
		c.Close()
		t.Fatal("a third HTTPS connection from one address was admitted with max_connections_per_ip 2")
	}
	for _, c := range held {
		c.Close()
	}
	held = nil
	getTLS(t, tlsClient(pool), ts.addr)
}

// TestTLSPlainHTTPLogged: a plain HTTP request sent to a TLS listen is
// answered 400 by the terminator, and that answer has its line in the access
// log of the listen's default website, like any other (nginx logs it too):
// the request line as sent, escaped and bounded. Garbage gets neither an
// answer nor a line.
func TestTLSPlainHTTPLogged(t *testing.T) {
	t.Parallel()
	certFile, keyFile, _ := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	plain := func(req string) {
		t.Helper()
		if out := raw(t, ts.addr, req); !strings.HasPrefix(out, "HTTP/1.1 400 ") || !strings.HasSuffix(out, plainHTTPBody) {
			t.Fatalf("plain request %.40q on a TLS listen: %q", req, out)
		}
	}
	// Host names a website without a log: the line still goes to the
	// default website's, as nginx's does.
	plain("GET /plain?x=1 HTTP/1.1\r\nHost: other.example\r\nUser-Agent: probe/2.0 (x)\r\n\r\n")
	plain("GET /a\x01\"b HTTP/1.1\r\nHost: x\r\n\r\n")                // does not parse: the line as sent, escaped
	plain("GET /" + strings.Repeat("L", 10000) + " HTTP/1.1\r\n\r\n") // over max_headers_length: bounded
	if out := raw(t, ts.addr, "\x00\x01garbage\r\n\r\n"); out != "" {
		t.Errorf("garbage on a TLS listen answered: %q", out)
	}
	lines := stopAndReadLog(t, ts, 3)
	sent := fmt.Sprintf(`" 400 %d`, len(plainHTTPBody))
	prefix := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - 127\.0\.0\.1\(`)
	var found [3]bool
	for _, l := range lines {
		if !prefix.MatchString(l) || !strings.HasSuffix(l, sent) {
			t.Errorf("access log line %.200q is not a 400 line of the usual form", l)
		}
		switch {
		case strings.HasSuffix(l, `(probe/2.0) - other.example - "GET /plain?x=1 HTTP/1.1`+sent):
			found[0] = true
		case strings.HasSuffix(l, `"GET /a\x01\x22b HTTP/1.1`+sent):
			found[1] = true
		case strings.Contains(l, `"GET /LLLL`):
			found[2] = true
			if len(l) > 2200 {
				t.Errorf("a long request line logged with %d bytes", len(l))
			}
		}
	}
	if found != [3]bool{true, true, true} {
		t.Errorf("access log lacks a plain request (found %v):\n%.1000s", found, strings.Join(lines, "\n"))
	}
}

// The loop runs the record layer of a TLS connection: requests pipelined
// in one record, a cached body larger than the socket takes (sent from the
// cache as it drains) and a file beyond the cache (read and encrypted a
// piece at a time) all reach a client that reads slowly through a small
// receive buffer, every byte in order; then a body sent in pieces.
func TestTLSSlowReaderPipelined(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	wmem := sendBufferMax() // more than this meets a full socket
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.Limits.MaxFileCache = int64(2 * wmem)
	})
	mid := bytes.Repeat([]byte("cached body "), wmem*3/2/12) // cached, beyond the socket
	if err := os.WriteFile(filepath.Join(ts.www, "mid.txt"), mid, 0o644); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), wmem*3/16) // beyond the cache
	if err := os.WriteFile(filepath.Join(ts.www, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		rc.Control(func(fd uintptr) { unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, 4096) })
		return nil
	}}
	raw, err := d.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var reqs string
	for _, p := range []string{"/mid.txt", "/big.bin", "/a.txt", "/mid.txt"} {
		reqs += "GET " + p + " HTTP/1.1\r\nHost: x\r\n\r\n"
	}
	if _, err := io.WriteString(c, reqs); err != nil { // one record, four requests
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(&slowReader{r: c}, 512)
	for i, want := range [][]byte{mid, big, []byte("0123456789"), mid} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(b, want) {
			t.Fatalf("answer %d: %d, %d of %d bytes, %v", i, resp.StatusCode, len(b), len(want), err)
		}
	}
	// A request whose head and body come in several records.
	for _, part := range []string{"POST /a.txt HTTP/1.1\r\nHost: x\r\n", "Content-Length: 5\r\n\r\n", "he", "llo"} {
		if _, err := io.WriteString(c, part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // separate records on the wire
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 405 {
		t.Fatalf("POST in pieces over TLS: %v %v", resp, err)
	}
}

// slowReader hands out at most 1 KB per read, with a pause now and then,
// so that the server meets a full socket.
type slowReader struct {
	r io.Reader
	n int
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n++; s.n%64 == 0 {
		time.Sleep(time.Millisecond)
	}
	return s.r.Read(p[:min(len(p), 4096)])
}

// heldConn holds what is written to it while hold is set, and sends it all
// with one write on release: records a client writes one after the other
// then reach the server in one segment.
type heldConn struct {
	net.Conn
	hold bool
	buf  []byte
}

func (h *heldConn) Write(p []byte) (int, error) {
	if h.hold {
		h.buf = append(h.buf, p...)
		return len(p), nil
	}
	return h.Conn.Write(p)
}

// SetWriteDeadline is ignored while holding: CloseWrite sets one, for now,
// on the connection under it after its close_notify.
func (h *heldConn) SetWriteDeadline(t time.Time) error {
	if h.hold {
		return nil
	}
	return h.Conn.SetWriteDeadline(t)
}

func (h *heldConn) release() error {
	h.hold = false
	_, err := h.Conn.Write(h.buf)
	h.buf = nil
	return err
}

// dialHeld shakes hands over a heldConn, which then holds what is written.
func dialHeld(t *testing.T, addr string, pool *x509.CertPool, version uint16) (*tls.Conn, *heldConn) {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldConn{Conn: raw}
	c := tls.Client(h, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: version, MaxVersion: version})
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	h.hold = true
	return c, h
}

// TestTLSCloseNotifyWithRequest: a request and the client's close_notify
// in one segment. crypto/tls reads the alert along with the request's
// record and keeps the end for the next read; the socket is empty then, so
// epoll reports nothing more, and the connection must not wait for it.
func TestTLSCloseNotifyWithRequest(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.HTTP.Timeout = 10 * time.Second
	})
	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		c, h := dialHeld(t, ts.addr, pool, version)
		io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		c.CloseWrite()
		if err := h.release(); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("TLS %x: the answer: %v", version, err)
		}
		if b, err := io.ReadAll(br); err != nil || string(b) != "0123456789" {
			t.Fatalf("TLS %x: the body %q, then %v (want the server's close_notify)", version, b, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("TLS %x: the connection closed %v after the client's close_notify", version, d)
		}
	}
}

// TestTLSEndBehindQueuedRequest: a request and then the end of the TCP
// stream (no close_notify) arrive while the answer before them waits for
// the client to read. Epoll reported the end then; once the client reads,
// the request is answered and the connection closes, as a plain one does,
// instead of waiting for an event that will not come.
func TestTLSEndBehindQueuedRequest(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	wmem := sendBufferMax()
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.HTTP.Timeout = 10 * time.Second
	})
	big := bytes.Repeat([]byte("0123456789abcdef"), wmem*3/16) // beyond the socket
	if err := os.WriteFile(filepath.Join(ts.www, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(200 * time.Millisecond) // the answer fills the socket
	io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	raw.(*net.TCPConn).CloseWrite()
	time.Sleep(200 * time.Millisecond) // epoll reports the request and the end
	br := bufio.NewReader(c)
	for i, want := range [][]byte{big, []byte("0123456789")} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(b, want) {
			t.Fatalf("answer %d: %d, %d of %d bytes, %v", i, resp.StatusCode, len(b), len(want), err)
		}
	}
	start := time.Now()
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("after the answers: %v, want the end", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the connection closed %v after the answers", d)
	}
}

// TestTLSStopWaitsForPartialRecord: a keep-alive connection whose next
// request has begun to arrive, its record not yet whole, is not idle: a
// stopping site (reload) answers that request before closing, as it does
// for a plain connection with part of a request head read.
func TestTLSStopWaitsForPartialRecord(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	c, h := dialHeld(t, ts.addr, pool, tls.VersionTLS13)
	h.release()
	br := bufio.NewReader(c)
	req := "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	io.WriteString(c, req)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first answer: %v", err)
	}
	io.ReadAll(io.LimitReader(br, 10))
	h.hold = true
	io.WriteString(c, req) // one record
	rec := h.buf
	h.hold, h.buf = false, nil
	if _, err := h.Conn.Write(rec[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // read by the loop: part of a record
	stopped := make(chan bool, 1)
	go func() { stopped <- ts.inst.Stop(5 * time.Second) }()
	time.Sleep(300 * time.Millisecond) // the loop closes idle connections
	if _, err := h.Conn.Write(rec[10:]); err != nil {
		t.Fatalf("the rest of the record: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the request straddling the stop: %v", err)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || string(b) != "0123456789" {
		t.Fatalf("the request straddling the stop: %q, %v", b, err)
	}
	if !<-stopped {
		t.Error("the site did not stop")
	}
}
