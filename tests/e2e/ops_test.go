package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

const opsConf = `{
	"worker_processes" : 2,
	"error_log" : "log/error.log",
	"ops" : { "ip" : "127.0.0.1", "port" : @OPS@ },
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"forward" : { "forward_type" : "php", "forward_rule" : "R",
				"forward_server" : { "ip" : "127.0.0.1", "port" : @BACKEND@ } }
		}
	}
}
`

// scrape fetches /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, ops int) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", ops))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return mfs
}

// value sums the samples of family name whose labels include kv.
func value(mfs map[string]*dto.MetricFamily, name string, kv ...string) float64 {
	var sum float64
	mf := mfs[name]
	if mf == nil {
		return -1
	}
next:
	for _, m := range mf.Metric {
		for i := 0; i+1 < len(kv); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == kv[i] && l.GetValue() == kv[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func status(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestOpsHealthAndMetrics: the master of a two-worker site answers
// /healthz, /readyz and /metrics on its ops listen; counters move with the
// requests made, summed over both workers; a scrape during load parses;
// /readyz turns 503 while the site drains after TERM.
func TestOpsHealthAndMetrics(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var slow atomic.Bool
	be := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			<-release
		}
		fmt.Fprint(w, "from the backend")
	})}
	bl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go be.Serve(bl)
	t.Cleanup(func() { be.Close() })
	backend := bl.Addr().(*net.TCPAddr).Port

	port, ops := freePort(t), freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":      conf(opsConf, "PORT", port, "OPS", ops, "BACKEND", backend),
		"www/index.html":  "<h1>hi</h1>",
		"www/press.html":  strings.Repeat("<p>a compressible page</p>\n", 100),
		"www/app/app.php": "never served",
	})
	// The master opens the ops listen after the site's: wait for both.
	s := start(t, dir, build(t, dir), port, ops)
	if code, body := status(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", ops)); code != 200 {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// The listening sockets accept (and queue) before the workers serve:
	// ready comes once both say they do.
	waitFor(t, func() bool {
		code, body := status(t, fmt.Sprintf("http://127.0.0.1:%d/readyz", ops))
		if code != 200 && !strings.HasPrefix(body, "starting: ") {
			t.Fatalf("/readyz: %d %q", code, body)
		}
		return code == 200 && body == "ready\n"
	})
	before := scrape(t, ops)

	// Load from several connections, so both workers take some.
	const clients, each = 8, 250
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for j := 0; j < each; j++ {
				req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:%d/press.html", port), nil)
				req.Header.Set("Accept-Encoding", "gzip")
				resp, err := c.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if j%50 == 0 {
					c.CloseIdleConnections() // a new connection: the kernel may give it to the other worker
				}
			}
		}()
	}
	during := scrape(t, ops) // while the load runs: it must parse
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d requests failed", failed.Load())
	}
	for i := 0; i < 3; i++ {
		if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/app/x.php", port)); r.status != 200 {
			t.Fatalf("forwarded request: %d", r.status)
		}
	}
	get(t, fmt.Sprintf("http://127.0.0.1:%d/missing", port))
	after := scrape(t, ops)

	const total = clients * each
	site := "(default :" + fmt.Sprint(port) + ")"
	if d := value(after, "hetao_requests_total", "website", site, "code", "2xx") - value(before, "hetao_requests_total", "website", site, "code", "2xx"); d != total+3 {
		t.Errorf("2xx requests moved by %v, want %d", d, total+3)
	}
	if d := value(after, "hetao_requests_total", "code", "4xx") - value(before, "hetao_requests_total", "code", "4xx"); d != 1 {
		t.Errorf("4xx requests moved by %v, want 1", d)
	}
	w0, w1 := value(after, "hetao_worker_requests_total", "worker", "0"), value(after, "hetao_worker_requests_total", "worker", "1")
	if w0 <= 0 || w1 <= 0 || w0+w1 != value(after, "hetao_requests_total") {
		t.Errorf("per worker %v + %v, total %v: the sum must cover both workers", w0, w1, value(after, "hetao_requests_total"))
	}
	if v := value(during, "hetao_requests_total"); v < 0 {
		t.Errorf("scrape during the load has no hetao_requests_total")
	}
	if d := value(after, "hetao_compressed_responses_total", "encoding", "gzip"); d < total {
		t.Errorf("gzip variants served: %v, want at least %d", d, total)
	}
	if v := value(after, "hetao_cache_hits_total"); v < total-2 {
		t.Errorf("cache hits %v", v)
	}
	if v := value(after, "hetao_sent_bytes_total", "website", site); v <= 0 {
		t.Errorf("bytes sent %v", v)
	}
	be0 := fmt.Sprintf("127.0.0.1:%d", backend)
	if v := value(after, "hetao_upstream_requests_total", "backend", be0); v != 3 {
		t.Errorf("upstream requests %v, want 3", v)
	}
	if v := value(after, "hetao_upstream_latency_seconds", "backend", be0); v != 3 {
		t.Errorf("upstream latency observations %v, want 3", v)
	}
	if v := value(after, "hetao_workers", "state", "serving"); v != 2 {
		t.Errorf("serving workers %v", v)
	}

	// A worker killed is replaced: counted, and ready again once it serves.
	victim := childOf(t, s.Cmd.Process.Pid)
	syscall.Kill(victim, syscall.SIGKILL)
	waitFor(t, func() bool {
		m := scrape(t, ops)
		return value(m, "hetao_worker_restarts_total") == 1 && value(m, "hetao_workers", "state", "serving") == 2
	})
	if code, _ := status(t, fmt.Sprintf("http://127.0.0.1:%d/readyz", ops)); code != 200 {
		t.Errorf("/readyz after the worker was replaced: %d", code)
	}

	// Draining: a request held by the backend keeps the site draining
	// after TERM; meanwhile /readyz says 503 and /healthz 200.
	slow.Store(true)
	held := make(chan int, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/app/held.php", port))
		if err != nil {
			held <- 0
			return
		}
		resp.Body.Close()
		held <- resp.StatusCode
	}()
	waitFor(t, func() bool {
		return value(scrape(t, ops), "hetao_upstream_requests_total", "backend", be0) == 4
	})
	syscall.Kill(s.Cmd.Process.Pid, syscall.SIGTERM)
	waitFor(t, func() bool {
		code, body := status(t, fmt.Sprintf("http://127.0.0.1:%d/readyz", ops))
		return code == 503 && body == "draining\n"
	})
	if code, _ := status(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", ops)); code != 200 {
		t.Errorf("/healthz while draining: %d", code)
	}
	close(release)
	if code := <-held; code != 200 {
		t.Errorf("the request held across TERM: %d", code)
	}
	select {
	case <-s.Exited:
	case <-time.After(10 * time.Second):
		t.Fatal("the site did not stop after its last request")
	}
}

// childOf is a child process of pid (a worker of that master).
func childOf(t *testing.T, pid int) int {
	t.Helper()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == fmt.Sprint(pid) {
			var child int
			fmt.Sscan(e.Name(), &child)
			return child
		}
	}
	t.Fatalf("no child of pid %d", pid)
	return 0
}

// waitFor polls cond every 10 ms for up to 15 s (a loaded machine).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
