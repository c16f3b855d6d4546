package http2

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// h2specPath finds h2spec (go install github.com/summerwind/h2spec/cmd/h2spec@latest).
func h2specPath() string {
	if p, err := exec.LookPath("h2spec"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "h2spec")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// TestH2spec runs the conformance suite against the engine behind a plain
// TCP stand-in transport (h2c with prior knowledge): every test passes.
func TestH2spec(t *testing.T) {
	bin := h2specPath()
	if bin == "" {
		t.Skip("h2spec not installed (go install github.com/summerwind/h2spec/cmd/h2spec@latest)")
	}
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveTCP(ln, func() Handler { return &echoHandler{} })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, _ := exec.Command(bin, "-h", "127.0.0.1", "-p", port, "-o", "1").CombinedOutput()
	m := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("h2spec output not understood:\n%s", out)
	}
	if string(m[4]) != "0" {
		t.Errorf("h2spec: %s\n%s", m[0], out)
	}
	t.Logf("h2spec: %s", m[0])
}

// TestGoClient: Go's own HTTP/2 client (x/net's Transport, prior
// knowledge) runs concurrent requests, with bodies both ways, through the
// engine behind the stand-in transport.
func TestGoClient(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveTCP(ln, func() Handler {
		h := &echoHandler{}
		h.answer = func(s *Stream) {
			if s.Req.Method.String() != "POST" {
				s.Respond(200, []byte("Content-Type: text/plain\r\n"), false)
				s.SendSource(&countingSource{n: 200000}, 200000)
			}
		}
		h.body = func(s *Stream) {
			// collect the upload as it comes, echo it once it is all here
			got, _ := s.User.([]byte)
			got = append(got, s.Body()...)
			s.Consume(len(s.Body()))
			s.User = got
			if s.BodyDone() {
				s.Respond(200, nil, false)
				s.Write(got)
				s.End()
			}
		}
		return h
	})
	tr := &xhttp2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	base := "http://" + ln.Addr().String()
	want := make([]byte, 200000)
	(&countingSource{n: 200000}).Read(want)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var resp *http.Response
			var err error
			if i%2 == 0 {
				resp, err = hc.Get(base + "/f" + strconv.Itoa(i))
			} else {
				resp, err = hc.Post(base+"/up", "text/plain", strings.NewReader(strings.Repeat("u", 100000)))
			}
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil || resp.ProtoMajor != 2 {
				t.Errorf("%v, proto %s", err, resp.Proto)
				return
			}
			if i%2 == 0 && string(b) != string(want) || i%2 == 1 && len(b) != 100000 {
				t.Errorf("request %d: %d bytes", i, len(b))
			}
		}(i)
	}
	wg.Wait()
}
