package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Regressions found by the conformance audit.

func TestErrorAnswerClosesTheStream(t *testing.T) {
	ts := startTestSite(t, nil)
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n"))
	time.Sleep(100 * time.Millisecond) // the 413 goes out before the "body" below
	c.Write([]byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	start := time.Now()
	out, _ := io.ReadAll(c)
	if !strings.HasPrefix(string(out), "HTTP/1.1 413") || strings.Count(string(out), "HTTP/1.1") != 1 {
		t.Errorf("after a 413 the next bytes were answered as a request:\n%s", out)
	}
	if time.Since(start) > 2500*time.Millisecond {
		t.Errorf("connection not closed after the error answer (%v)", time.Since(start))
	}
}

func TestPipelinedBehindSendfile(t *testing.T) {
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasSuffix(out, "0123456789") || strings.Count(out, "HTTP/1.1 2") != 2 {
		t.Errorf("the request behind a sendfile answer was not answered:\n%.300s", out)
	}
}

func TestSlashRedirectIsLocal(t *testing.T) {
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET //evil.example/../sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "\r\nLocation: /sub/\r\n") {
		t.Errorf("slash redirect:\n%s", out)
	}
}

func TestPreconditionsAndUnknownMethod(t *testing.T) {
	ts := startTestSite(t, nil)
	etag := get(t, "http://"+ts.addr+"/a.txt").Header.Get("ETag")
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Match", `"nope"`); r.StatusCode != 412 {
		t.Errorf("If-Match mismatch: %d", r.StatusCode)
	}
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Match", etag); r.StatusCode != 200 {
		t.Errorf("If-Match match: %d", r.StatusCode)
	}
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"); r.StatusCode != 412 {
		t.Errorf("If-Unmodified-Since in the past: %d", r.StatusCode)
	}
	if out := raw(t, ts.addr, "BREW /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 501") {
		t.Errorf("unknown method: %.40q", out)
	}
}

// echoBackend answers each request with its request line and chosen headers.
func echoBackend(t *testing.T) Backend {
	s := newHTTPTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s|host=%s|xff=%s|secret=%q", r.Method, r.RequestURI, r.Host, r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Secret"))
	})
	return backendAddr(t, s)
}

func TestProxyHeadersAudit(t *testing.T) {
	addr := startProxy(t, 'R', []Backend{echoBackend(t)}, nil)
	out := raw(t, addr, "GET http://target.example/p?q HTTP/1.1\r\nHost: other\r\nConnection: keep-alive\r\nConnection: X-Secret, close\r\nX-Secret: s\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 5.6.7.8\r\n\r\n")
	for _, want := range []string{"GET /p?q|", "host=target.example|", "xff=1.2.3.4, 5.6.7.8, 127.0.0.1|", `secret=""`} {
		if !strings.Contains(out, want) {
			t.Errorf("backend saw %q; missing %q", out, want)
		}
	}
	out = raw(t, addr, "GET /p HTTP/1.0\r\n\r\n")
	if strings.Contains(out, "host=|") {
		t.Errorf("HTTP/1.0 without Host reached the backend without one: %q", out)
	}
}

func TestProxyBadChunkedBodyIs400(t *testing.T) {
	addr := startProxy(t, 'R', []Backend{echoBackend(t)}, nil)
	out := raw(t, addr, "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400") {
		t.Errorf("bad chunked body to a backend: %.60q", out)
	}
}

func TestProxyRewrittenQueryIsEscaped(t *testing.T) {
	back := echoBackend(t)
	up := &Upstream{Name: "t", Rule: 'R', Servers: []Backend{back}}
	addr := startProxy(t, 'R', []Backend{back}, func(s *Site) {
		s.Upstreams = []*Upstream{up}
		s.Listens[0].Hosts.Default.Serve = func(c *Ctx) {
			q := "q=" + string(c.Path[3:]) // from /r/…, decoded: may hold CR, LF, spaces
			c.RewriteTo([]byte("/e.php?" + strings.NewReplacer("%", "%25").Replace(q)))
			if !c.Answered() {
				c.Forward(up)
			}
		}
	})
	out := raw(t, addr, "GET /r/a%0d%0ab%20c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "GET /e.php?q=a%0D%0Ab%20c|") {
		t.Errorf("rewritten query reached the backend as %q", out)
	}
}

func TestManyPipelinedForwardedRequests(t *testing.T) {
	addr := startProxy(t, 'R', []Backend{echoBackend(t)}, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const n = 300
	go func() {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "GET /p%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
		}
		c.Write([]byte(b.String()))
	}()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i := 0; i < n; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if !strings.HasPrefix(string(b), fmt.Sprintf("GET /p%d|", i)) {
			t.Fatalf("response %d out of order: %q", i, b)
		}
	}
}

// newHTTPTestServer starts a net/http backend and returns its address.
func newHTTPTestServer(t *testing.T, h http.HandlerFunc) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

