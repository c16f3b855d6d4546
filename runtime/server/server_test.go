package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/phash"
	"github.com/hetaoc/hetao/runtime/static"
)

// testSite assembles by hand what a generated site would: two websites on
// one listen, a MIME table and limits.
type testSite struct {
	site   *Site
	inst   *Instance
	addr   string
	www    string
	other  string
	logDir string
}

func mimeTable(t testing.TB) *MIMETable {
	exts := map[string]static.MIME{
		"html": {Type: "text/html", Compress: true},
		"txt":  {Type: "text/plain", Compress: true},
		"css":  {Type: "text/css", Compress: true},
		"png":  {Type: "image/png"},
		"bin":  {Type: "application/octet-stream"},
	}
	keys := make([]string, 0, len(exts))
	for k := range exts {
		keys = append(keys, k)
	}
	tab, err := phash.Build(keys, false)
	if err != nil {
		t.Fatal(err)
	}
	types := make([]static.MIME, len(tab.Keys))
	for i, k := range tab.Keys {
		if k != "" {
			types[i] = exts[k]
		}
	}
	return &MIMETable{Table: tab, Types: types}
}

func serveStatic(root *static.Root) func(*Ctx) {
	return func(c *Ctx) { c.Static(root) }
}

func startTestSite(t testing.TB, tweak func(*Site)) *testSite {
	t.Helper()
	dir := t.TempDir()
	ts := &testSite{www: filepath.Join(dir, "www"), other: filepath.Join(dir, "other"), logDir: filepath.Join(dir, "log")}
	write := func(path, body string) {
		p := filepath.Join(path)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(ts.www, "index.html"), "<h1>home</h1>\n")
	write(filepath.Join(ts.www, "press.html"), strings.Repeat("<p>hetao press page, compressible text.</p>\n", 80))
	write(filepath.Join(ts.www, "sub", "index.html"), "<h1>sub</h1>\n")
	write(filepath.Join(ts.www, "a.txt"), "0123456789")
	write(filepath.Join(ts.www, "noext"), "no extension")
	write(filepath.Join(ts.other, "index.html"), "<h1>other</h1>\n")
	write(filepath.Join(dir, "secret.txt"), "secret")
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB: beyond the cache limit
	write(filepath.Join(ts.www, "big.bin"), string(big))
	os.Symlink(filepath.Join(dir, "secret.txt"), filepath.Join(ts.www, "escape.txt"))

	index := []string{"/index.html", "/index.htm"}
	def := &Website{Domain: "", AccessLog: filepath.Join(ts.logDir, "access.log"), Root: &static.Root{Dir: ts.www, Index: index}}
	def.Serve = serveStatic(def.Root)
	other := &Website{Domain: "other.example", Root: &static.Root{Dir: ts.other, Index: index}}
	other.Serve = serveStatic(other.Root)
	redir := &Website{Domain: "old.example"}
	redir.Serve = func(c *Ctx) { c.Redirect(301, "new.example") }
	tab, err := phash.Build([]string{"other.example", "old.example"}, true)
	if err != nil {
		t.Fatal(err)
	}
	sites := make([]*Website, len(tab.Keys))
	for i, k := range tab.Keys {
		switch k {
		case "other.example":
			sites[i] = other
		case "old.example":
			sites[i] = redir
		}
	}
	ts.site = &Site{
		Conf:     "test",
		Workers:  1,
		LogLevel: logs.Error,
		Limits: Limits{
			MaxSessions: 1000, MaxFileCache: 256 << 10, MaxConnectionsPerIP: -1,
			MaxHeaders: 32, MaxHeadBytes: 4096, MaxBody: 1 << 20,
		},
		TCP:     TCPOptions{NoDelay: true, Linger: -1},
		HTTP:    HTTPOptions{Compress: true, Timeout: 5 * time.Second, Elapse: 10 * time.Second},
		Listens: []*Listen{{IP: "127.0.0.1", Port: 0, Hosts: &HostTable{Table: tab, Sites: sites, Default: def}}},
		MIME:    mimeTable(t),
	}
	if tweak != nil {
		tweak(ts.site)
	}
	ts.inst, err = Start(ts.site)
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = fmt.Sprintf("127.0.0.1:%d", ts.site.Listens[0].Port)
	t.Cleanup(func() {
		if !ts.inst.Stop(5 * time.Second) {
			t.Error("server did not stop")
		}
	})
	return ts
}

