package server

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/hetaoc/hetao/runtime/http1"
)

// h2Proxy starts a site whose default website forwards everything to
// backends, on an h2c listen, and returns its address and an HTTP/2 client.
func h2Proxy(t *testing.T, backends []Backend, tweak func(*Site)) (string, *http.Client) {
	t.Helper()
	addr := startProxy(t, 'R', backends, func(s *Site) {
		s.Listens[0].H2C = true
		if tweak != nil {
			tweak(s)
		}
	})
	hc := h2Client(nil)
	t.Cleanup(hc.CloseIdleConnections)
	return addr, hc
}

func h2Do(t *testing.T, hc *http.Client, method, url string, body io.Reader) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, url, err)
	}
	if resp.ProtoMajor != 2 {
		t.Fatalf("%s %s: %s", method, url, resp.Proto)
	}
	return resp, string(b)
}

// TestHTTP2ForwardBodiesBothWays: over HTTP/2, a forwarded GET, 10 MiB
// uploads with and without a content-length, a chunked answer and a
// 20 MiB download reach the backend and the client whole.
func TestHTTP2ForwardBodiesBothWays(t *testing.T) {
	t.Parallel()
	var chunkedSeen atomic.Bool
	backend := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		switch r.URL.Path {
		case "/download":
			w.Header().Set("Content-Length", strconv.Itoa(20<<20))
			chunk := strings.Repeat("x", 1<<20)
			for i := 0; i < 20; i++ {
				io.WriteString(w, chunk)
			}
		case "/chunked":
			for i := 0; i < 5; i++ {
				fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
		default:
			if len(r.TransferEncoding) > 0 {
				chunkedSeen.Store(true)
			}
			fmt.Fprintf(w, "%s %s %d %s", r.Method, r.Host, n, hex.EncodeToString(h.Sum(nil)))
		}
	})
	addr, hc := h2Proxy(t, []Backend{backend}, nil)
	base := "http://" + addr
	if resp, body := h2Do(t, hc, "GET", base+"/x", nil); resp.StatusCode != 200 || body != "GET "+addr+" 0 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Fatalf("GET: %d %q", resp.StatusCode, body)
	}
	payload := strings.Repeat("0123456789abcdef", 10<<20/16)
	sum := sha256.Sum256([]byte(payload))
	want := fmt.Sprintf("POST %s %d %s", addr, len(payload), hex.EncodeToString(sum[:]))
	if _, body := h2Do(t, hc, "POST", base+"/upload", strings.NewReader(payload)); body != want {
		t.Errorf("upload with a content-length: %q", body)
	}
	if chunkedSeen.Load() {
		t.Error("a body of known length went chunked")
	}
	if _, body := h2Do(t, hc, "POST", base+"/upload", io.MultiReader(strings.NewReader(payload))); body != want {
		t.Errorf("upload without a content-length: %q", body)
	}
	if !chunkedSeen.Load() {
		t.Error("a body of unknown length did not go chunked")
	}
	if _, body := h2Do(t, hc, "GET", base+"/chunked", nil); body != "part0;part1;part2;part3;part4;" {
		t.Errorf("chunked answer: %q", body)
	}
	if _, body := h2Do(t, hc, "GET", base+"/download", nil); len(body) != 20<<20 {
		t.Errorf("download: %d bytes", len(body))
	}
}

// newBackend is an HTTP/1.1 backend running h until the test ends.
func newBackend(t *testing.T, h http.HandlerFunc) Backend {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return backendAddr(t, ln.Addr().String())
}

