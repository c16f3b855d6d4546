package server

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The request a backend sees: hop-by-hop and forwarding fields, a bad
// chunked body, an escaped rewritten query, many pipelined requests in
// order.

// echoBackend answers each request with its request line and chosen headers.
func echoBackend(t *testing.T) Backend {
	s := newHTTPTestServer(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s|host=%s|xff=%s|secret=%q", r.Method, r.RequestURI, r.Host, r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Secret"))
	})
	return backendAddr(t, s)
}

func TestProxyHeadersAudit(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	addr := startProxy(t, 'R', []Backend{echoBackend(t)}, nil)
	out := raw(t, addr, "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 400") {
		t.Errorf("bad chunked body to a backend: %.60q", out)
	}
}

func TestProxyRewrittenQueryIsEscaped(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
