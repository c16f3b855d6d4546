package e2e

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

// A minimal WebSocket (RFC 6455) for the tests: the handshake, and
// unfragmented frames, masked from the client.

func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

func wsWriteFrame(w io.Writer, op byte, payload []byte, masked bool) error {
	var h []byte
	h = append(h, 0x80|op)
	bit := byte(0)
	if masked {
		bit = 0x80
	}
	switch n := len(payload); {
	case n < 126:
		h = append(h, bit|byte(n))
	case n < 1<<16:
		h = append(h, bit|126)
		h = binary.BigEndian.AppendUint16(h, uint16(n))
	default:
		h = append(h, bit|127)
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	body := payload
	if masked {
		var mask [4]byte
		rand.Read(mask[:])
		h = append(h, mask[:]...)
		body = make([]byte, len(payload))
		for i, b := range payload {
			body[i] = b ^ mask[i%4]
		}
	}
	_, err := w.Write(append(h, body...))
	return err
}

func wsReadFrame(r io.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0]&0x80 == 0 {
		return 0, nil, errors.New("fragmented frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var x uint16
		err = binary.Read(r, binary.BigEndian, &x)
		n = uint64(x)
	case 127:
		err = binary.Read(r, binary.BigEndian, &n)
	}
	if err != nil || n > 16<<20 {
		return 0, nil, fmt.Errorf("bad frame length %d: %v", n, err)
	}
	var mask [4]byte
	if h[1]&0x80 != 0 {
		if _, err = io.ReadFull(r, mask[:]); err != nil {
			return 0, nil, err
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	if h[1]&0x80 != 0 {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return h[0] & 0x0f, payload, nil
}

// wsBackend is a WebSocket echo server: its first message says what it
// saw of the request; then it echoes until the client closes.
func wsBackend(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				key := req.Header.Get("Sec-WebSocket-Key")
				if !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") || key == "" {
					io.WriteString(c, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
					return
				}
				io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+wsAccept(key)+"\r\n\r\n")
				hello := fmt.Sprintf("backend %s proto=%s xff=%s", req.RequestURI, req.Header.Get("X-Forwarded-Proto"), req.Header.Get("X-Forwarded-For"))
				wsWriteFrame(c, 1, []byte(hello), false)
				for {
					op, payload, err := wsReadFrame(br)
					if err != nil {
						return
					}
					if err := wsWriteFrame(c, op, payload, false); err != nil || op == 8 {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// wsClient is a WebSocket client connection.
type wsClient struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

// wsDial shakes hands on c for path and checks the 101.
func wsDial(t *testing.T, c net.Conn, path string) *wsClient {
	t.Helper()
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	var k [16]byte
	rand.Read(k[:])
	key := base64.StdEncoding.EncodeToString(k[:])
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: chat.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, key)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("handshake on %s: %v", path, err)
	}
	if resp.StatusCode != 101 || !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") ||
		!strings.EqualFold(resp.Header.Get("Connection"), "upgrade") || resp.Header.Get("Sec-WebSocket-Accept") != wsAccept(key) {
		t.Fatalf("handshake on %s: %d %v", path, resp.StatusCode, resp.Header)
	}
	return &wsClient{t: t, c: c, br: br}
}

func (w *wsClient) send(op byte, payload []byte) {
	w.t.Helper()
	if err := wsWriteFrame(w.c, op, payload, true); err != nil {
		w.t.Fatal(err)
	}
}

func (w *wsClient) recv() (byte, []byte) {
	w.t.Helper()
	op, payload, err := wsReadFrame(w.br)
	if err != nil {
		w.t.Fatalf("reading a frame: %v", err)
	}
	return op, payload
}

func (w *wsClient) echo(op byte, payload []byte) {
	w.t.Helper()
	w.send(op, payload)
	if gop, got := w.recv(); gop != op || !bytes.Equal(got, payload) {
		w.t.Fatalf("echo of %d bytes: op %d, %d bytes back", len(payload), gop, len(got))
	}
}

// close runs the closing handshake and expects the connection to end.
func (w *wsClient) close() {
	w.t.Helper()
	w.send(8, []byte{0x03, 0xe8})
	if op, _ := w.recv(); op != 8 {
		w.t.Fatalf("answer to close: op %d", op)
	}
	if rest, err := io.ReadAll(w.br); err != nil || len(rest) > 0 {
		w.t.Fatalf("after the closing handshake: %q, %v", rest, err)
	}
}

const wsSite = `{ "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/access.log",
			"location" : { "prefix" : "/ws/", "forward" : { "forward_type" : "", "forward_rule" : "R",
				"forward_server" : { "ip" : "127.0.0.1", "port" : @BACKEND@ } } },
			"location" : { "prefix" : "/app/", "app" : { "package" : "example.com/wsapp", "dir" : "@APP@", "handler" : "Echo" } } }`

const wsConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTP@, "website" : ` + wsSite + ` },
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTPS@,
		"ssl" : { "certificate_file" : "certs/server.pem", "certificate_key_file" : "certs/server.key" },
		"website" : ` + wsSite + ` },
	"http_options" : { "timeout" : 5, "elapse" : 1 }
}
`

// WebSocket through a real site: to a backend (forward) and to an app
// that hijacks its connection, over HTTP and HTTPS.
func TestWebSocket(t *testing.T) {
	t.Parallel()
	appDir, err := filepath.Abs(filepath.Join("testdata", "wsapp"))
	if err != nil {
		t.Fatal(err)
	}
	backend := wsBackend(t)
	_, bport, _ := net.SplitHostPort(backend)
	cert, key, pool := sitetest.CertPEM(t, "hetao e2e")
	plain, secure := freePort(t), freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":       conf(wsConf, "HTTP", plain, "HTTPS", secure, "BACKEND", bport, "APP", appDir),
		"certs/server.pem": cert,
		"certs/server.key": key,
		"www/index.html":   "static index",
	})
	start(t, dir, build(t, dir), plain, secure)
	dial := func(t *testing.T, scheme string) net.Conn {
		var c net.Conn
		var err error
		if scheme == "https" {
			c, err = tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", secure), &tls.Config{RootCAs: pool})
		} else {
			c, err = net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", plain))
		}
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	big := make([]byte, 1<<20)
	rand.Read(big)
	for _, scheme := range []string{"http", "https"} {
		for _, to := range []struct{ path, hello string }{
			{"/ws/chat?room=7", "backend /ws/chat?room=7 proto=" + scheme + " xff=127.0.0.1"},
			{"/app/chat?room=7", "app /app/chat?room=7 proto=" + scheme},
		} {
			t.Run(scheme+to.path, func(t *testing.T) {
				w := wsDial(t, dial(t, scheme), to.path)
				if op, hello := w.recv(); op != 1 || string(hello) != to.hello {
					t.Fatalf("first message: %d %q, want %q", op, hello, to.hello)
				}
				w.echo(1, []byte("hello"))
				w.echo(2, big)
				w.echo(9, []byte("ping"))
				w.close()
			})
		}
	}

	// A conversation longer than elapse (1 s) is not cut: only timeout
	// without traffic ends a tunnel.
	t.Run("longer than elapse", func(t *testing.T) {
		w := wsDial(t, dial(t, "https"), "/app/long")
		w.recv()
		tick := time.NewTicker(200 * time.Millisecond) // traffic now and then
		defer tick.Stop()
		for begin := time.Now(); time.Since(begin) < 1600*time.Millisecond; <-tick.C {
			w.echo(1, []byte("still here"))
		}
		w.close()
	})

	// Without an upgrade, the same endpoints answer as HTTP.
	if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/app/chat", plain)); r.status != 426 || !strings.Contains(r.body, "WebSocket endpoint") {
		t.Errorf("a plain GET to the app: %d %q", r.status, r.body)
	}
	if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/", plain)); r.status != 200 || r.body != "static index" {
		t.Errorf("static beside: %d %q", r.status, r.body)
	}

	waitFile(t, filepath.Join(dir, "log/access.log"),
		`"GET /ws/chat?room=7 HTTP/1.1" 101 `, " upstream "+backend+"\n",
		`"GET /app/chat?room=7 HTTP/1.1" 101 `, " upstream app:example.com/wsapp.Echo\n",
		`"GET /app/long HTTP/1.1" 101 `)
}
