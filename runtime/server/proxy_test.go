package server

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/phash"
)

// backendAddr splits a listener address into a Backend.
func backendAddr(t testing.TB, addr string) Backend {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(port)
	return Backend{IP: host, Port: p}
}

// startProxy starts a site whose default website forwards everything to
// backends with rule.
func startProxy(t testing.TB, rule byte, backends []Backend, tweak func(*Site)) string {
	t.Helper()
	addr, _ := startProxyInstance(t, rule, backends, tweak)
	return addr
}

// startProxyInstance is startProxy that also returns the running instance.
func startProxyInstance(t testing.TB, rule byte, backends []Backend, tweak func(*Site)) (string, *Instance) {
	t.Helper()
	up := &Upstream{Name: "test", Rule: rule, Servers: backends}
	w := &Website{Domain: "", Serve: func(c *Ctx) { c.Forward(up) }}
	site := &Site{
		Conf: "proxy-test", Workers: 1, LogLevel: logs.Fatal,
		Limits: Limits{MaxSessions: 1000, MaxFileCache: 1 << 20, MaxConnectionsPerIP: -1,
			MaxHeaders: 64, MaxHeadBytes: 8192, MaxBody: 1 << 30},
		TCP:       TCPOptions{NoDelay: true, Linger: -1},
		HTTP:      HTTPOptions{Timeout: 5 * time.Second, Elapse: 30 * time.Second, ForwardDisable: 200 * time.Millisecond},
		Listens:   []*Listen{{IP: "127.0.0.1", Hosts: &HostTable{Table: phash.Table{}, Default: w}}},
		MIME:      mimeTable(t),
		Upstreams: []*Upstream{up},
	}
	if tweak != nil {
		tweak(site)
	}
	inst, err := Start(site)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Stop(5 * time.Second) })
	return fmt.Sprintf("127.0.0.1:%d", site.Listens[0].Port), inst
}

// namedBackend answers its name and counts the connections it accepts.
func namedBackend(t testing.TB, name string) (*httptest.Server, *atomic.Int32) {
	var accepts atomic.Int32
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Backend", name)
		fmt.Fprintf(w, "%s %s xff=%s real=%s proto=%s host=%s conn=%q",
			name, r.URL.RequestURI(), r.Header.Get("X-Forwarded-For"), r.Header.Get("X-Real-IP"),
			r.Header.Get("X-Forwarded-Proto"), r.Host, r.Header.Get("Connection"))
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			accepts.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, &accepts
}

func fetch(t testing.TB, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestProxyRoundRobinHeadersAndReuse(t *testing.T) {
	t.Parallel()
	var backends []Backend
	var counts []*atomic.Int32
	for _, n := range []string{"a", "b", "c"} {
		s, cnt := namedBackend(t, n)
		backends = append(backends, backendAddr(t, s.Listener.Addr().String()))
		counts = append(counts, cnt)
	}
	addr := startProxy(t, 'R', backends, nil)
	client := &http.Client{}
	var order []string
	for i := 0; i < 9; i++ {
		status, body := fetch(t, client, "http://"+addr+"/x/y.php?q=1")
		if status != 200 {
			t.Fatalf("status %d: %s", status, body)
		}
		order = append(order, body[:1])
		if i == 0 {
			for _, want := range []string{"/x/y.php?q=1", "xff=127.0.0.1", "real=127.0.0.1", "proto=http", "host=" + addr, `conn=""`} {
				if !strings.Contains(body, want) {
					t.Errorf("backend saw %q, missing %q", body, want)
				}
			}
		}
	}
	if got := strings.Join(order, ""); got != "abcabcabc" {
		t.Errorf("round-robin order %q", got)
	}
	for i, c := range counts {
		if c.Load() != 1 {
			t.Errorf("backend %d accepted %d connections; want 1 (pooled)", i, c.Load())
		}
	}
}

func TestProxyDeadBackendSkippedThenRetried(t *testing.T) {
	t.Parallel()
	// A port that refuses: listen, note it, close.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	alive, _ := namedBackend(t, "alive")
	addr := startProxy(t, 'R', []Backend{backendAddr(t, dead), backendAddr(t, alive.Listener.Addr().String())}, nil)
	client := &http.Client{}
	for i := 0; i < 4; i++ {
		if status, body := fetch(t, client, "http://"+addr+"/"); status != 200 || !strings.HasPrefix(body, "alive") {
			t.Fatalf("request %d: %d %q", i, status, body)
		}
	}
	// The dead backend comes back; after forward_disable (200 ms) it is used again.
	revived := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "revived") }))
	ln, err := net.Listen("tcp", dead)
	if err != nil {
		t.Skipf("cannot reuse port: %v", err)
	}
	revived.Listener = ln
	revived.Start()
	defer revived.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, body := fetch(t, client, "http://"+addr+"/")
		if body == "revived" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("revived backend never used again")
		}
		time.Sleep(50 * time.Millisecond) // forward_disable is a clock, not an event
	}
}

