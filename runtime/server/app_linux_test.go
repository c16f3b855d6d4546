package server

import (
	"time"

	"bufio"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// fakeApp answers each request "ok" on its connections, or, while broken,
// closes every connection it is handed at once.
type fakeApp struct {
	starts atomic.Int32
	conns  atomic.Int32
	broken atomic.Bool
	cfg    AppConfig
}

func (a *fakeApp) StartApp(cfg AppConfig) {
	a.starts.Add(1)
	a.cfg = cfg
}

func (a *fakeApp) ServeConn(c net.Conn) {
	a.conns.Add(1)
	if a.broken.Load() {
		c.Close()
		return
	}
	go func() {
		defer c.Close()
		br := bufio.NewReader(c)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			io.Copy(io.Discard, req.Body)
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
				return
			}
		}
	}()
}

func TestAppUpstream(t *testing.T) {
	t.Parallel()
	app := &fakeApp{}
	app.broken.Store(true)
	addr := startProxy(t, 'R', nil, func(s *Site) {
		s.Upstreams[0].Name = "app:example.com/fake.Serve"
		s.Upstreams[0].App = app
		s.HTTP.ForwardDisable = time.Hour
	})
	client := &http.Client{}
	for i := 0; i < 2; i++ {
		if status, body := fetch(t, client, "http://"+addr+"/x"); status != 502 {
			t.Fatalf("an app that closes at once, request %d: %d %q", i, status, body)
		}
	}
	app.broken.Store(false)
	for i := 0; i < 3; i++ {
		if status, body := fetch(t, client, "http://"+addr+"/x"); status != 200 || body != "ok" {
			t.Fatalf("the app mended, request %d: %d %q", i, status, body)
		}
	}
	if n := app.starts.Load(); n != 1 {
		t.Errorf("StartApp called %d times, want once", n)
	}
	if n := app.conns.Load(); n != 3 {
		t.Errorf("%d connections for 2 failures and 3 sequential requests; want 3 (the last one reused)", n)
	}
	if app.cfg.Name != "app:example.com/fake.Serve" || app.cfg.MaxHeadBytes != 8192 || len(app.cfg.Page500) == 0 || app.cfg.IdleTimeout <= app.cfg.Timeout {
		t.Errorf("AppConfig %+v", app.cfg)
	}
}

// An app is never skipped for forward_disable: there is no other backend,
// and its failures are the handler's, not a network's.
func TestAppNeverDisabled(t *testing.T) {
	t.Parallel()
	l := &loop{rt: &runtimeState{site: &Site{}, disable: 60_000}, now: 5000}
	app := &upState{u: &Upstream{Name: "app:x.Serve", App: &fakeApp{}}, backends: []backend{{addr: "app:x.Serve"}}}
	tcp := &upState{u: &Upstream{Name: "tcp"}, backends: []backend{{addr: "127.0.0.1:1"}}}
	l.disable(app, 0)
	l.disable(tcp, 0)
	if app.backends[0].downUntil != 0 || l.pick(app) != 0 {
		t.Errorf("the app was disabled until %d", app.backends[0].downUntil)
	}
	if tcp.backends[0].downUntil == 0 || l.pick(tcp) != -1 {
		t.Errorf("a TCP backend was not disabled")
	}
}