// max_headers_length bounds the whole head; 414 is for a request line
// that alone, without its CRLF, is longer than it (4096 in the test site).
func TestRequestLineLengthBoundary(t *testing.T) {
	ts := startTestSite(t, nil)
	for _, tc := range []struct {
		line int // bytes of the request line without its CRLF
		want string
	}{
		{4000, "HTTP/1.1 200 "},
		{4095, "HTTP/1.1 431 "},
		{4096, "HTTP/1.1 431 "},
		{4097, "HTTP/1.1 414 "},
	} {
		target := "/a.txt?" + strings.Repeat("q", tc.line-len("GET /a.txt? HTTP/1.1"))
		req := "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		if out := raw(t, ts.addr, req); !strings.HasPrefix(out, tc.want) {
			t.Errorf("request line of %d bytes: %.40q; want %q", tc.line, out, tc.want)
		}
	}
}

// Clients that pipeline many small requests for a larger page and read
// nothing: the answers waiting for them stay bounded per connection
// instead of growing with what one read brought in (the audit saw 7 MB per
// connection).
func TestPipelinedAnswersNotReadStayBounded(t *testing.T) {
	ts := startTestSite(t, func(s *Site) { s.HTTP.Timeout = 30; s.HTTP.Elapse = 60 })
	page := get(t, "http://"+ts.addr+"/press.html")
	if page.StatusCode != 200 || len(body(page)) < 3000 {
		t.Fatalf("press.html: %d", page.StatusCode)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	req := []byte("GET /press.html HTTP/1.1\r\nHost: x\r\n\r\n")
	burst := bytes.Repeat(req, (64<<10)/len(req)) // ~1,700 requests, ~6 MB of answers
	const conns = 20
	var cs []net.Conn
	for i := 0; i < conns; i++ {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write(burst) // may stop short once the server stops reading
		cs = append(cs, c)
	}
	// Let the loop do all it will with what it read.
	deadline := time.Now().Add(2 * time.Second)
	grown := uint64(0)
	for time.Now().Before(deadline) {
		if h := heap(); h > before {
			grown = max(grown, h-before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("heap grew by %d KiB for %d connections", grown>>10, conns)
	if grown > conns*(512<<10) {
		t.Fatalf("heap grew by %d MiB for %d non-reading pipelining clients", grown>>20, conns)
	}
	// The answers are all there for a client that reads.
	c := cs[0]
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for i := 0; i < 50; i++ {
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("answer %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
	}
}

// Accept-Encoding and If-None-Match sent as several field lines count as
// one list each, as RFC 9110 §5.3 says.
func TestRepeatedListFieldLines(t *testing.T) {
	ts := startTestSite(t, nil)
	ask := func(lines string) string {
		return raw(t, ts.addr, "GET /press.html HTTP/1.1\r\nHost: x\r\n"+lines+"Connection: close\r\n\r\n")
	}
	if r := ask("Accept-Encoding: br\r\nAccept-Encoding: gzip\r\n"); !strings.Contains(r, "Content-Encoding: gzip") {
		t.Errorf("gzip on a second Accept-Encoding line not used:\n%.200s", r)
	}
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: identity;q=0\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 406") {
		t.Errorf("identity;q=0 on a second line ignored:\n%.200s", r)
	}
	first := ask("")
	i := strings.Index(first, "ETag: ")
	if i < 0 {
		t.Fatalf("no ETag:\n%s", first)
	}
	etag := first[i+6 : i+strings.Index(first[i:], "\r\n")]
	if r := ask("If-None-Match: \"zz\"\r\nIf-None-Match: " + etag + "\r\n"); !strings.HasPrefix(r, "HTTP/1.1 304") {
		t.Errorf("the ETag on a second If-None-Match line: \n%.200s", r)
	}
}

// An If-Modified-Since in the future is ignored (nginx: 200), and a Host
// with an empty label is a bad request (nginx: 400).
func TestFutureIfModifiedSinceAndDotDotHost(t *testing.T) {
	ts := startTestSite(t, nil)
	future := time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(time.Hour).Add(-time.Hour).UTC().Format(http.TimeFormat)
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "+future+"\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 200") {
		t.Errorf("future If-Modified-Since:\n%.120s", r)
	}
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "+past+"\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 304") {
		t.Errorf("If-Modified-Since now:\n%.120s", r)
	}
	if r := raw(t, ts.addr, "GET / HTTP/1.1\r\nHost: ..\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 400") {
		t.Errorf("Host ..:\n%.120s", r)
	}
}

// A request answered with a close while its body is still arriving (HTTP/1.0,
// "Connection: close") must not be reset by an immediate close (RFC 9112
// §9.6): the write side is shut and the rest of the body read off, as after
// an error answer, so the client writes on and reads the whole answer.
func TestCloseWithBodyPendingLingers(t *testing.T) {
	ts := startTestSite(t, nil)
	for _, head := range []string{
		"POST /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 900000\r\n\r\n",
		"POST /a.txt HTTP/1.0\r\nContent-Length: 900000\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 900000\r\n\r\n",
		"PUT /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n",
		// a bad chunk after the answer: closed, but not reset either
		"PUT /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	} {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		piece := bytes.Repeat([]byte("x"), 64<<10)
		c.Write([]byte(head))
		c.Write(piece)
		time.Sleep(200 * time.Millisecond) // answered, and closed meanwhile
		c.SetDeadline(time.Now().Add(3 * time.Second))
		_, werr := c.Write(piece)
		out, rerr := io.ReadAll(c)
		c.Close()
		if werr != nil || rerr != nil || !strings.HasPrefix(string(out), "HTTP/1.1 ") {
			t.Errorf("%q: write %v, read %v after:\n%.100s", head, werr, rerr, out)
		}
	}
}
