package process

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

// TestReloadUnderHTTP2Load: two reloads (site reload, USR2) while Go's
// HTTP/2 client keeps four streams in flight on each of two connections
// lose no request: the old workers' GOAWAY names the last stream they
// serve, those streams finish, and the client sends what came after it
// again on a new connection, to the new workers. (h2load does not send
// such requests again: it counts up to -m of them per connection as
// errored; see tests/bench/README.md.)
func TestReloadUnderHTTP2Load(t *testing.T) {
	t.Parallel()
	cert, key, _ := sitetest.CertPEM(t, "hetao reload")
	port := freePort(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hetao.conf":     conf(resumeConf, "PORT", port),
		"certs/site.pem": cert,
		"certs/site.key": key,
		"www/index.html": "hello over h2",
	})
	s := start(t, dir, build(t, dir), port)
	url := fmt.Sprintf("https://127.0.0.1:%d/", port)

	var ok, failed, notH2 atomic.Int64
	var mu sync.Mutex
	var errs []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := 0; c < 2; c++ { // two connections, four streams at a time on each
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
		hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		defer tr.CloseIdleConnections()
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := hc.Get(url)
					if err == nil {
						var b []byte
						b, err = io.ReadAll(resp.Body)
						resp.Body.Close()
						if err == nil && (resp.StatusCode != 200 || string(b) != "hello over h2") {
							err = fmt.Errorf("%s %q", resp.Status, b)
						}
						if resp.ProtoMajor != 2 {
							notH2.Add(1)
						}
					}
					if err != nil {
						failed.Add(1)
						mu.Lock()
						if len(errs) < 5 {
							errs = append(errs, err.Error())
						}
						mu.Unlock()
						continue
					}
					ok.Add(1)
				}
			}()
		}
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()
	waitOK := func(n int64) {
		t.Helper()
		want := ok.Load() + n
		eventually(t, 10*time.Second, fmt.Sprintf("%d requests", n), func() bool { return ok.Load() >= want })
	}
	waitOK(200)
	for i := 0; i < 2; i++ {
		old := s.masterPid(t)
		out, err := s.run(t, "reload")
		if err != nil {
			t.Fatalf("reload %d: %v\n%s", i+1, err, out)
		}
		if alive(old) {
			t.Fatalf("reload %d: old master %d still running", i+1, old)
		}
		waitOK(200)
	}
	close(stop)
	wg.Wait()
	t.Logf("two reloads under HTTP/2 load: %d requests, %d failed, %d not over HTTP/2", ok.Load(), failed.Load(), notH2.Load())
	if failed.Load() != 0 || notH2.Load() != 0 {
		t.Errorf("%d requests failed, %d not over HTTP/2: %q", failed.Load(), notH2.Load(), errs)
	}
}
