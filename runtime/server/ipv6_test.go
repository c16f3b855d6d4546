package server

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/phash"
)

// needIPv6 skips a test where ::1 cannot be bound.
func needIPv6(t *testing.T) {
	t.Helper()
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	l.Close()
}

// anyPort is a port free on every address of both families. A "::"
// listen takes it rather than port 0: bound with SO_REUSEPORT, port 0 may
// be given a port another test's socket holds, and share its clients.
func anyPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "[::]:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// On a "::" listen, IPv6 and IPv4 clients are served, and the access log
// shows each by its own address (an IPv4 client not as ::ffff:a.b.c.d).
func TestIPv6DualStack(t *testing.T) {
	t.Parallel()
	needIPv6(t)
	ts := startTestSite(t, func(s *Site) { s.Listens[0].IP, s.Listens[0].Port = "::", anyPort(t) })
	port := ts.site.Listens[0].Port
	for _, host := range []string{"127.0.0.1", "[::1]"} {
		if r := get(t, fmt.Sprintf("http://%s:%d/a.txt", host, port)); r.StatusCode != 200 {
			t.Fatalf("GET via %s: %d", host, r.StatusCode)
		}
	}
	lines := stopAndReadLog(t, ts, 2)
	for i, want := range []string{" - 127.0.0.1(", " - ::1("} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("access log line %q lacks %q", lines[i], want)
		}
	}
}

// "ipv6only" keeps IPv4 clients out of a "::" listen; "[::1]" is ::1.
func TestIPv6Only(t *testing.T) {
	t.Parallel()
	needIPv6(t)
	only := startTestSite(t, func(s *Site) { s.Listens[0].IP, s.Listens[0].Port, s.Listens[0].IPv6Only = "::", anyPort(t), true })
	port := only.site.Listens[0].Port
	if c, err := net.DialTimeout("tcp4", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		c.Close()
		t.Error("an IPv4 client connected to an ipv6only listen")
	}
	if r := get(t, fmt.Sprintf("http://[::1]:%d/a.txt", port)); r.StatusCode != 200 {
		t.Errorf("GET via ::1: %d", r.StatusCode)
	}
	lit := startTestSite(t, func(s *Site) { s.Listens[0].IP, s.Listens[0].Port = "[::1]", anyPort(t) })
	if r := get(t, fmt.Sprintf("http://[::1]:%d/a.txt", lit.site.Listens[0].Port)); r.StatusCode != 200 {
		t.Errorf("GET via [::1] listen: %d", r.StatusCode)
	}
}

// A backend reached over IPv6 gets an IPv6 client's address in
// X-Forwarded-For and X-Real-IP.
func TestIPv6Forward(t *testing.T) {
	t.Parallel()
	needIPv6(t)
	b := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "xff=%s real=%s", r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Real-IP"))
	}))
	l, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Fatal(err)
	}
	b.Listener = l
	b.Start()
	t.Cleanup(b.Close)
	ap := netip.MustParseAddrPort(l.Addr().String())
	addr := startProxy(t, 'R', []Backend{{IP: "::1", Port: int(ap.Port())}}, func(s *Site) { s.Listens[0].IP, s.Listens[0].Port = "::", anyPort(t) })
	_, port, _ := net.SplitHostPort(addr)
	for _, tc := range []struct{ host, want string }{
		{"[::1]", "xff=::1 real=::1"},
		{"127.0.0.1", "xff=127.0.0.1 real=127.0.0.1"},
	} {
		r := get(t, "http://"+tc.host+":"+port+"/x")
		body, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 || string(body) != tc.want {
			t.Errorf("via %s: %d %q, want %q", tc.host, r.StatusCode, body, tc.want)
		}
	}
}

// max_connections_per_ip counts an IPv6 client by its /64; appending an
// address to a log line allocates nothing.
func TestIPv6LimitKeyAndText(t *testing.T) {
	a := ipAddr(netip.MustParseAddr("2001:db8:1:2::10").As16())
	b := ipAddr(netip.MustParseAddr("2001:db8:1:2:ffff::1").As16())
	c := ipAddr(netip.MustParseAddr("2001:db8:1:3::10").As16())
	v4 := ipv4([4]byte{192, 0, 2, 1})
	if a.limitKey() != b.limitKey() || a.limitKey() == c.limitKey() || v4.limitKey() != v4 || v4.limitKey() == a.limitKey() {
		t.Error("limitKey does not group by /64")
	}
	if got := v4.addr().String(); got != "192.0.2.1" || !v4.is4() || a.is4() {
		t.Errorf("IPv4 client as %s", got)
	}
	buf := make([]byte, 0, 64)
	for _, ip := range []ipAddr{a, v4} {
		if raceEnabled {
			break
		}
		if n := testing.AllocsPerRun(100, func() { buf = appendIP(buf[:0], ip) }); n != 0 {
			t.Errorf("appendIP %s: %v allocations", ip.addr(), n)
		}
	}
	if string(appendIP(nil, a)) != "2001:db8:1:2::10" || string(appendIP(nil, v4)) != "192.0.2.1" {
		t.Errorf("appendIP: %s, %s", appendIP(nil, a), appendIP(nil, v4))
	}
}

// A Host with an IPv6 literal, with or without its port, finds the
// website named by the literal in brackets (RFC 9110's uri-host).
func TestHostIPv6Literal(t *testing.T) {
	t.Parallel()
	tab, err := phash.Build([]string{"[::1]", "[2001:db8::1]:8080"}, true)
	if err != nil {
		t.Fatal(err)
	}
	w1, w2, def := &Website{Domain: "[::1]"}, &Website{Domain: "[2001:db8::1]:8080"}, &Website{}
	sites := make([]*Website, len(tab.Keys))
	for i, k := range tab.Keys {
		sites[i] = map[string]*Website{"[::1]": w1, "[2001:db8::1]:8080": w2}[k]
	}
	h := &HostTable{Table: tab, Sites: sites, Default: def}
	for host, want := range map[string]*Website{
		"[::1]": w1, "[::1]:8080": w1, "[::1]:80": w1, "[2001:DB8::1]:8080": w2,
		"[2001:db8::1]": def, "::1": def, "[::2]": def,
	} {
		if got := h.Lookup([]byte(host)); got != want {
			t.Errorf("Host %q: website %q, want %q", host, got.Domain, want.Domain)
		}
	}
}

// max_connections_per_ip admits as many IPv6 connections from one /64 as
// it allows, closing the next at once, while an IPv4 client is counted
// apart on the same dual-stack listen.
func TestIPv6PerIPAdmission(t *testing.T) {
	t.Parallel()
	needIPv6(t)
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].IP, s.Listens[0].Port = "::", anyPort(t)
		s.Limits.MaxConnectionsPerIP = 2
	})
	port := ts.site.Listens[0].Port
	dial := func(host string) net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.Write([]byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")) // accepted at once (TCP_DEFER_ACCEPT)
		return c
	}
	answered := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b := make([]byte, 12)
		n, _ := io.ReadFull(c, b)
		return n == 12 && string(b) == "HTTP/1.1 200"
	}
	v6a, v6b, v6c := dial("::1"), dial("::1"), dial("::1")
	v4 := dial("127.0.0.1")
	if !answered(v6a) || !answered(v6b) {
		t.Error("the first two IPv6 connections were not served")
	}
	if answered(v6c) {
		t.Error("a third connection from ::1's /64 was served; the limit is 2")
	}
	if !answered(v4) {
		t.Error("an IPv4 client was refused: it is counted apart")
	}
}
