package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/server"
)

// startApp runs a site in this process whose default website sends every
// request to an app of h, and returns its address, the app and the error
// log's path.
func startApp(t *testing.T, h http.HandlerFunc, timeout time.Duration) (string, *Server, string) {
	t.Helper()
	a := New(h)
	up := &server.Upstream{Name: "app:test.Handler", App: a}
	w := &server.Website{Serve: func(c *server.Ctx) { c.Forward(up) }}
	errLog := filepath.Join(t.TempDir(), "error.log")
	site := &server.Site{
		Conf: "app-test", Workers: 1, ErrorLog: errLog, LogLevel: logs.Error,
		Limits: server.Limits{MaxSessions: 100, MaxFileCache: 1 << 20, MaxConnectionsPerIP: -1,
			MaxHeaders: 64, MaxHeadBytes: 8192, MaxBody: 1 << 20},
		TCP:       server.TCPOptions{NoDelay: true, Linger: -1},
		HTTP:      server.HTTPOptions{Timeout: timeout, Elapse: 30 * time.Second, ForwardDisable: 60 * time.Second},
		Listens:   []*server.Listen{{IP: "127.0.0.1", Hosts: &server.HostTable{Default: w}}},
		Upstreams: []*server.Upstream{up},
	}
	inst, err := server.Start(site)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		inst.Stop(5 * time.Second)
		a.Close()
	})
	return fmt.Sprintf("127.0.0.1:%d", site.Listens[0].Port), a, errLog
}

// exchange sends raw requests on one connection and reads one response
// per request.
type exchange struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dial(t *testing.T, addr string) *exchange {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return &exchange{t: t, c: c, br: bufio.NewReader(c)}
}

func (e *exchange) do(req string) (*http.Response, string, error) {
	e.t.Helper()
	if _, err := io.WriteString(e.c, req); err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.ReadResponse(e.br, nil)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestRequestAsTheAppSeesIt(t *testing.T) {
	addr, a, _ := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-App", "yes")
		fmt.Fprintf(w, "%s %s host=%s remote=%s real=%s proto=%s body=%q",
			r.Method, r.URL.RequestURI(), r.Host, r.RemoteAddr, r.Header.Get("X-Real-IP"), r.Header.Get("X-Forwarded-Proto"), b)
	}, 5*time.Second)
	e := dial(t, addr)
	for i := range 4 {
		resp, body, err := e.do(fmt.Sprintf("POST /a/b?x=%d HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 5\r\n\r\nhello", i))
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`POST /a/b?x=%d host=shop.example remote=127.0.0.1:0 real=127.0.0.1 proto=http body="hello"`, i)
		if resp.StatusCode != 200 || body != want || resp.Header.Get("X-App") != "yes" {
			t.Fatalf("request %d: %d %v %q\nwant %q", i, resp.StatusCode, resp.Header, body, want)
		}
	}
	// HTTP/1.0 without Host: the app still gets a valid one.
	e = dial(t, addr)
	if resp, body, err := e.do("GET /old HTTP/1.0\r\n\r\n"); err != nil || resp.StatusCode != 200 || !strings.Contains(body, "host=localhost ") {
		t.Errorf("HTTP/1.0 without Host: %v %v %q", err, resp, body)
	}
	a.ln.mu.Lock()
	pushed := a.ln.pushed
	a.ln.mu.Unlock()
	if pushed != 1 {
		t.Errorf("%d socketpairs for 5 sequential requests; want 1, reused", pushed)
	}
}

func TestPanic(t *testing.T) {
	addr, _, errLog := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/early":
			w.Header().Set("X-Lost", "1")
			panic("early boom")
		case "/late":
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "partial")
			panic("late boom")
		}
		io.WriteString(w, "fine")
	}, 5*time.Second)
	e := dial(t, addr)
	resp, body, err := e.do("GET /early HTTP/1.1\r\nHost: a\r\n\r\n")
	if err != nil || resp.StatusCode != 500 || resp.Header.Get("X-Lost") != "" || !strings.Contains(body, "500 Internal Server Error") {
		t.Fatalf("panic before the answer: %v %v %q", err, resp, body)
	}
	if resp, body, err := e.do("GET /next HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil || resp.StatusCode != 200 || body != "fine" {
		t.Fatalf("the request after a panic, same connection: %v %v %q", err, resp, body)
	}
	resp, body, err = e.do("GET /late HTTP/1.1\r\nHost: a\r\n\r\n")
	if err == nil {
		t.Fatalf("a panic after 7 of 100 bytes gave a whole answer: %v %q", resp, body)
	}
	log, _ := os.ReadFile(errLog)
	for _, want := range []string{"app:test.Handler: panic serving GET /early: early boom", "app:test.Handler: panic serving GET /late: late boom", "app_test.go"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("error log lacks %q:\n%s", want, log)
		}
	}
}

func TestStreamingAndTimeout(t *testing.T) {
	release := make(chan struct{})
	cancelled := make(chan error, 1)
	addr, _, _ := startApp(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stream":
			io.WriteString(w, "first;")
			w.(http.Flusher).Flush()
			<-release
			io.WriteString(w, "second")
		case "/slow":
			select {
			case <-r.Context().Done():
				cancelled <- r.Context().Err()
			case <-time.After(20 * time.Second):
				cancelled <- nil
			}
		}
	}, 300*time.Millisecond)
	e := dial(t, addr)
	io.WriteString(e.c, "GET /stream HTTP/1.1\r\nHost: a\r\n\r\n")
	resp, err := http.ReadResponse(e.br, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := make([]byte, len("first;"))
	if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
		t.Fatalf("the flushed part before the handler goes on: %v %q", err, first)
	}
	close(release)
	if rest, err := io.ReadAll(resp.Body); err != nil || string(rest) != "second" {
		t.Fatalf("the rest: %v %q", err, rest)
	}

	start := time.Now()
	if resp, _, err := e.do("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil || resp.StatusCode != 504 {
		t.Fatalf("an app silent past timeout: %v %v", err, resp)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("504 after %v with timeout 300ms", d)
	}
	select {
	case err := <-cancelled:
		if err != context.Canceled {
			t.Errorf("the slow handler's context: %v, want canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the slow handler never learnt that its client was gone")
	}
}