func TestProxyAllDown503(t *testing.T) {
	t.Parallel()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	addr := startProxy(t, 'R', []Backend{backendAddr(t, dead)}, nil)
	if status, _ := fetch(t, &http.Client{}, "http://"+addr+"/"); status != 503 {
		t.Fatalf("all backends down: %d", status)
	}
}

func TestProxyLeastConnections(t *testing.T) {
	t.Parallel()
	release, arrived := make(chan struct{}), make(chan struct{}, 1)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		io.WriteString(w, "slow")
	}))
	defer slow.Close()
	defer close(release)
	fast, _ := namedBackend(t, "fast")
	addr := startProxy(t, 'L', []Backend{backendAddr(t, slow.Listener.Addr().String()), backendAddr(t, fast.Listener.Addr().String())}, nil)
	go http.Get("http://" + addr + "/slow") // ties go to the first: the slow one
	<-arrived                               // it has reached the slow backend
	client := &http.Client{}
	for i := 0; i < 3; i++ {
		if _, body := fetch(t, client, "http://"+addr+"/"); !strings.HasPrefix(body, "fast") {
			t.Fatalf("least-conn sent request %d to %q", i, body)
		}
	}
}

func TestProxyStreamsBodiesBothWays(t *testing.T) {
	t.Parallel()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		n, _ := io.Copy(h, r.Body)
		if r.URL.Path == "/download" {
			w.Header().Set("Content-Length", strconv.Itoa(20<<20))
			chunk := strings.Repeat("x", 1<<20)
			for i := 0; i < 20; i++ {
				io.WriteString(w, chunk)
			}
			return
		}
		if r.URL.Path == "/chunked" {
			for i := 0; i < 5; i++ {
				fmt.Fprintf(w, "part%d;", i)
				w.(http.Flusher).Flush()
			}
			return
		}
		fmt.Fprintf(w, "%d %s", n, hex.EncodeToString(h.Sum(nil)))
	}))
	defer backend.Close()
	addr := startProxy(t, 'R', []Backend{backendAddr(t, backend.Listener.Addr().String())}, nil)
	payload := strings.Repeat("0123456789abcdef", 1<<20/16*10) // 10 MiB
	sum := sha256.Sum256([]byte(payload))
	want := fmt.Sprintf("%d %s", len(payload), hex.EncodeToString(sum[:]))
	// Content-Length body.
	resp, err := http.Post("http://"+addr+"/upload", "application/octet-stream", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != want {
		t.Errorf("upload with length: %q", b)
	}
	// Chunked body (unknown length).
	resp, err = http.Post("http://"+addr+"/upload", "application/octet-stream", io.MultiReader(strings.NewReader(payload)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != want {
		t.Errorf("chunked upload: %q", b)
	}
	// A large download and a chunked response.
	if _, body := fetch(t, &http.Client{}, "http://"+addr+"/download"); len(body) != 20<<20 {
		t.Errorf("download: %d bytes", len(body))
	}
	if _, body := fetch(t, &http.Client{}, "http://"+addr+"/chunked"); body != "part0;part1;part2;part3;part4;" {
		t.Errorf("chunked response: %q", body)
	}
}

// rawBackend accepts connections and answers each with reply, then closes
// when close is set.
func rawBackend(t testing.TB, reply string, closeAfter bool) Backend {
	return backendAddr(t, connBackend(t, func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		c.Write([]byte(reply))
		if !closeAfter {
			io.Copy(io.Discard, c) // silent until the site gives up and closes
		}
	}))
}

func TestProxyCloseDelimitedAndBadAndSlow(t *testing.T) {
	t.Parallel()
	addr := startProxy(t, 'R', []Backend{rawBackend(t, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close", true)}, nil)
	out := raw(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 200 OK") || !strings.HasSuffix(out, "until close") || !strings.Contains(out, "Connection: close") {
		t.Errorf("close-delimited:\n%s", out)
	}
	addr = startProxy(t, 'R', []Backend{rawBackend(t, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc", true)}, nil)
	if out := raw(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 502") {
		t.Errorf("bad upstream response: %.40q", out)
	}
	addr = startProxy(t, 'R', []Backend{rawBackend(t, "", false)}, func(s *Site) { s.HTTP.Timeout = 300 * time.Millisecond })
	if out := raw(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 504") {
		t.Errorf("slow upstream: %.40q", out)
	}
	// A backend that dies in the middle of its body: the client is cut off, not left hanging.
	addr = startProxy(t, 'R', []Backend{rawBackend(t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", true)}, nil)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("client left hanging after %q", b)
	}
}

func TestProxyTLSBackends(t *testing.T) {
	t.Parallel()
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "tls backend %s xff=%s", r.URL.RequestURI(), r.Header.Get("X-Forwarded-For"))
	}))
	defer secure.Close()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	addr := startProxy(t, 'R', []Backend{backendAddr(t, dead), backendAddr(t, secure.Listener.Addr().String())}, func(s *Site) {
		s.Upstreams[0].TLS = true
	})
	client := &http.Client{}
	for i := 0; i < 4; i++ {
		status, body := fetch(t, client, "http://"+addr+"/p?q=1")
		if status != 200 || body != "tls backend /p?q=1 xff=127.0.0.1" {
			t.Fatalf("request %d over TLS to the backend: %d %q", i, status, body)
		}
	}
}

// dyingBackend answers the first request of each connection and closes
// the connection without a byte when a second one arrives on it (a pooled
// connection the backend gave up just as it was reused). It counts the
// requests it read, by method.
func dyingBackend(t *testing.T) (string, *sync.Map) {
	var seen sync.Map // method → *atomic.Int32
	addr := connBackend(t, func(c net.Conn) {
		br := bufio.NewReader(c)
		for i := 0; ; i++ {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			n, _ := seen.LoadOrStore(req.Method, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			if i > 0 {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	return addr, &seen
}

// connBackend listens on a free port and runs serve on each connection it
// accepts (closing it after), until the test ends; it returns the address.
func connBackend(t testing.TB, serve func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

// A request on a pooled connection that closes without answering is sent
// again on a fresh one only when it is idempotent (RFC 9110 §9.2.2): a
// bodiless POST may have been acted on, so it gets 502 instead.
func TestProxyRetriesOnlyIdempotentRequests(t *testing.T) {
	t.Parallel()
	addr, seen := dyingBackend(t)
	site := startProxy(t, 'R', []Backend{backendAddr(t, addr)}, nil)
	count := func(m string) int32 {
		if n, ok := seen.Load(m); ok {
			return n.(*atomic.Int32).Load()
		}
		return 0
	}
	exchange := func(method string) int {
		c, err := net.Dial("tcp", site)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "%s / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", method)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		return resp.StatusCode
	}
	// The first GET fills the pool; the second meets the dying connection
	// and is replayed on a fresh one.
	if s := exchange("GET"); s != 200 {
		t.Fatalf("first GET: %d", s)
	}
	if s := exchange("GET"); s != 200 || count("GET") != 3 {
		t.Fatalf("GET on a dying pooled connection: %d after %d backend reads; want 200 after 3", s, count("GET"))
	}
	// The replayed GET left its fresh connection in the pool: a POST on it
	// dies and must not be sent twice.
	if s := exchange("POST"); s != 502 || count("POST") != 1 {
		t.Fatalf("POST on a dying pooled connection: %d after %d backend reads; want 502 after 1", s, count("POST"))
	}
}

// A graceful stop lets a request that is with its backend finish: the
// client connection is not idle while the backend is answering.
func TestProxyStopWaitsForBackendAnswer(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "late answer")
	}))
	t.Cleanup(slow.Close)
	addr, inst := startProxyInstance(t, 'R', []Backend{backendAddr(t, slow.Listener.Addr().String())}, nil)
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		done <- result{resp.StatusCode, string(b), err}
	}()
	<-arrived
	if !inst.Stop(5 * time.Second) {
		t.Error("the site did not stop")
	}
	r := <-done
	if r.err != nil || r.status != 200 || r.body != "late answer" {
		t.Fatalf("request in flight at stop: %d %q %v", r.status, r.body, r.err)
	}
}

// A backend that dies in the middle of its body cuts the client off, even
// when the client pipelined a request the site answers itself: that answer
// must not follow the cut body on the same connection, where it would read
// as the rest of it.
func TestProxyCutBodyEndsPipelinedConnection(t *testing.T) {
	t.Parallel()
	backend := rawBackend(t, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", true) // 2 of 10 bytes
	site := startProxy(t, 'R', []Backend{backend}, func(s *Site) {
		up := s.Upstreams[0]
		s.Listens[0].Hosts.Default.Serve = func(c *Ctx) {
			if strings.HasPrefix(string(c.Path), "/px/") {
				c.Forward(up)
				return
			}
			c.Error(404) // answered by the site itself
		}
	})
	c, err := net.Dial("tcp", site)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /px/a HTTP/1.1\r\nHost: x\r\n\r\nGET /local HTTP/1.1\r\nHost: x\r\n\r\n")
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("%v after %q", err, got)
	}
	if n := strings.Count(string(got), "HTTP/1.1 "); n != 1 || !strings.HasSuffix(string(got), "\r\n\r\nok") {
		t.Fatalf("after a cut body the connection carried:\n%q", got)
	}
}