// TestHTTP2ForwardSlowReader: a client that opens no window beyond the
// initial 64 KiB stops the backend (the site reads it only as the stream
// drains), and gets the whole 32 MiB once it reads.
func TestHTTP2ForwardSlowReader(t *testing.T) {
	t.Parallel()
	const size = 32 << 20
	stalled := make(chan int64, 1)
	baddr := connBackend(t, func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", size)
		chunk := bytes.Repeat([]byte("y"), 64<<10)
		var sent int64
		for sent < size {
			c.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := c.Write(chunk[:min(int64(len(chunk)), size-sent)])
			sent += int64(n)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				select {
				case stalled <- sent:
				default:
				}
				continue
			}
			if err != nil {
				return
			}
		}
	})
	addr, _ := h2Proxy(t, []Backend{backendAddr(t, baddr)}, nil)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fr := h2Open(t, nc, "/big")
	var got int64
	readData := func(until func() bool) {
		for !until() {
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatalf("after %d bytes: %v", got, err)
			}
			switch f := f.(type) {
			case *xhttp2.DataFrame:
				got += int64(len(f.Data()))
				if f.StreamEnded() && got != size {
					t.Fatalf("the body ended after %d bytes", got)
				}
			case *xhttp2.RSTStreamFrame, *xhttp2.GoAwayFrame:
				t.Fatalf("%v after %d bytes", f, got)
			}
		}
	}
	readData(func() bool { return got >= 65535 }) // the initial windows
	var at int64
	select {
	case at = <-stalled:
	case <-time.After(10 * time.Second):
		t.Fatal("the backend never had to wait")
	}
	t.Logf("stalled at %d", at)
	if at > size/2 {
		t.Errorf("the backend wrote %d bytes for a client that took 64 KiB", at)
	}
	fr.WriteWindowUpdate(0, 1<<30)
	fr.WriteWindowUpdate(1, 1<<30)
	readData(func() bool { return got >= size })
}

// h2Open sends the preface, default SETTINGS (64 KiB windows) and a GET
// for path on stream 1, and returns the framer.
func h2Open(t *testing.T, nc net.Conn, path string) *xhttp2.Framer {
	t.Helper()
	io.WriteString(nc, xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(nc, nc)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", path}, {":authority", "x"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	if err := fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true}); err != nil {
		t.Fatal(err)
	}
	return fr
}

// TestHTTP2ForwardConcurrentStreamsPooled: streams of one connection
// forwarded at once each get their own backend connection, which the
// streams after them reuse; the backend's connection-specific fields are
// not passed on (RFC 9113 §8.2.2).
func TestHTTP2ForwardConcurrentStreamsPooled(t *testing.T) {
	t.Parallel()
	var accepts atomic.Int32
	arrived := make(chan struct{}, 16)
	release := make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("wait") != "" {
				arrived <- struct{}{}
				<-release
			}
			w.Header().Set("Connection", "X-Hop")
			w.Header().Set("X-Hop", "1")
			w.Header().Set("Keep-Alive", "timeout=5")
			w.Header().Set("X-Kept", "yes")
			io.WriteString(w, r.URL.Path)
		}),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				accepts.Add(1)
			}
		},
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	addr, hc := h2Proxy(t, []Backend{backendAddr(t, ln.Addr().String())}, nil)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("/s%d", i)
			resp, err := hc.Get("http://" + addr + path + "?wait=1")
			if err != nil {
				errs <- err.Error()
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.ProtoMajor != 2 || string(b) != path || resp.Header.Get("X-Kept") != "yes" || resp.Header.Get("X-Hop") != "" || resp.Header.Get("Keep-Alive") != "" {
				errs <- fmt.Sprintf("%s: %s %q %v", path, resp.Proto, b, resp.Header)
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d streams reached the backend", i, n)
		}
	}
	close(release)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := accepts.Load(); got != n {
		t.Errorf("%d backend connections for %d concurrent streams", got, n)
	}
	for i := 0; i < 2*n; i++ {
		if resp, body := h2Do(t, hc, "GET", fmt.Sprintf("http://%s/again%d", addr, i), nil); resp.StatusCode != 200 || body != fmt.Sprintf("/again%d", i) {
			t.Fatalf("after: %d %q", resp.StatusCode, body)
		}
	}
	if got := accepts.Load(); got != n {
		t.Errorf("%d backend connections after sequential streams; the pool had %d", got, n)
	}
}

