package server

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Regressions for the framing the proxy writes itself, both ways: found by
// an external audit of the built binary (request smuggling through
// Connection-listed framing fields, controls in backend fields, raw chunk
// framing passed on).

// seenRequest is one request as a recording backend parsed it.
type seenRequest struct {
	method, uri, host string
	header            http.Header
	body              string
	err               error // reading the body
}

// recorder is a backend (TCP or app) that parses requests with net/http,
// keeps each one and every raw byte it received, and answers each with
// reply.
type recorder struct {
	reply string
	mu    sync.Mutex
	raw   bytes.Buffer
	reqs  []seenRequest
	conns []*recConn
}

// recConn is the state of one connection to a recorder: whether its
// reader waits in Read (with nothing left in bufio's buffer that makes a
// request), and whether it has ended.
type recConn struct {
	rc      syscall.RawConn
	reading bool
	done    bool
}

type teeConn struct {
	net.Conn
	r  *recorder
	st *recConn
}

func (c teeConn) Read(p []byte) (int, error) {
	c.r.mu.Lock()
	c.st.reading = true
	c.r.mu.Unlock()
	n, err := c.Conn.Read(p)
	c.r.mu.Lock()
	c.st.reading = false
	c.r.raw.Write(p[:n])
	c.r.mu.Unlock()
	return n, err
}

func (r *recorder) serve(c net.Conn) {
	defer c.Close()
	st := &recConn{}
	if sc, ok := c.(syscall.Conn); ok {
		st.rc, _ = sc.SyscallConn()
	}
	r.mu.Lock()
	r.conns = append(r.conns, st)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		st.done = true
		r.mu.Unlock()
	}()
	br := bufio.NewReader(teeConn{c, r, st})
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, seenRequest{req.Method, req.RequestURI, req.Host, req.Header, string(body), err})
		r.mu.Unlock()
		if err != nil {
			return
		}
		if _, err := io.WriteString(c, r.reply); err != nil {
			return
		}
	}
}

// requests returns what the backend saw once it has read everything sent
// to it so far (a smuggled request would come right behind the one
// answered): each connection has ended, or waits in Read with nothing
// queued in its socket.
func (r *recorder) requests() ([]seenRequest, string) {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		r.mu.Lock()
		quiet := true
		for _, st := range r.conns {
			if !st.done && (!st.reading || queued(st.rc) != 0) {
				quiet = false
			}
		}
		r.mu.Unlock()
		if quiet {
			break
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seenRequest(nil), r.reqs...), r.raw.String()
}

// queued is the number of bytes waiting in a socket's receive queue.
func queued(rc syscall.RawConn) int {
	n := 0
	if rc != nil {
		rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	}
	return n
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.reqs, r.raw = nil, bytes.Buffer{}
	live := r.conns[:0]
	for _, st := range r.conns {
		if !st.done {
			live = append(live, st)
		}
	}
	r.conns = live
	r.mu.Unlock()
}

// recordingBackend starts a TCP backend recording what reaches it.
func recordingBackend(t *testing.T, reply string) (Backend, *recorder) {
	r := &recorder{reply: reply}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go r.serve(c)
		}
	}()
	return backendAddr(t, l.Addr().String()), r
}

// recordingApp is a recorder reached as an app.
type recordingApp struct{ *recorder }

func (recordingApp) StartApp(AppConfig)     {}
func (a recordingApp) ServeConn(c net.Conn) { go a.serve(c) }

const okReply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// Both ways a request can leave: to a backend over TCP, and to an app.
func eachTarget(t *testing.T, reply string, test func(t *testing.T, addr string, r *recorder)) {
	t.Run("backend", func(t *testing.T) {
		b, r := recordingBackend(t, reply)
		test(t, startProxy(t, 'R', []Backend{b}, nil), r)
	})
	t.Run("app", func(t *testing.T) {
		r := &recorder{reply: reply}
		addr := startProxy(t, 'R', nil, func(s *Site) {
			s.Upstreams[0].Name = "app:example.com/rec.Serve"
			s.Upstreams[0].App = recordingApp{r}
		})
		test(t, addr, r)
	})
}