// raw sends request bytes on a new connection and returns the bytes the
// server sends back, read by their framing: one final answer per request
// in req (as net/http parses them; interim 1xx answers aside), or up to the
// end of the stream after an answer that closes the connection, a 101 or
// one that cannot be parsed. It never waits for silence.
func raw(t testing.TB, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(req))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var out bytes.Buffer
	readAnswers(bufio.NewReader(io.TeeReader(c, &out)), requestMethods(req))
	return out.String()
}

// requestMethods lists the methods of the requests in req, as far as
// net/http can parse them.
func requestMethods(req string) []string {
	var methods []string
	br := bufio.NewReader(strings.NewReader(req))
	for {
		r, err := http.ReadRequest(br)
		if err != nil {
			return methods
		}
		methods = append(methods, r.Method)
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return methods
		}
	}
}

// readAnswers reads one final answer per method from br, by its framing;
// after an answer that ends the connection (or none it can parse), it
// reads to the end of the stream.
func readAnswers(br *bufio.Reader, methods []string) {
	for i := 0; i < len(methods); {
		resp, err := http.ReadResponse(br, &http.Request{Method: methods[i]})
		if err != nil {
			io.Copy(io.Discard, br)
			return
		}
		if resp.StatusCode == 101 {
			io.Copy(io.Discard, br)
			return
		}
		_, err = io.Copy(io.Discard, resp.Body)
		if err != nil || resp.Close {
			io.Copy(io.Discard, br)
			return
		}
		if resp.StatusCode >= 200 {
			i++
		}
	}
	if len(methods) == 0 {
		io.Copy(io.Discard, br) // no request net/http can read: the server answers and closes
	}
}

func get(t testing.TB, url string, hdr ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

func body(r *http.Response) string {
	b, _ := io.ReadAll(r.Body)
	return string(b)
}

func TestStaticBasics(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	base := "http://" + ts.addr
	cases := []struct {
		path, host string
		status     int
		want       string
		ctype      string
	}{
		{"/", "", 200, "<h1>home</h1>\n", "text/html"},
		{"/index.html", "", 200, "<h1>home</h1>\n", "text/html"},
		{"/sub/", "", 200, "<h1>sub</h1>\n", "text/html"},
		{"/a.txt?v=1", "", 200, "0123456789", "text/plain"},
		{"/noext", "", 200, "no extension", "application/octet-stream"},
		{"/missing.html", "", 404, "", "text/html"},
		{"/", "other.example", 200, "<h1>other</h1>\n", "text/html"},
		{"/", "OTHER.example:8080", 200, "<h1>other</h1>\n", "text/html"},
		{"/", "unknown.example", 200, "<h1>home</h1>\n", "text/html"},
		{"/escape.txt", "", 403, "", "text/html"},
		{"/%2e%2e/secret.txt", "", 400, "", "text/html"},
		{"/sub/%2e%2e/a.txt", "", 200, "0123456789", "text/plain"},
	}
	for _, tc := range cases {
		r := get(t, base+tc.path, "Host", tc.host)
		b := body(r)
		if r.StatusCode != tc.status || (tc.want != "" && b != tc.want) {
			t.Errorf("GET %s (Host %q) = %d %q, want %d %q", tc.path, tc.host, r.StatusCode, b, tc.status, tc.want)
		}
		if ct := r.Header.Get("Content-Type"); ct != tc.ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", tc.path, ct, tc.ctype)
		}
		if r.Header.Get("Date") == "" || r.Header.Get("Server") == "" {
			t.Errorf("GET %s: no Date or Server", tc.path)
		}
	}
}

