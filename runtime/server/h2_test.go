package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Client is Go's HTTP/2 client for a TLS listen (ALPN h2), or, with pool
// nil, for an h2c listen with prior knowledge.
func h2Client(pool *x509.CertPool) *http.Client {
	tr := &xhttp2.Transport{DisableCompression: true}
	if pool != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	} else {
		tr.AllowHTTP = true
		tr.DialTLSContext = func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}
	}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func startH2Site(t *testing.T, tlsOn bool) (ts *testSite, base string, hc *http.Client) {
	t.Helper()
	var certFile, keyFile string
	var pool *x509.CertPool
	if tlsOn {
		certFile, keyFile, pool = selfSigned(t)
	}
	ts = startTestSite(t, func(s *Site) {
		if tlsOn {
			s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		} else {
			s.Listens[0].H2C = true
		}
	})
	if tlsOn {
		return ts, "https://" + ts.addr, h2Client(pool)
	}
	return ts, "http://" + ts.addr, h2Client(nil)
}

type h2Want struct {
	path   string
	header []string // request fields, name then value
	status int
	body   string // "" skips the check
	fields []string
}

func checkH2(t *testing.T, hc *http.Client, base string, w h2Want) *http.Response {
	t.Helper()
	method := "GET"
	if len(w.header) > 0 && w.header[0] == ":method" {
		method, w.header = w.header[1], w.header[2:]
	}
	req, _ := http.NewRequest(method, base+w.path, nil)
	for i := 0; i+1 < len(w.header); i += 2 {
		req.Header.Set(w.header[i], w.header[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, w.path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", method, w.path, err)
	}
	if resp.ProtoMajor != 2 || resp.StatusCode != w.status || w.body != "" && string(b) != w.body {
		t.Fatalf("%s %s: %s %d %.80q", method, w.path, resp.Proto, resp.StatusCode, b)
	}
	for i := 0; i+1 < len(w.fields); i += 2 {
		if got := resp.Header.Get(w.fields[i]); got != w.fields[i+1] {
			t.Errorf("%s %s: %s %q, want %q", method, w.path, w.fields[i], got, w.fields[i+1])
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// TestHTTP2Features: the features of a site, through its handlers, over
// HTTP/2 on a TLS listen (ALPN) and on an h2c listen.
func TestHTTP2Features(t *testing.T) {
	t.Parallel()
	for _, tlsOn := range []bool{true, false} {
		name := map[bool]string{true: "tls", false: "h2c"}[tlsOn]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ts, base, hc := startH2Site(t, tlsOn)
			defer hc.CloseIdleConnections()
			checkH2(t, hc, base, h2Want{path: "/a.txt", status: 200, body: "0123456789", fields: []string{"Server", "hetao", "Content-Length", "10", "Connection", ""}})
			checkH2(t, hc, base, h2Want{path: "/", status: 200, body: "<h1>home</h1>\n"})
			press, _ := os.ReadFile(filepath.Join(ts.www, "press.html"))
			resp := checkH2(t, hc, base, h2Want{path: "/press.html", header: []string{"Accept-Encoding", "gzip"}, status: 200,
				fields: []string{"Content-Encoding", "gzip", "Vary", "Accept-Encoding"}})
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(zr); !bytes.Equal(b, press) {
				t.Fatal("gzip variant does not decode to the page")
			}
			etag := checkH2(t, hc, base, h2Want{path: "/a.txt", status: 200}).Header.Get("ETag")
			checkH2(t, hc, base, h2Want{path: "/a.txt", header: []string{"If-None-Match", etag}, status: 304, body: ""})
			checkH2(t, hc, base, h2Want{path: "/a.txt", header: []string{"Range", "bytes=2-4"}, status: 206, body: "234", fields: []string{"Content-Range", "bytes 2-4/10"}})
			checkH2(t, hc, base, h2Want{path: "/a.txt", header: []string{"Range", "bytes=20-"}, status: 416})
			checkH2(t, hc, base, h2Want{path: "/nothing", status: 404})
			checkH2(t, hc, base, h2Want{path: "/sub", status: 301, fields: []string{"Location", "/sub/"}})
			checkH2(t, hc, base, h2Want{path: "/a.txt", header: []string{":method", "HEAD"}, status: 200, fields: []string{"Content-Length", "10"}})
			checkH2(t, hc, base, h2Want{path: "/a.txt", header: []string{":method", "DELETE"}, status: 405})
			req, _ := http.NewRequest("GET", base+"/", nil)
			req.Host = "old.example"
			if resp, err := hc.Do(req); err != nil || resp.StatusCode != 301 || !strings.HasPrefix(resp.Header.Get("Location"), "http") {
				t.Fatalf("redirecting website: %v %v", resp, err)
			}
			req.Host = "other.example"
			if resp, err := hc.Do(req); err != nil || resp.StatusCode != 200 {
				t.Fatalf("virtual host by :authority: %v %v", resp, err)
			} else if b, _ := io.ReadAll(resp.Body); string(b) != "<h1>other</h1>\n" {
				t.Fatalf("virtual host by :authority: %q", b)
			}
			// A large file, beyond the cache, read a frame at a time, with
			// several downloads sharing the connection, and a range of it.
			// A cached body too large to copy goes by reference.
			mid := bytes.Repeat([]byte("mid-sized body. "), 8<<10)
			os.WriteFile(filepath.Join(ts.www, "mid.bin"), mid, 0o644)
			checkH2(t, hc, base, h2Want{path: "/mid.bin", status: 200, body: string(mid)})
			big, _ := os.ReadFile(filepath.Join(ts.www, "big.bin"))
			var wg sync.WaitGroup
			for i := 0; i < 4; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := hc.Get(base + "/big.bin")
					if err != nil {
						t.Error(err)
						return
					}
					b, err := io.ReadAll(resp.Body)
					resp.Body.Close()
					if err != nil || !bytes.Equal(b, big) {
						t.Errorf("big.bin: %d bytes, %v", len(b), err)
					}
				}()
			}
			wg.Wait()
			checkH2(t, hc, base, h2Want{path: "/big.bin", header: []string{"Range", "bytes=1000-1009"}, status: 206, body: string(big[1000:1010])})
			hc.CloseIdleConnections()
			lines := stopAndReadLog(t, ts, 17)
			if !strings.Contains(lines[0], `"GET /a.txt HTTP/2.0" 200 10`) {
				t.Errorf("access log: %q", lines[0])
			}
		})
	}
}

// An h2c listen keeps serving HTTP/1.x; a TLS listen with HTTP/2 off
// offers only http/1.1.
func TestHTTP2Negotiation(t *testing.T) {
	t.Parallel()
	ts, _, _ := startH2Site(t, false)
	if out := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 200") || !strings.HasSuffix(out, "0123456789") {
		t.Fatalf("HTTP/1.1 on an h2c listen: %q", out)
	}
	certFile, keyFile, pool := selfSigned(t)
	for _, off := range []bool{false, true} {
		ts := startTestSite(t, func(s *Site) {
			s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
			s.Listens[0].NoHTTP2 = off
		})
		c, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		got := c.ConnectionState().NegotiatedProtocol
		c.Close()
		if want := map[bool]string{false: "h2", true: "http/1.1"}[off]; got != want {
			t.Errorf("http2 off=%v: ALPN chose %q, want %q", off, got, want)
		}
	}
}

