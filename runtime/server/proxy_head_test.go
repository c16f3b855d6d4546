package server

import (
	"strings"
	"testing"
)

// X-Forwarded-For lines anywhere in the head are joined into one field
// with the client appended, and the fields after them stay intact.
func TestProxyXForwardedForAmongOtherFields(t *testing.T) {
	t.Parallel()
	addr := startProxy(t, 'R', []Backend{echoBackend(t)}, nil)
	out := raw(t, addr, "GET /p HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4\r\nX-Secret: s\r\n"+
		"Connection: close\r\nX-Forwarded-For: 5.6.7.8\r\nAccept: */*\r\n\r\n")
	for _, want := range []string{"HTTP/1.1 200", "xff=1.2.3.4, 5.6.7.8, 127.0.0.1|", `secret="s"`} {
		if !strings.Contains(out, want) {
			t.Errorf("backend saw %q; missing %q", out, want)
		}
	}
}
