package app

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/server"
)

// An IPv6 client is the app's RemoteAddr, bracketed as net/http writes
// it; an IPv4 client on the same dual-stack listen is its IPv4 address.
func TestRemoteAddrIPv6(t *testing.T) {
	// A port free on every address: port 0 with SO_REUSEPORT could be
	// given one another test's socket holds.
	l, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Skipf("no IPv6 here: %v", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	a := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "remote=%s real=%s xff=%s", r.RemoteAddr, r.Header.Get("X-Real-IP"), r.Header.Get("X-Forwarded-For"))
	}))
	up := &server.Upstream{Name: "app:test.Handler", App: a}
	w := &server.Website{Serve: func(c *server.Ctx) { c.Forward(up) }}
	site := &server.Site{
		Conf: "app-ipv6-test", Workers: 1, LogLevel: logs.Error,
		Limits: server.Limits{MaxSessions: 100, MaxFileCache: 1 << 20, MaxConnectionsPerIP: -1,
			MaxHeaders: 64, MaxHeadBytes: 8192, MaxBody: 1 << 20},
		TCP:       server.TCPOptions{NoDelay: true, Linger: -1},
		HTTP:      server.HTTPOptions{Timeout: 5 * time.Second, Elapse: 30 * time.Second, ForwardDisable: 60 * time.Second},
		Listens:   []*server.Listen{{IP: "::", Port: port, Hosts: &server.HostTable{Default: w}}},
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
	client := &http.Client{Timeout: 10 * time.Second}
	for host, want := range map[string]string{
		"[::1]":     "remote=[::1]:0 real=::1 xff=::1",
		"127.0.0.1": "remote=127.0.0.1:0 real=127.0.0.1 xff=127.0.0.1",
	} {
		resp, err := client.Get(fmt.Sprintf("http://%s:%d/", host, site.Listens[0].Port))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != want {
			t.Errorf("via %s: %q, want %q", host, b, want)
		}
	}
}