// On an h2c listen a first line that is neither the preface nor an HTTP/1
// request line is an invalid connection preface (RFC 9113 §3.4): GOAWAY
// with PROTOCOL_ERROR, then the close. A malformed HTTP/1 request (its
// line ends in an HTTP version) is still answered 400, and empty lines
// before a request line are still allowed.
func TestH2CInvalidPreface(t *testing.T) {
	t.Parallel()
	ts, _, _ := startH2Site(t, false)
	c, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "INVALID CONNECTION PREFACE\r\n\r\n")
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the connection was not closed: %v (%q)", err, out)
	}
	var goaway []byte
	for len(out) >= 9 {
		n := int(out[0])<<16 | int(out[1])<<8 | int(out[2])
		if len(out) < 9+n {
			break
		}
		if out[3] == 0x7 { // GOAWAY: last stream id, error code
			goaway = out[9 : 9+n]
		}
		out = out[9+n:]
	}
	if len(goaway) < 8 || goaway[7] != 0x1 || len(out) != 0 {
		t.Fatalf("an invalid preface: GOAWAY %x, then %q; want GOAWAY PROTOCOL_ERROR and the close", goaway, out)
	}
	for req, want := range map[string]string{
		"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n":                            "HTTP/1.1 400 ",
		"\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n": "HTTP/1.1 200 ",
	} {
		if out := raw(t, ts.addr, req); !strings.HasPrefix(out, want) {
			t.Errorf("%q on an h2c listen: %q, want %q…", req, out, want)
		}
	}
}

