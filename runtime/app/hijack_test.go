package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// wsEcho switches to an echo protocol through http.Hijacker, as WebSocket
// libraries do: the 101 is written on the hijacked connection, then what
// comes (the bytes read with the head first) is echoed until its end.
func wsEcho(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/panic" {
		_, brw, _ := w.(http.Hijacker).Hijack()
		brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		brw.Flush()
		panic("after the switch")
	}
	if r.Header.Get("Upgrade") != "echo" {
		http.Error(w, "upgrade to echo, please", http.StatusUpgradeRequired)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no http.Hijacker", http.StatusInternalServerError)
		return
	}
	c, brw, err := hj.Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer c.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nready;")
	brw.Flush()
	io.Copy(c, brw.Reader)
	c.(interface{ CloseWrite() error }).CloseWrite()
}

func TestHijackedUpgrade(t *testing.T) {
	addr, _, _ := startApp(t, wsEcho, 5*time.Second)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(c, "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly;")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 || resp.Header.Get("Upgrade") != "echo" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("upgrade: %v %v %q", err, resp, b)
	}
	io.WriteString(c, "more")
	c.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(br)
	if err != nil || string(rest) != "ready;early;more" {
		t.Fatalf("through the tunnel: %q, %v", rest, err)
	}
	// A handler that panics after hijacking: its connection is closed, so
	// the tunnel ends at once rather than after the idle timeout.
	c2, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.SetDeadline(time.Now().Add(3 * time.Second)) // under the site's timeout of 5 s
	io.WriteString(c2, "GET /panic HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n")
	br2 := bufio.NewReader(c2)
	if resp, err := http.ReadResponse(br2, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("upgrade before a panic: %v %v", err, resp)
	}
	if rest, err := io.ReadAll(br2); err != nil || len(rest) > 0 {
		t.Fatalf("after a panic in a hijacked handler: %q, %v", rest, err)
	}
	// Without the upgrade, the handler answers as usual.
	e := dial(t, addr)
	if resp, body, err := e.do("GET /ws HTTP/1.1\r\nHost: a\r\n\r\n"); err != nil || resp.StatusCode != 426 || !strings.Contains(body, "upgrade to echo") {
		t.Fatalf("no upgrade: %v %v %q", err, resp, body)
	}
}