// TestHTTP2ForwardLimitsAndTimeouts: a request body over max_body_size is
// answered 413 (declared or not); a backend that does not answer within
// elapse gets its stream a 504 while the connection's other streams are
// served.
func TestHTTP2ForwardLimitsAndTimeouts(t *testing.T) {
	t.Parallel()
	baddr := connBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			if req.URL.Path == "/hang" {
				io.Copy(io.Discard, br) // until the site gives up on it
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	addr, hc := h2Proxy(t, []Backend{backendAddr(t, baddr)}, func(s *Site) { s.Limits.MaxBody = 1 << 20 })
	base := "http://" + addr
	big := strings.Repeat("z", 2<<20)
	if resp, _ := h2Do(t, hc, "POST", base+"/up", strings.NewReader(big)); resp.StatusCode != 413 {
		t.Errorf("declared body over the limit: %d", resp.StatusCode)
	}
	if resp, _ := h2Do(t, hc, "POST", base+"/up", io.MultiReader(strings.NewReader(big))); resp.StatusCode != 413 {
		t.Errorf("undeclared body over the limit: %d", resp.StatusCode)
	}
	if resp, body := h2Do(t, hc, "POST", base+"/up", strings.NewReader("small")); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("body within the limit: %d %q", resp.StatusCode, body)
	}
	addr, hc = h2Proxy(t, []Backend{backendAddr(t, baddr)}, func(s *Site) { s.HTTP.Elapse = time.Second })
	base = "http://" + addr
	done := make(chan int, 1)
	start := time.Now()
	go func() {
		resp, err := hc.Get(base + "/hang")
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	if resp, body := h2Do(t, hc, "GET", base+"/meanwhile", nil); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("a stream beside a hanging one: %d %q", resp.StatusCode, body)
	}
	select {
	case code := <-done:
		if code != 504 {
			t.Errorf("a backend silent past elapse: %d, want 504", code)
		}
		if d := time.Since(start); d < time.Second || d > 5*time.Second {
			t.Errorf("504 after %v (elapse 1s)", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer for a silent backend")
	}
	if resp, body := h2Do(t, hc, "GET", base+"/after", nil); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("the connection after a 504: %d %q", resp.StatusCode, body)
	}
}

// TestHTTP2AppAndAccessLog: a compiled-in app answers over HTTP/2, a body
// included, and forwarded streams are logged as HTTP/2.0 with the
// backend's status.
func TestHTTP2AppAndAccessLog(t *testing.T) {
	t.Parallel()
	app := &fakeApp{}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "access.log")
	addr, inst := startProxyInstance(t, 'R', nil, func(s *Site) {
		s.Listens[0].H2C = true
		s.Upstreams[0].Name = "app:example.com/fake.Serve"
		s.Upstreams[0].App = app
		s.Listens[0].Hosts.Default.AccessLog = logPath
	})
	hc := h2Client(nil)
	defer hc.CloseIdleConnections()
	for _, body := range []io.Reader{nil, strings.NewReader(strings.Repeat("b", 300<<10))} {
		method := map[bool]string{true: "GET", false: "POST"}[body == nil]
		if resp, got := h2Do(t, hc, method, "http://"+addr+"/app", body); resp.StatusCode != 200 || got != "ok" {
			t.Fatalf("%s to the app over HTTP/2: %d %q", method, resp.StatusCode, got)
		}
	}
	hc.CloseIdleConnections()
	if !inst.Stop(5 * time.Second) { // every line is written once it stops
		t.Fatal("the site did not stop")
	}
	b, _ := os.ReadFile(logPath)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"GET /app HTTP/2.0" 200 2`) || !strings.Contains(lines[1], `"POST /app HTTP/2.0" 200 2`) {
		t.Errorf("access log:\n%s", b)
	}
}

// TestHTTP2ForwardUploadBackpressure: a backend that does not read its
// request body stops the client's window (the site consumes DATA only as
// the backend takes it); once it reads, the whole 32 MiB arrives.
func TestHTTP2ForwardUploadBackpressure(t *testing.T) {
	t.Parallel()
	const size = 32 << 20
	release := make(chan struct{})
	baddr := connBackend(t, func(c net.Conn) {
		req, err := http.ReadRequest(bufio.NewReader(c))
		if err != nil {
			return
		}
		<-release
		n, _ := io.Copy(io.Discard, req.Body)
		s := strconv.FormatInt(n, 10)
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(s), s)
	})
	addr, _ := h2Proxy(t, []Backend{backendAddr(t, baddr)}, nil)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(nc, nc)
	var writeMu sync.Mutex
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":path", "/up"}, {":authority", "x"}, {"content-length", strconv.Itoa(size)}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true})
	wins := make(chan [2]int64, 1024) // stream, increment
	answer, failed := make(chan string, 1), make(chan error, 1)
	go func() {
		var body []byte
		for {
			f, err := fr.ReadFrame()
			if err != nil {
				failed <- err
				return
			}
			switch f := f.(type) {
			case *xhttp2.SettingsFrame:
				if !f.IsAck() {
					writeMu.Lock()
					fr.WriteSettingsAck()
					writeMu.Unlock()
				}
			case *xhttp2.WindowUpdateFrame:
				wins <- [2]int64{int64(f.StreamID), int64(f.Increment)}
			case *xhttp2.DataFrame:
				body = append(body, f.Data()...)
				if f.StreamEnded() {
					answer <- string(body)
					return
				}
			case *xhttp2.RSTStreamFrame, *xhttp2.GoAwayFrame:
				failed <- fmt.Errorf("%v", f)
				return
			}
		}
	}()
	chunk := bytes.Repeat([]byte("u"), 16384)
	connWin, streamWin := int64(65535), int64(65535)
	sent, stallAt := int64(0), int64(-1)
	for sent < size {
		for connWin <= 0 || streamWin <= 0 {
			wait := 300 * time.Millisecond // no window update for that long: held back
			if stallAt >= 0 {
				wait = 10 * time.Second
			}
			select {
			case w := <-wins:
				if w[0] == 0 {
					connWin += w[1]
				} else {
					streamWin += w[1]
				}
			case err := <-failed:
				t.Fatalf("after %d bytes: %v", sent, err)
			case <-time.After(wait):
				if stallAt >= 0 {
					t.Fatalf("no window after %d bytes, with the backend reading", sent)
				}
				stallAt = sent
				close(release)
			}
		}
		n := min(int64(len(chunk)), connWin, streamWin, size-sent)
		writeMu.Lock()
		err := fr.WriteData(1, sent+n == size, chunk[:n])
		writeMu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
		sent, connWin, streamWin = sent+n, connWin-n, streamWin-n
	}
	if stallAt < 0 || stallAt > size/2 {
		t.Errorf("a backend that did not read let the client send %d bytes", stallAt)
	}
	t.Logf("held back after %d bytes", stallAt)
	select {
	case got := <-answer:
		if got != strconv.Itoa(size) {
			t.Errorf("the backend read %s bytes", got)
		}
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("no answer")
	}
}

// TestHTTP2ForwardStallAndCancel: a backend that stops in the middle of
// its body gets its stream reset after timeout (the connection's other
// streams go on), and a client that cancels a download has its backend
// connection closed, never pooled.
func TestHTTP2ForwardStallAndCancel(t *testing.T) {
	t.Parallel()
	gone := make(chan string, 4)
	baddr := connBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				gone <- "closed"
				return
			}
			switch req.URL.Path {
			case "/stall":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
				io.Copy(io.Discard, br) // until the site closes
				gone <- "stall closed"
				return
			case "/endless":
				io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
				piece := http1.AppendChunk(nil, bytes.Repeat([]byte("e"), 32<<10))
				for {
					if _, err := c.Write(piece); err != nil {
						gone <- "endless closed"
						return
					}
				}
			default:
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
		}
	})
	addr, hc := h2Proxy(t, []Backend{backendAddr(t, baddr)}, func(s *Site) { s.HTTP.Timeout = time.Second })
	base := "http://" + addr
	resp, err := hc.Get(base + "/stall")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || string(b) != "0123456789" {
		t.Errorf("a stalled body: %q, %v; want the 10 bytes and a reset", b, err)
	}
	if want := waitGone(t, gone); want != "stall closed" {
		t.Errorf("backend: %s", want)
	}
	resp, err = hc.Get(base + "/endless")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadFull(resp.Body, make([]byte, 1<<20))
	resp.Body.Close() // RST_STREAM CANCEL
	if want := waitGone(t, gone); want != "endless closed" {
		t.Errorf("backend: %s", want)
	}
	if resp, body := h2Do(t, hc, "GET", base+"/after", nil); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("the connection after: %d %q", resp.StatusCode, body)
	}
}

func waitGone(t *testing.T, gone chan string) string {
	t.Helper()
	select {
	case s := <-gone:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the backend connection stayed open")
	}
	return ""
}

// TestHTTP2ForwardStopWaitsForBackend: a stopping site lets a forwarded
// stream in flight finish (GOAWAY names it) before it closes.
func TestHTTP2ForwardStopWaitsForBackend(t *testing.T) {
	t.Parallel()
	arrived, release := make(chan struct{}), make(chan struct{})
	backend := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-release
		io.WriteString(w, "late answer")
	})
	addr, inst := startProxyInstance(t, 'R', []Backend{backend}, func(s *Site) { s.Listens[0].H2C = true })
	hc := h2Client(nil)
	defer hc.CloseIdleConnections()
	done := make(chan string, 1)
	go func() {
		resp, err := hc.Get("http://" + addr + "/slow")
		if err != nil {
			done <- err.Error()
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- fmt.Sprint(resp.StatusCode, " ", string(b), " ", err)
	}()
	<-arrived
	stopped := make(chan bool, 1)
	go func() { stopped <- inst.Stop(5 * time.Second) }()
	// The stop has begun once the listening socket is closed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the site kept listening after Stop")
		}
	}
	close(release)
	if r := <-done; r != "200 late answer <nil>" {
		t.Errorf("a stream in flight at stop: %s", r)
	}
	if !<-stopped {
		t.Error("the site did not stop")
	}
}

// TestHTTP2UpgradeNotForwarded: a WebSocket needs HTTP/1.1 here (no RFC
// 8441): over HTTP/2 an extended CONNECT (:protocol) and a request with an
// Upgrade field are malformed (RST_STREAM PROTOCOL_ERROR), a plain CONNECT
// is answered 405, and none of them reaches the backend.
func TestHTTP2UpgradeNotForwarded(t *testing.T) {
	t.Parallel()
	var reached atomic.Int32
	backend := newBackend(t, func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		io.WriteString(w, "backend")
	})
	addr, _ := h2Proxy(t, []Backend{backend}, nil)
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	io.WriteString(nc, xhttp2.ClientPreface)
	fr := xhttp2.NewFramer(nc, nc)
	fr.WriteSettings()
	requests := map[uint32][]string{
		1: {":method", "CONNECT", ":protocol", "websocket", ":scheme", "http", ":path", "/chat", ":authority", "x", "sec-websocket-version", "13"},
		3: {":method", "GET", ":scheme", "http", ":path", "/chat", ":authority", "x", "upgrade", "websocket"},
		5: {":method", "CONNECT", ":authority", "x:80"},
		7: {":method", "GET", ":scheme", "http", ":path", "/plain", ":authority", "x"},
	}
	want := map[uint32]string{1: "RST PROTOCOL_ERROR", 3: "RST PROTOCOL_ERROR", 5: "405", 7: "200"}
	for _, id := range []uint32{1, 3, 5, 7} {
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		f := requests[id]
		for i := 0; i+1 < len(f); i += 2 {
			enc.WriteField(hpack.HeaderField{Name: f[i], Value: f[i+1]})
		}
		fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndStream: f[1] != "CONNECT" || len(f) > 4, EndHeaders: true})
	}
	got := map[uint32]string{}
	dec := hpack.NewDecoder(4096, nil)
	for len(got) < len(want) {
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("%v; so far %v", err, got)
		}
		switch f := f.(type) {
		case *xhttp2.HeadersFrame:
			fields, _ := dec.DecodeFull(f.HeaderBlockFragment())
			for _, hf := range fields {
				if hf.Name == ":status" {
					got[f.StreamID] = hf.Value
				}
			}
		case *xhttp2.RSTStreamFrame:
			if _, ok := got[f.StreamID]; !ok {
				got[f.StreamID] = "RST " + f.ErrCode.String()
			}
		case *xhttp2.GoAwayFrame:
			t.Fatalf("GOAWAY %v; so far %v", f.ErrCode, got)
		}
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("stream %d: %s, want %s", id, got[id], w)
		}
	}
	if n := reached.Load(); n != 1 {
		t.Errorf("%d requests reached the backend, want only the plain GET", n)
	}
}