// A plain listen without h2c answers the preface as HTTP/1.x would.
func TestPrefaceWithoutH2C(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
	if strings.HasPrefix(out, "HTTP/2") || !strings.HasPrefix(out, "HTTP/1.1 ") {
		t.Fatalf("%q", out)
	}
}

// TestHTTP2Curl: curl --http2 (TLS) and --http2-prior-knowledge (h2c).
func TestHTTP2Curl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	if out, _ := exec.Command(curl, "-V").Output(); !bytes.Contains(out, []byte("HTTP2")) {
		t.Skip("curl without HTTP/2")
	}
	t.Parallel()
	for _, tlsOn := range []bool{true, false} {
		_, base, _ := startH2Site(t, tlsOn)
		// One URL per curl: curl 7.88 fails to reuse a prior-knowledge
		// connection (error 16, against h2o too).
		for _, u := range []struct {
			path string
			want *regexp.Regexp
		}{
			{"/press.html", regexp.MustCompile(`^2 200 [1-9][0-9]*$`)}, // the gzip variant
			{"/big.bin", regexp.MustCompile(`^2 200 1048576$`)},
		} {
			args := []string{"-sS", "-k", "--compressed", "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}", "--max-time", "5"}
			if tlsOn {
				args = append(args, "--http2")
			} else {
				args = append(args, "--http2-prior-knowledge")
			}
			out, err := exec.Command(curl, append(args, base+u.path)...).CombinedOutput()
			if err != nil || !u.want.Match(out) {
				t.Errorf("curl tls=%v %s: %q (%v)", tlsOn, u.path, out, err)
			}
		}
	}
}

