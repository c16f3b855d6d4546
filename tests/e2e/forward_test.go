package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const forwardConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.php,/index.html",
			"access_log" : "log/access.log",
			"forward" : {
				"forward_type" : "php",
				"forward_rule" : "@RULE@",
				@SERVERS@
			}
		}
	},
	"limits" : { "max_header_content_length" : 0 },
	"http_options" : { "timeout" : 5, "forward_disable" : 1 }
}
`

// backend is a small application server that says who it is and counts
// the connections it accepts.
type backend struct {
	*httptest.Server
	accepts atomic.Int32
}

func newBackend(t *testing.T, name string, h http.HandlerFunc) *backend {
	b := &backend{}
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "%s %s %s", name, r.URL.RequestURI(), r.Header.Get("X-Forwarded-For"))
		}
	}
	b.Server = httptest.NewUnstartedServer(h)
	b.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			b.accepts.Add(1)
		}
	}
	b.Start()
	t.Cleanup(b.Close)
	return b
}

func serversConf(addrs ...string) string {
	var parts []string
	for _, a := range addrs {
		host, port, _ := net.SplitHostPort(a)
		parts = append(parts, fmt.Sprintf(`"forward_server" : { "ip" : %q, "port" : %s }`, host, port))
	}
	return strings.Join(parts, ",\n\t\t\t\t")
}

func forwardSite(t *testing.T, rule string, addrs ...string) (string, string) {
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":        conf(forwardConf, "PORT", port, "RULE", rule, "SERVERS", serversConf(addrs...)),
		"www/index.html":    "static index",
		"www/secret.php":    "<?php source must never be served ?>",
		"www/static.html":   "static page",
		"www/app/index.php": "<?php directory index source ?>",
	})
	start(t, dir, build(t, dir), port)
	return fmt.Sprintf("http://127.0.0.1:%d", port), dir
}

func deadAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := l.Addr().String()
	l.Close()
	return a
}

func TestForwardRoundRobinAndStatic(t *testing.T) {
	t.Parallel()
	a, b, c := newBackend(t, "a", nil), newBackend(t, "b", nil), newBackend(t, "c", nil)
	base, dir := forwardSite(t, "R", a.Listener.Addr().String(), b.Listener.Addr().String(), c.Listener.Addr().String())
	var order []string
	for i := 0; i < 6; i++ { // before /app/ below, which takes a turn too
		r := get(t, base+"/app/x.php?id=7")
		if r.status != 200 || !strings.HasSuffix(r.body, " /app/x.php?id=7 127.0.0.1") {
			t.Fatalf("forwarded: %d %q", r.status, r.body)
		}
		order = append(order, r.body[:1])
	}
	if got := strings.Join(order, ""); got != "abcabc" {
		t.Errorf("round-robin order %q, want abcabc", got)
	}
	if r := get(t, base+"/app/"); r.status != 200 || !strings.Contains(r.body, " /app/index.php ") {
		t.Errorf("a directory whose index is index.php: %d %q", r.status, r.body)
	}
	if r := get(t, base+"/"); r.body != "static index" {
		t.Errorf("a directory whose index is index.html: %q", r.body)
	}
	if r := get(t, base+"/static.html"); r.body != "static page" {
		t.Errorf("static beside forward: %q", r.body)
	}
	if r := get(t, base+"/secret.php"); strings.Contains(r.body, "source") {
		t.Errorf("a .php file was served from disk: %q", r.body)
	}
	// Upstream connections are kept and reused.
	for _, be := range []*backend{a, b, c} {
		if n := be.accepts.Load(); n != 1 {
			t.Errorf("a backend accepted %d connections for 2-3 requests; want 1", n)
		}
	}
	// The access log names the backend.
	deadline := time.Now().Add(3 * time.Second)
	for {
		log, _ := os.ReadFile(filepath.Join(dir, "log/access.log"))
		if strings.Contains(string(log), `"GET /app/x.php?id=7 HTTP/1.1" 200 `) && strings.Contains(string(log), " upstream "+a.Listener.Addr().String()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("access log: %s", log)
		}
		time.Sleep(20 * time.Millisecond) // the log is written once per event batch
	}
}

func TestForwardDeadBackendAndAllDown(t *testing.T) {
	t.Parallel()
	alive := newBackend(t, "alive", nil)
	dead := deadAddr(t)
	base, _ := forwardSite(t, "R", dead, alive.Listener.Addr().String())
	for i := 0; i < 4; i++ {
		if r := get(t, base+"/x.php"); r.status != 200 || !strings.HasPrefix(r.body, "alive") {
			t.Fatalf("request %d with a dead backend: %d %q", i, r.status, r.body)
		}
	}
	allDown, _ := forwardSite(t, "L", deadAddr(t), deadAddr(t))
	if r := get(t, allDown+"/x.php"); r.status != 503 {
		t.Errorf("every backend down: %d", r.status)
	}
}

func TestForwardLeastConnections(t *testing.T) {
	t.Parallel()
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	slow := newBackend(t, "slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-release
		io.WriteString(w, "slow")
	})
	defer close(release)
	fast := newBackend(t, "fast", nil)
	base, _ := forwardSite(t, "L", slow.Listener.Addr().String(), fast.Listener.Addr().String())
	go http.Get(base + "/hold.php")
	select {
	case <-arrived: // the site holds one connection to slow, none to fast
	case <-time.After(10 * time.Second):
		t.Fatal("the first request never reached the slow backend")
	}
	for i := 0; i < 3; i++ {
		if r := get(t, base+"/x.php"); !strings.HasPrefix(r.body, "fast") {
			t.Fatalf("least connections sent request %d to %q", i, r.body)
		}
	}
}

// workerRSS is the largest peak RSS among the processes running bin.
func workerRSS(t *testing.T, bin string) int64 {
	entries, _ := os.ReadDir("/proc")
	var peak int64
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil || exe != bin {
			continue
		}
		status, _ := os.ReadFile("/proc/" + e.Name() + "/status")
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
				peak = max(peak, kb*1024)
			}
		}
	}
	return peak
}

func TestForwardStreams100MB(t *testing.T) {
	t.Parallel()
	const size = 100 << 20
	be := newBackend(t, "stream", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == "POST" {
			h := sha256.New()
			n, _ := io.Copy(h, r.Body)
			fmt.Fprintf(w, "%d %s", n, hex.EncodeToString(h.Sum(nil)))
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(size))
		block := make([]byte, 1<<20)
		for i := 0; i < size>>20; i++ {
			w.Write(block)
		}
	})
	base, dir := forwardSite(t, "R", be.Listener.Addr().String())
	// Upload 100 MiB without a length (chunked), from a generator.
	h := sha256.New()
	pr, pw := io.Pipe()
	go func() {
		block := make([]byte, 1<<20)
		for i := 0; i < size>>20; i++ {
			block[0] = byte(i)
			h.Write(block)
			pw.Write(block)
		}
		pw.Close()
	}()
	resp, err := http.Post(base+"/upload.php", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := fmt.Sprintf("%d %s", size, hex.EncodeToString(h.Sum(nil))); string(got) != want {
		t.Fatalf("upload: %q, want %q", got, want)
	}
	// Download 100 MiB.
	resp, err = http.Get(base + "/download.php")
	if err != nil {
		t.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if n != size {
		t.Fatalf("download: %d bytes", n)
	}
	if rss := workerRSS(t, filepath.Join(dir, "site")); rss > 40<<20 {
		t.Errorf("a site process peaked at %d MiB of RSS while streaming 100 MiB each way", rss>>20)
	}
}