// A Content-Length or Transfer-Encoding listed in Connection is still the
// framing of the body that is forwarded: dropping it as hop-by-hop made the
// backend read the body as a request of its own.
func TestProxyConnectionListedFramingIsNotSmuggled(t *testing.T) {
	t.Parallel()
	smuggled := "POST /echo/SMUGGLED HTTP/1.1\r\nHost: attacker\r\nContent-Length: 120\r\n\r\n"
	cases := []struct{ name, req, body string }{
		{"content-length", "POST /echo/a HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\nContent-Length: " +
			strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled, smuggled},
		{"content-length among others", "POST /echo/a HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, content-length, host\r\nContent-Length: " +
			strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled, smuggled},
		{"transfer-encoding", "POST /echo/a HTTP/1.1\r\nHost: a\r\nConnection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"5\r\nhello\r\n0\r\n\r\n", "hello"},
		{"zero length", "POST /echo/a HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\nContent-Length: 0\r\n\r\n", ""},
	}
	eachTarget(t, okReply, func(t *testing.T, addr string, r *recorder) {
		for _, tc := range cases {
			r.reset()
			out := raw(t, addr, tc.req)
			reqs, rawIn := r.requests()
			if len(reqs) != 1 || reqs[0].uri != "/echo/a" || reqs[0].body != tc.body || reqs[0].host != "a" {
				t.Errorf("%s: backend saw %+v from\n%q", tc.name, reqs, rawIn)
			}
			if !strings.HasPrefix(out, "HTTP/1.1 200") || strings.Count(out, "HTTP/1.1 ") != 1 {
				t.Errorf("%s: client got %q", tc.name, out)
			}
			if tc.name == "zero length" && !strings.Contains(rawIn, "\r\nContent-Length: 0\r\n") {
				t.Errorf("%s: the length was not passed on: %q", tc.name, rawIn)
			}
		}
	})
}

// X-Forwarded-For lines anywhere in the head, with or without a body of
// either framing: the forwarded head stays well-formed, one joined field.
func TestProxyXForwardedForHeadWellFormed(t *testing.T) {
	t.Parallel()
	type xffCase struct{ name, fields, body, framing, wantXFF string }
	var cases []xffCase
	placements := []struct{ name, fields, want string }{
		{"first", "X-Forwarded-For: 1.1.1.1\r\nCookie: a=1; b=2\r\nAccept: */*\r\n", "1.1.1.1, 127.0.0.1"},
		{"last", "Cookie: a=1; b=2\r\nAccept: */*\r\nX-Forwarded-For: 1.1.1.1\r\n", "1.1.1.1, 127.0.0.1"},
		{"multiple", "X-Forwarded-For: 1.1.1.1\r\nCookie: a=1; b=2\r\nX-Forwarded-For: 2.2.2.2, 3.3.3.3\r\nAccept: */*\r\n", "1.1.1.1, 2.2.2.2, 3.3.3.3, 127.0.0.1"},
		{"none", "Cookie: a=1; b=2\r\nAccept: */*\r\n", "127.0.0.1"},
	}
	for _, p := range placements {
		cases = append(cases,
			xffCase{p.name + "/no body", p.fields, "", "", p.want},
			xffCase{p.name + "/length", p.fields, "k=v&x=y", "Content-Length: 7\r\n", p.want},
			xffCase{p.name + "/chunked", p.fields, "k=v&x=y", "Transfer-Encoding: chunked\r\n", p.want})
	}
	eachTarget(t, okReply, func(t *testing.T, addr string, r *recorder) {
		for _, tc := range cases {
			r.reset()
			body := tc.body
			if strings.HasPrefix(tc.framing, "Transfer") {
				body = "3\r\nk=v\r\n4\r\n&x=y\r\n0\r\n\r\n"
			}
			out := raw(t, addr, "POST /x HTTP/1.1\r\nHost: h\r\n"+tc.fields+tc.framing+"\r\n"+body)
			reqs, rawIn := r.requests()
			if !strings.HasPrefix(out, "HTTP/1.1 200") || len(reqs) != 1 {
				t.Errorf("%s: client got %.60q; backend %+v from\n%q", tc.name, out, reqs, rawIn)
				continue
			}
			q := reqs[0]
			if got := q.header.Values("X-Forwarded-For"); len(got) != 1 || got[0] != tc.wantXFF {
				t.Errorf("%s: X-Forwarded-For %q, want %q", tc.name, got, tc.wantXFF)
			}
			if q.header.Get("Cookie") != "a=1; b=2" || q.header.Get("Accept") != "*/*" || q.body != tc.body || q.err != nil {
				t.Errorf("%s: backend saw %+v", tc.name, q)
			}
			head, _, _ := strings.Cut(rawIn, "\r\n\r\n")
			for _, line := range strings.Split(head, "\r\n") {
				if strings.ContainsAny(line, "\r\n") || strings.HasSuffix(line, ",") || strings.HasSuffix(line, ", ") {
					t.Errorf("%s: forwarded head line %q in\n%q", tc.name, line, head)
				}
			}
		}
	})
}

// A chunked request body reaches the backend in canonical framing of our
// own: no extensions, no trailers, whatever the client's framing.
func TestProxyChunkedRequestBodyIsRechunked(t *testing.T) {
	t.Parallel()
	eachTarget(t, okReply, func(t *testing.T, addr string, r *recorder) {
		out := raw(t, addr, "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"3;ext=\"a b\"\r\nabc\r\n005 ;x\r\nhello\r\n0;last\r\nX-Trailer: t\r\nSet-Cookie: s=1\r\n\r\n")
		reqs, rawIn := r.requests()
		if !strings.HasPrefix(out, "HTTP/1.1 200") || len(reqs) != 1 || reqs[0].body != "abchello" {
			t.Fatalf("client got %.60q; backend %+v", out, reqs)
		}
		_, body, _ := strings.Cut(rawIn, "\r\n\r\n")
		if want := "3\r\nabc\r\n5\r\nhello\r\n0\r\n\r\n"; body != want {
			t.Errorf("forwarded body framing %q, want %q", body, want)
		}
	})
	// Whitespace after the size without an extension (RFC 9112 §7.1.1
	// allows BWS only before ';'): refused, never forwarded.
	for _, size := range []string{"3 ", "3\t"} {
		b, r := recordingBackend(t, okReply)
		addr := startProxy(t, 'R', []Backend{b}, nil)
		out := raw(t, addr, "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"+size+"\r\nabc\r\n0\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 400") {
			t.Errorf("chunk size %q: client got %.60q", size, out)
		}
		if _, rawIn := r.requests(); strings.Contains(rawIn, "abc") {
			t.Errorf("chunk size %q: body forwarded: %q", size, rawIn)
		}
	}
}
