package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Connections: an error answer ends the stream, pipelining behind a file,
// answers a client does not read stay bounded, a close with the body still
// coming lingers, the request-line limit.

func TestErrorAnswerClosesTheStream(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET /big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=0-99\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasSuffix(out, "0123456789") || strings.Count(out, "HTTP/1.1 2") != 2 {
		t.Errorf("the request behind a sendfile answer was not answered:\n%.300s", out)
	}
}

// max_headers_length bounds the whole head; 414 is for a request line
// that alone, without its CRLF, is longer than it (4096 in the test site).
func TestRequestLineLengthBoundary(t *testing.T) {
	t.Parallel()
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
	ts := startTestSite(t, func(s *Site) { s.HTTP.Timeout = 30 * time.Second; s.HTTP.Elapse = 60 * time.Second })
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

// A request answered with a close while its body is still arriving (HTTP/1.0,
// "Connection: close") must not be reset by an immediate close (RFC 9112
// §9.6): the write side is shut and the rest of the body read off, as after
// an error answer, so the client writes on and reads the whole answer.
func TestCloseWithBodyPendingLingers(t *testing.T) {
	t.Parallel()
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
