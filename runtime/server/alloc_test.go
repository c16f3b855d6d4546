package server

import (
	"testing"

	"golang.org/x/sys/unix"
)

// loopHarness drives one loop's request path without epoll: a socketpair
// stands in for the client, so process and flush run exactly as they do
// for a real connection.
type loopHarness struct {
	l    *loop
	c    *conn
	peer int
	sink []byte
}

func newHarness(t testing.TB) *loopHarness {
	ts := startTestSite(t, nil) // for its site and files; the harness has its own loop
	rt, err := prepare(ts.site, false)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLoop(0, rt)
	if err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.SetsockoptInt(fds[0], unix.SOL_SOCKET, unix.SO_SNDBUF, 1<<20)
	l.tick()
	l.open(fds[0], ts.site.Listens[0], ipv4([4]byte{127, 0, 0, 1}), nil)
	h := &loopHarness{l: l, c: l.conns[fds[0]], peer: fds[1], sink: make([]byte, 1<<20)}
	t.Cleanup(func() {
		unix.Close(fds[1])
		l.close(h.c)
		l.cache.Close()
		unix.Close(l.epfd)
	})
	return h
}

func (h *loopHarness) do(req []byte) {
	h.l.process(h.c, req)
	h.l.flush(h.c)
	for {
		if n, _ := unix.Read(h.peer, h.sink); n <= 0 {
			break
		}
	}
}

func TestCachedGETAllocatesNothing(t *testing.T) {
	h := newHarness(t)
	for _, req := range []string{
		"GET /press.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wrk\r\nAccept-Encoding: gzip\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: \"x\"\r\n\r\n",
	} {
		b := []byte(req)
		h.do(b) // fills the cache
		if n := testing.AllocsPerRun(200, func() { h.do(b) }); n != 0 {
			t.Errorf("%q: %v allocations per request", req, n)
		}
	}
	if h.l.cache.Lookup(h.c.ln.Hosts.Default.Root, []byte("/press.html")) == nil {
		t.Fatal("press.html not cached")
	}
}

func BenchmarkCachedGETGzip(b *testing.B) {
	h := newHarness(b)
	req := []byte("GET /press.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wrk\r\nAccept-Encoding: gzip\r\n\r\n")
	h.do(req)
	b.ReportAllocs()
	for b.Loop() {
		h.do(req)
	}
}

func BenchmarkCachedGETPipelined16(b *testing.B) {
	h := newHarness(b)
	one := "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	var req []byte
	for range 16 {
		req = append(req, one...)
	}
	h.do(req)
	b.ReportAllocs()
	for b.Loop() {
		h.do(req)
	}
}

func BenchmarkHostLookup(b *testing.B) {
	ts := startTestSite(b, nil)
	hosts := ts.site.Listens[0].Hosts
	host := []byte("Other.Example:8080")
	for b.Loop() {
		hosts.Lookup(host)
	}
}

// openClose opens a connection on the harness's loop and closes it, as a
// short-lived client does.
func (h *loopHarness) openClose(t testing.TB) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	h.l.open(fds[0], h.c.ln, ipv4([4]byte{127, 0, 0, 1}), nil)
	h.l.close(h.l.conns[fds[0]])
	unix.Close(fds[1])
}

func TestOpenCloseAllocatesNothing(t *testing.T) {
	h := newHarness(t)
	cycle := func() { h.openClose(t) }
	cycle()
	if n := testing.AllocsPerRun(200, cycle); n > 1 { // Socketpair's own [2]int result
		t.Errorf("accepting and closing a connection: %v allocations", n)
	}
}

func TestTimersDoNotPileUp(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 20000; i++ {
		h.openClose(t)
	}
	if n := len(h.l.timers); n > 2*int(h.l.sessions.Load())+4096 {
		t.Errorf("%d timer entries for %d open connections after 20000 short ones", n, h.l.sessions.Load())
	}
}