// h2specBin finds h2spec (.ci/run installs it).
func h2specBin() string {
	if p, err := exec.LookPath("h2spec"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		if p := filepath.Join(home, "go", "bin", "h2spec"); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestH2specSite: the conformance suite against a site, over TLS and h2c.
func TestH2specSite(t *testing.T) {
	bin := h2specBin()
	if bin == "" {
		t.Skip("h2spec not installed (go install github.com/summerwind/h2spec/cmd/h2spec@latest)")
	}
	t.Parallel()
	for _, tlsOn := range []bool{true, false} {
		ts, _, _ := startH2Site(t, tlsOn)
		host, port, _ := net.SplitHostPort(ts.addr)
		args := []string{"-h", host, "-p", port, "-o", "2"}
		if tlsOn {
			args = append(args, "-t", "-k")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, _ := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		cancel()
		m := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("h2spec output not understood:\n%s", out)
		}
		if string(m[4]) != "0" {
			t.Errorf("h2spec tls=%v: %s\n%s", tlsOn, m[0], out)
		} else {
			t.Logf("h2spec tls=%v: %s", tlsOn, m[0])
		}
	}
}

// TestHTTP2GracefulStop: a stopping site sends GOAWAY naming the last
// stream it serves; that stream's answer, held by the client's window,
// still arrives whole, then the connection closes and the site stops.
func TestHTTP2GracefulStop(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) { s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile} })
	nc, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	nc.Write([]byte(xhttp2.ClientPreface))
	fr := xhttp2.NewFramer(nc, nc)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "x"}, {":path", "/big.bin"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	stopped := make(chan bool, 1)
	var got int
	var goaway *xhttp2.GoAwayFrame
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
		if d, ok := f.(*xhttp2.DataFrame); ok {
			got += len(d.Data())
			if got == 65535 && goaway == nil {
				// The window is spent: stop the site now, with the answer
				// in flight.
				go func() { stopped <- ts.inst.Stop(5 * time.Second) }()
			}
			if d.StreamEnded() {
				break
			}
		}
		if p, ok := f.(*xhttp2.PingFrame); ok && !p.IsAck() {
			fr.WritePing(true, p.Data) // the ACK brings the final GOAWAY
		}
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			if goaway == nil {
				fr.WriteWindowUpdate(0, 1<<30)
				fr.WriteWindowUpdate(1, 1<<30)
			}
			goaway = g
		}
	}
	for goaway != nil && goaway.LastStreamID == 1<<31-1 {
		// The final GOAWAY may come after the answer's end.
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("closed without the final GOAWAY: %v", err)
		}
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			goaway = g
		}
	}
	if goaway == nil || goaway.LastStreamID != 1 || goaway.ErrCode != xhttp2.ErrCodeNo {
		t.Fatalf("goaway %v", goaway)
	}
	if got != 1<<20 {
		t.Fatalf("%d bytes of the answer", got)
	}
	if _, err := fr.ReadFrame(); err == nil {
		t.Fatal("connection still open after its last stream")
	}
	if !<-stopped {
		t.Fatal("site did not stop")
	}
}

// A client that opens its stream window to nothing holds its stream and
// the file behind it only until the idle timeout: the connection is
// closed then.
func TestHTTP2ZeroWindowClientTimesOut(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
		s.HTTP.Timeout = 300 * time.Millisecond
	})
	nc, err := tls.Dial("tcp", ts.addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	nc.Write([]byte(xhttp2.ClientPreface))
	fr := xhttp2.NewFramer(nc, nc)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 0})
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "x"}, {":path", "/big.bin"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	start := time.Now()
	var data int
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break // closed
		}
		if d, ok := f.(*xhttp2.DataFrame); ok {
			data += len(d.Data())
		}
	}
	if el := time.Since(start); el < 250*time.Millisecond || el > 3*time.Second || data != 0 {
		t.Fatalf("closed after %v with %d bytes of DATA sent into a zero window", el, data)
	}
}

// max_headers_length bounds an HTTP/2 request's header list too: 431.
// (Raw frames: Go's client refuses to send what the server's SETTINGS
// say is too large, once it has them.)
func TestHTTP2HeaderLimit(t *testing.T) {
	t.Parallel()
	ts, _, _ := startH2Site(t, false)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	nc.Write([]byte(xhttp2.ClientPreface))
	fr := xhttp2.NewFramer(nc, nc)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	for _, st := range []struct {
		id  uint32
		big int
	}{{1, 5000}, {3, 10}} { // stream IDs rise
		id, big := st.id, st.big
		var hb bytes.Buffer
		enc := hpack.NewEncoder(&hb)
		for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", "x"}, {":path", "/a.txt"}, {"x-big", strings.Repeat("b", big)}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndStream: true, EndHeaders: true})
	}
	got := map[uint32]string{}
	for len(got) < 2 {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("%v (answers so far %v)", err, got)
		}
		if h, ok := f.(*xhttp2.MetaHeadersFrame); ok {
			got[h.StreamID] = h.PseudoValue("status")
		}
	}
	if got[1] != "431" || got[3] != "200" {
		t.Fatalf("statuses %v, want 431 for the large list, 200 after it", got)
	}
}
