package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
)

// appConf compiles the example app of testdata/app into a site (its listen
// also takes HTTP/2 with prior knowledge): Echo for
// the website's *.do, and one location per handler. A location without an
// app of its own (/files/) inherits the website's.
const appConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@, "h2c" : 1,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"access_log" : "log/access.log",
			"app" : { "type" : "do", "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Echo" },
			"location" : { "prefix" : "/echo/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Echo" } },
			"location" : { "prefix" : "/stream/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Stream" } },
			"location" : { "prefix" : "/panic/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Panic" } },
			"location" : { "prefix" : "/slow/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Slow" } },
			"location" : { "prefix" : "/status/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Status" } },
			"location" : { "prefix" : "/ctl/", "app" : { "package" : "example.com/hetaoapp", "dir" : "@APP@", "handler" : "Control" } },
			"location" : { "prefix" : "/files/", "wwwroot" : "www" }
		}
	},
	"http_options" : { "timeout" : 2, "elapse" : 20 }
}
`

// echoed is what hetaoapp.Echo answers.
type echoed struct {
	Method, Path, Query, Host, Remote, Proto, Body, Conn string
	XTest                                                string `json:"x-test"`
	Length, Declared                                     int64
	SHA256                                               string
	Chunked                                              bool
}

// rawConn is one client connection that requests are written to by hand.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(15 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

// do sends one request and reads its response whole; a response that
// cannot be read whole is an error.
func (r *rawConn) do(req string) (*http.Response, string, error) {
	r.t.Helper()
	if _, err := io.WriteString(r.c, req); err != nil {
		r.t.Fatal(err)
	}
	method, _, _ := strings.Cut(req, " ")
	resp, err := http.ReadResponse(r.br, &http.Request{Method: method})
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func (r *rawConn) echo(req string) echoed {
	r.t.Helper()
	resp, body, err := r.do(req)
	if err != nil || resp.StatusCode != 200 {
		r.t.Fatalf("%q: %v %v %q", req, err, resp, body)
	}
	var e echoed
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		r.t.Fatalf("%q: %v: %q", req, err, body)
	}
	return e
}

// waitFile polls (the logs are written once per event batch) until file
// holds every string of want.
func waitFile(t *testing.T, file string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b, _ := os.ReadFile(file)
		missing := ""
		for _, w := range want {
			if !strings.Contains(string(b), w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lacks %q:\n%s", file, missing, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestApp(t *testing.T) {
	t.Parallel()
	appDir, err := filepath.Abs(filepath.Join("testdata", "app"))
	if err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":       conf(appConf, "PORT", port, "APP", appDir),
		"www/index.html":   "static index",
		"www/page.html":    "static page",
		"www/files/a.html": "a file beside the apps",
		"www/never.do":     "the source of a .do must not be served",
	})
	start(t, dir, build(t, dir), port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	base := "http://" + addr
	accessLog, errorLog := filepath.Join(dir, "log/access.log"), filepath.Join(dir, "log/error.log")

	t.Run("location and type", func(t *testing.T) {
		c := dialRaw(t, addr)
		e := c.echo("GET /echo/a/b?x=1&y=%20 HTTP/1.1\r\nHost: shop.example\r\nX-Test: hello\r\n\r\n")
		if e.Method != "GET" || e.Path != "/echo/a/b" || e.Query != "x=1&y=%20" || e.XTest != "hello" ||
			e.Host != "shop.example" || e.Remote != "127.0.0.1:0" || e.Proto != "http" || e.Length != 0 {
			t.Errorf("GET on a location's app: %+v", e)
		}
		// *.do: the website's app, a file of that name notwithstanding,
		// and inherited by a location without an app of its own.
		if e := c.echo("GET /never.do HTTP/1.1\r\nHost: a\r\n\r\n"); e.Path != "/never.do" || e.Query != "" {
			t.Errorf("GET /never.do by type: %+v", e)
		}
		if e := c.echo("GET /files/x.do?q=1 HTTP/1.1\r\nHost: a\r\n\r\n"); e.Path != "/files/x.do" || e.Query != "q=1" {
			t.Errorf("GET /files/x.do by type, inherited: %+v", e)
		}
		for path, want := range map[string]string{"/": "static index", "/page.html": "static page", "/files/a.html": "a file beside the apps"} {
			if r := get(t, base+path); r.status != 200 || r.body != want {
				t.Errorf("static %s beside the apps: %d %q", path, r.status, r.body)
			}
		}
	})

	t.Run("bodies", func(t *testing.T) {
		body := make([]byte, 3<<20) // many times the proxy's buffers: streamed with backpressure
		rand.Read(body)
		sum := sha256.Sum256(body)
		resp, err := http.Post(base+"/echo/upload", "application/octet-stream", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		var e echoed
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if e.Method != "POST" || e.Length != int64(len(body)) || e.Declared != int64(len(body)) || e.Chunked || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("POST with Content-Length: %+v", e)
		}
		c := dialRaw(t, addr)
		e = c.echo("POST /echo/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n")
		if e.Body != "hello, world" || e.Length != 12 || !e.Chunked || e.Declared != -1 {
			t.Errorf("chunked POST: %+v", e)
		}
		// Big and chunked, by net/http's client (a body of unknown length).
		pr, pw := io.Pipe()
		go func() { pw.Write(body[:1<<20]); pw.Close() }()
		resp, err = http.Post(base+"/echo/piped", "application/octet-stream", pr)
		if err != nil {
			t.Fatal(err)
		}
		e = echoed{}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		sum = sha256.Sum256(body[:1<<20])
		if e.Length != 1<<20 || !e.Chunked || e.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("chunked POST of 1 MiB: %+v", e)
		}
	})

	t.Run("keep-alive", func(t *testing.T) {
		c := dialRaw(t, addr)
		first := c.echo("GET /echo/1 HTTP/1.1\r\nHost: a\r\n\r\n")
		for i := 2; i <= 6; i++ {
			e := c.echo(fmt.Sprintf("GET /echo/%d HTTP/1.1\r\nHost: a\r\n\r\n", i))
			if e.Path != fmt.Sprintf("/echo/%d", i) || e.Conn != first.Conn {
				t.Errorf("request %d on a kept-alive connection: %+v; the first came on app connection %s", i, e, first.Conn)
			}
		}
	})

	t.Run("status and headers", func(t *testing.T) {
		c := dialRaw(t, addr)
		resp, body, err := c.do("GET /status/ HTTP/1.1\r\nHost: a\r\n\r\n")
		if err != nil || resp.StatusCode != 418 || body != "I'm a teapot (GET)" || resp.Header.Get("X-App") != "hetaoapp" ||
			resp.Header.Get("Cache-Control") != "no-store" || len(resp.Header.Values("Set-Cookie")) != 2 {
			t.Fatalf("an app's own status and fields: %v %v %q", err, resp, body)
		}
		resp, body, err = c.do("HEAD /status/ HTTP/1.1\r\nHost: a\r\n\r\n")
		if err != nil || resp.StatusCode != 418 || body != "" {
			t.Fatalf("HEAD: %v %v %q", err, resp, body)
		}
	})

	t.Run("streaming", func(t *testing.T) {
		c := dialRaw(t, addr)
		io.WriteString(c.c, "GET /stream/ HTTP/1.1\r\nHost: a\r\n\r\n")
		resp, err := http.ReadResponse(c.br, nil)
		if err != nil {
			t.Fatal(err)
		}
		first := make([]byte, len("first;"))
		if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
			t.Fatalf("the flushed part, before the handler goes on: %v %q", err, first)
		}
		if r := get(t, base+"/ctl/release"); r.body != "released" {
			t.Fatalf("release: %d %q", r.status, r.body)
		}
		rest, err := io.ReadAll(resp.Body)
		if err != nil || string(rest) != "second;done" || len(resp.TransferEncoding) == 0 {
			t.Fatalf("the rest: %v %q %v", err, rest, resp.TransferEncoding)
		}
	})

	t.Run("panic", func(t *testing.T) {
		c := dialRaw(t, addr)
		resp, body, err := c.do("GET /panic/ HTTP/1.1\r\nHost: a\r\n\r\n")
		if err != nil || resp.StatusCode != 500 || resp.Header.Get("X-Never-Sent") != "" || !strings.Contains(body, "500") {
			t.Fatalf("a panic: %v %v %q", err, resp, body)
		}
		if e := c.echo("GET /echo/after-panic HTTP/1.1\r\nHost: a\r\n\r\n"); e.Path != "/echo/after-panic" {
			t.Errorf("the request after a panic, same connection: %+v", e)
		}
		if e := c.echo("GET /x.do HTTP/1.1\r\nHost: a\r\n\r\n"); e.Path != "/x.do" {
			t.Errorf("another app after a panic: %+v", e)
		}
		c = dialRaw(t, addr)
		if resp, body, err := c.do("GET /panic/?late=1 HTTP/1.1\r\nHost: a\r\n\r\n"); err == nil {
			t.Errorf("a panic after 5 of 100 bytes gave a whole answer: %v %q", resp, body)
		}
		if r := get(t, base+"/panic/again"); r.status != 500 {
			t.Errorf("the panicking app again: %d", r.status)
		}
		waitFile(t, errorLog,
			"app:example.com/hetaoapp.Panic: panic serving GET /panic/: hetaoapp: deliberate panic",
			"app:example.com/hetaoapp.Panic: panic serving GET /panic/?late=1: hetaoapp: late panic",
			"hetaoapp.go:")
	})

	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		c := dialRaw(t, addr)
		resp, _, err := c.do("GET /slow/ HTTP/1.1\r\nHost: a\r\n\r\n")
		if err != nil || resp.StatusCode != 504 {
			t.Fatalf("an app silent past timeout: %v %v", err, resp)
		}
		if d := time.Since(start); d < 1500*time.Millisecond || d > 8*time.Second {
			t.Errorf("504 after %v with timeout 2", d)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := get(t, base+"/ctl/slow-end")
			if r.body == "context: context canceled" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the slow handler did not learn its client was gone: %q", r.body)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if e := dialRaw(t, addr).echo("GET /echo/after-timeout HTTP/1.1\r\nHost: a\r\n\r\n"); e.Path != "/echo/after-timeout" {
			t.Errorf("after a 504: %+v", e)
		}
	})

	t.Run("over HTTP/2", func(t *testing.T) {
		tr := &xhttp2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		hc := &http.Client{Transport: tr}
		body := make([]byte, 3<<20)
		rand.Read(body)
		sum := sha256.Sum256(body)
		for _, unknown := range []bool{false, true} {
			var r io.Reader = strings.NewReader(string(body))
			if unknown {
				r = io.MultiReader(r) // no content-length: chunked to the app
			}
			resp, err := hc.Post(base+"/echo/h2", "application/octet-stream", r)
			if err != nil {
				t.Fatal(err)
			}
			var e echoed
			err = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			if err != nil || resp.ProtoMajor != 2 || e.Method != "POST" || e.Length != 3<<20 || e.SHA256 != hex.EncodeToString(sum[:]) || e.Chunked != unknown {
				t.Errorf("POST over HTTP/2 (no length: %v): %s %+v %v", unknown, resp.Proto, e, err)
			}
		}
		// A streamed answer is released by another stream of the same
		// connection.
		resp, err := hc.Get(base + "/stream/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		first := make([]byte, len("first;"))
		if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != "first;" {
			t.Fatalf("streamed over HTTP/2: %q %v", first, err)
		}
		if r, err := hc.Get(base + "/ctl/release"); err != nil || r.ProtoMajor != 2 {
			t.Fatalf("release over HTTP/2: %v %v", r, err)
		} else {
			r.Body.Close()
		}
		if rest, err := io.ReadAll(resp.Body); err != nil || string(rest) != "second;done" {
			t.Errorf("the rest of the stream: %q %v", rest, err)
		}
	})

	t.Run("access log", func(t *testing.T) {
		waitFile(t, accessLog,
			`"POST /echo/h2 HTTP/2.0" 200 `,
			`"GET /stream/ HTTP/2.0" 200 17 upstream app:example.com/hetaoapp.Stream`,
			`"GET /echo/a/b?x=1&y=%20 HTTP/1.1" 200 `,
			" upstream app:example.com/hetaoapp.Echo\n",
			`"POST /echo/upload HTTP/1.1" 200 `,
			`"GET /status/ HTTP/1.1" 418 18 upstream app:example.com/hetaoapp.Status`,
			`"GET /panic/ HTTP/1.1" 500 `,
			`"GET /slow/ HTTP/1.1" 504 `,
			`"GET /page.html HTTP/1.1" 200 11`)
	})
}