func TestDirectoryRedirectAndRedirectSite(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	r := get(t, "http://"+ts.addr+"/sub?x=1")
	if r.StatusCode != 301 || r.Header.Get("Location") != "/sub/?x=1" {
		t.Errorf("dir without slash: %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
	r = get(t, "http://"+ts.addr+"/a/b?c=d", "Host", "old.example")
	if r.StatusCode != 301 || r.Header.Get("Location") != "http://new.example/a/b?c=d" {
		t.Errorf("redirect: %d Location %q", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestCompressionAndValidators(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	url := "http://" + ts.addr + "/press.html"
	plain := get(t, url)
	want := body(plain)
	gz := get(t, url, "Accept-Encoding", "gzip, deflate")
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip: headers %v", gz.Header)
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(zr)
	if string(got) != want {
		t.Fatal("gzip body does not inflate to the file")
	}
	if r := get(t, url, "Accept-Encoding", "gzip;q=0, deflate"); r.Header.Get("Content-Encoding") != "deflate" {
		t.Errorf("gzip;q=0, deflate gave %q", r.Header.Get("Content-Encoding"))
	}
	if r := get(t, url, "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 gave %q", r.Header.Get("Content-Encoding"))
	}
	etag, lm := plain.Header.Get("ETag"), plain.Header.Get("Last-Modified")
	if r := get(t, url, "If-None-Match", etag); r.StatusCode != 304 || body(r) != "" {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}
	if r := get(t, url, "If-Modified-Since", lm); r.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", r.StatusCode)
	}
	if r := get(t, url, "Range", "bytes=0-9"); r.StatusCode != 206 || body(r) != want[:10] || r.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-9/%d", len(want)) {
		t.Errorf("Range: %d %q", r.StatusCode, r.Header.Get("Content-Range"))
	}
	if r := get(t, url, "Range", "bytes=999999-"); r.StatusCode != 416 {
		t.Errorf("unsatisfiable Range: %d", r.StatusCode)
	}
}

func TestBigFileSendfile(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	r := get(t, "http://"+ts.addr+"/big.bin")
	want, _ := os.ReadFile(filepath.Join(ts.www, "big.bin"))
	if r.StatusCode != 200 || body(r) != string(want) {
		t.Fatalf("big file: %d, %d bytes", r.StatusCode, r.ContentLength)
	}
	r = get(t, "http://"+ts.addr+"/big.bin", "Range", "bytes=1000-1999")
	if r.StatusCode != 206 || body(r) != string(want[1000:2000]) {
		t.Fatalf("big file range: %d", r.StatusCode)
	}
}

func TestFileChangeSeenAtNextRequest(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	url := "http://" + ts.addr + "/a.txt"
	if b := body(get(t, url)); b != "0123456789" {
		t.Fatalf("first: %q", b)
	}
	os.WriteFile(filepath.Join(ts.www, "a.txt"), []byte("changed"), 0o644)
	deadline := time.Now().Add(2 * time.Second)
	for {
		b := body(get(t, url))
		if b == "changed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %q after the file changed", b)
		}
		time.Sleep(5 * time.Millisecond) // inotify delivers asynchronously
	}
	os.Remove(filepath.Join(ts.www, "a.txt"))
	deadline = time.Now().Add(2 * time.Second)
	for get(t, url).StatusCode != 404 {
		if time.Now().After(deadline) {
			t.Fatal("deleted file still served")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPipeliningAndSplitRequests(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	req := "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	out := raw(t, ts.addr, req+req+"GET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if n := strings.Count(out, "HTTP/1.1 200 OK"); n != 3 {
		t.Fatalf("pipelined: %d responses:\n%s", n, out)
	}
	if !strings.HasSuffix(out, "<h1>home</h1>\n") {
		t.Errorf("responses out of order:\n%s", out)
	}
	// One byte at a time.
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range req {
		c.Write([]byte{req[i]})
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("byte by byte: %v %v", resp, err)
	}
}

func TestProtocolErrors(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	cases := []struct{ req, status string }{
		{"GET / HTTP/1.1\r\n\r\n", "400"},                                                                // no Host
		{"GET / HTTP/2.0\r\nHost: x\r\n\r\n", "505"},                                                     // version
		{"GET /" + strings.Repeat("a", 5000) + " HTTP/1.1\r\nHost: x\r\n\r\n", "414"},                    // URI
		{"GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("b", 5000) + "\r\n\r\n", "431"},             // head size
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "400"}, // smuggling
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", "413"},
		{"GARBAGE\r\n\r\n", "400"},
		{"DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", "405"},
		{"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "405"},
		{"GET /a.txt#frag HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", "405"},
		{"GET /a%00b HTTP/1.1\r\nHost: x\r\n\r\n", "400"},
		{"GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "400"},
		{"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "400"},
	}
	for _, tc := range cases {
		out := raw(t, ts.addr, tc.req)
		if !strings.HasPrefix(out, "HTTP/1.1 "+tc.status) {
			t.Errorf("%.40q: got %.60q, want %s", tc.req, out, tc.status)
		}
	}
	out := raw(t, ts.addr, "DELETE /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.Contains(out, "Allow: GET, HEAD\r\n") {
		t.Errorf("405 without Allow:\n%s", out)
	}
	// A body on a refused request is discarded; the next request is answered.
	out = raw(t, ts.addr, "POST /a.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 405") || !strings.HasSuffix(out, "0123456789") {
		t.Errorf("body not discarded:\n%s", out)
	}
	out = raw(t, ts.addr, "POST /a.txt HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 405") || !strings.HasSuffix(out, "0123456789") {
		t.Errorf("chunked body not discarded:\n%s", out)
	}
	// HEAD: headers only.
	out = raw(t, ts.addr, "HEAD /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "Content-Length: 10\r\n") || !strings.HasSuffix(out, "\r\n\r\n") {
		t.Errorf("HEAD:\n%s", out)
	}
}

func TestKeepAliveRules(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET /a.txt HTTP/1.0\r\n\r\n")
	if !strings.Contains(out, "Connection: close\r\n") {
		t.Errorf("1.0 without keep-alive should close:\n%s", out)
	}
	out = raw(t, ts.addr, "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /a.txt HTTP/1.0\r\n\r\n")
	if strings.Count(out, "200 OK") != 2 || !strings.Contains(out, "Connection: keep-alive\r\n") {
		t.Errorf("1.0 keep-alive:\n%s", out)
	}
}

// stopAndReadLog stops the test site, so that every access-log line is
// written, and returns the lines of the default website's log; it fails
// the test unless there are want of them.
func stopAndReadLog(t *testing.T, ts *testSite, want int) []string {
	t.Helper()
	if !ts.inst.Stop(5 * time.Second) {
		t.Fatal("site did not stop")
	}
	b, err := os.ReadFile(filepath.Join(ts.logDir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != want {
		t.Fatalf("%d access log lines, want %d:\n%s", len(lines), want, b)
	}
	return lines
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	get(t, "http://"+ts.addr+"/a.txt?q=1", "User-Agent", "probe/1.0 (x)")
	line := stopAndReadLog(t, ts, 1)[0]
	for _, want := range []string{" - 127.0.0.1(probe/1.0) - 127.0.0.1:", `"GET /a.txt?q=1 HTTP/1.1" 200 10`} {
		if !strings.Contains(line, want) {
			t.Errorf("access log %q lacks %q", line, want)
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, func(s *Site) { s.HTTP.Timeout = 300 * time.Millisecond })
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	n, err := c.Read(make([]byte, 1))
	if err == nil || n != 0 {
		t.Fatalf("read %d %v", n, err)
	}
	if d := time.Since(start); d < 270*time.Millisecond || d > 2*time.Second {
		t.Errorf("idle connection closed after %v, want about 300ms", d)
	}
}

// elapse bounds a request from its first byte, not a keep-alive connection
// waiting for its next request: with timeout 1.2 s and elapse 400 ms, a
// second request 600 ms after the first is answered, and a head that
// trickles in is still cut about 400 ms after its first byte.
func TestElapseCountsFromARequestsFirstByte(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, func(s *Site) { s.HTTP.Timeout, s.HTTP.Elapse = 1200*time.Millisecond, 400*time.Millisecond })
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	get := func() {
		t.Helper()
		if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("keep-alive request after an idle wait past elapse: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get()
	time.Sleep(600 * time.Millisecond) // idle past elapse, within timeout
	get()
	// Now a head that never ends, a field every 80 ms.
	time.Sleep(320 * time.Millisecond)
	start := time.Now()
	io.WriteString(c, "GET /a.txt HTTP/1.1\r\n")
	for time.Since(start) < 5*time.Second {
		time.Sleep(80 * time.Millisecond)
		if _, err := io.WriteString(c, "X-Slow: y\r\n"); err != nil {
			break
		}
		c.SetReadDeadline(time.Now().Add(time.Millisecond))
		if _, err := br.ReadByte(); err == io.EOF || err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
	}
	if d := time.Since(start); d < 360*time.Millisecond || d > 1000*time.Millisecond {
		t.Errorf("a trickling head was cut after %v, want about 400ms (elapse)", d)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// holdsOpen reports whether this process has path open.
func holdsOpen(t *testing.T, path string) bool {
	t.Helper()
	ents, _ := os.ReadDir("/proc/self/fd")
	for _, e := range ents {
		if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && target == path {
			return true
		}
	}
	return false
}

// A file beyond the memory cache is kept open between requests (no open
// per request, no descriptor leak), a download in progress keeps the
// version it started with, and the next request sees the new one.
func TestBigFileKeptOpenAndReplaced(t *testing.T) {
	ts := startTestSite(t, nil)
	// Larger than what the socket buffers of a stalled download hold.
	old := bytes.Repeat([]byte("old version "), 3<<20) // 36 MiB
	path := filepath.Join(ts.www, "huge.bin")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	url := "http://" + ts.addr + "/huge.bin"
	if b := body(get(t, url)); b != string(old) {
		t.Fatal("first download differs")
	}
	before := openFDs(t)
	for i := 0; i < 10; i++ {
		if r := get(t, url, "Range", "bytes=0-99"); r.StatusCode != 206 || body(r) != string(old[:100]) {
			t.Fatalf("download %d: %d", i, r.StatusCode)
		}
	}
	if after := openFDs(t); after > before+2 {
		t.Fatalf("open descriptors %d → %d over 10 downloads of one file", before, after)
	}
	if !holdsOpen(t, path) {
		t.Fatal("the file is not kept open between requests")
	}

	// Start a download and stop reading after its head: the rest waits
	// while the file is replaced.
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	fresh := []byte("the new version")
	tmp := filepath.Join(ts.www, ".huge.tmp")
	os.WriteFile(tmp, fresh, 0o644)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		if b := body(get(t, url)); b == string(fresh) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("replaced file not served")
		}
		time.Sleep(5 * time.Millisecond) // inotify delivers asynchronously
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || !bytes.Equal(got, old) {
		t.Fatalf("download across the replacement: %d bytes, %v; want the old %d", len(got), err, len(old))
	}
}

// A site started and stopped within a process gives back every
// descriptor: listeners, epoll sets, the file cache's inotify instance and
// the files it kept open.
func TestStopReleasesDescriptors(t *testing.T) {
	cycle := func() {
		t.Run("cycle", func(t *testing.T) {
			ts := startTestSite(t, nil)
			for _, p := range []string{"/big.bin", "/a.txt", "/"} {
				if r := get(t, "http://"+ts.addr+p); r.StatusCode != 200 {
					t.Fatalf("%s: %d", p, r.StatusCode)
				}
			}
			http.DefaultClient.CloseIdleConnections()
		})
	}
	cycle() // the first start opens what stays for good (the error log, say)
	before := openFDs(t)
	for i := 0; i < 3; i++ {
		cycle()
	}
	if after := openFDs(t); after > before {
		ents, _ := os.ReadDir("/proc/self/fd")
		for _, e := range ents {
			l, _ := os.Readlink("/proc/self/fd/" + e.Name())
			t.Log(e.Name(), l)
		}
		t.Fatalf("open descriptors %d before three start/stop cycles, %d after", before, after)
	}
}

// sendBufferMax is the most a socket's send buffer can grow to here (at
// least 4 MiB): a test that needs the server to meet a full socket sends
// more than that to a client that reads slowly.
func sendBufferMax() int {
	wmem := 4 << 20
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_wmem"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 3 {
			if v, err := strconv.Atoi(f[2]); err == nil {
				wmem = max(wmem, v)
			}
		}
	}
	return wmem
}

// The access log gives the body bytes actually sent (nginx's
// $body_bytes_sent): the whole file for a complete download, less for one
// the client cut short, whether it was sent from memory or with sendfile.
func TestAccessLogCountsBytesSent(t *testing.T) {
	t.Parallel()
	// Both files must be more than the server's socket buffer can absorb
	// (the client's receive buffer is pinned small below).
	wmem := sendBufferMax()
	ts := startTestSite(t, func(s *Site) { s.Limits.MaxFileCache = int64(4 * wmem) })
	huge := bytes.Repeat([]byte("x"), 10*wmem) // beyond the cache: sendfile
	os.WriteFile(filepath.Join(ts.www, "huge.bin"), huge, 0o644)
	mem := bytes.Repeat([]byte("y"), 3*wmem) // cached, sent from memory
	os.WriteFile(filepath.Join(ts.www, "mem.bin"), mem, 0o644)
	if r := get(t, "http://"+ts.addr+"/mem.bin"); len(body(r)) != len(mem) {
		t.Fatal("mem.bin")
	}
	for _, name := range []string{"huge.bin", "mem.bin"} {
		c, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetReadBuffer(16 << 10)
		fmt.Fprintf(c, "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n", name)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, make([]byte, 64<<10)); err != nil {
			t.Fatal(err)
		}
		c.(*net.TCPConn).SetLinger(0)
		c.Close() // reset: the rest is never sent
	}
	lines := stopAndReadLog(t, ts, 3)
	if !strings.HasSuffix(lines[0], fmt.Sprintf(`"GET /mem.bin HTTP/1.1" 200 %d`, len(mem))) {
		t.Errorf("complete download logged as %q", lines[0])
	}
	for i, l := range lines[1:] {
		var size int64
		fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &size)
		if full := []int{len(huge), len(mem)}[i]; size <= 0 || size >= int64(full) {
			t.Errorf("cut download logged with %d of %d bytes: %q", size, full, l)
		}
	}
}
