package server

import (
	"strings"
	"testing"
)

// Regressions for the framing of responses passed to clients, which the
// proxy writes itself from the parsed response (external audit).

// A backend's response head that could not be passed on safely is a 502:
// controls in fields (a bare CR would start a field at the client),
// obs-fold, a status outside 100-599, a transfer coding other than chunked.
func TestProxyBadUpstreamHeadIs502(t *testing.T) {
	t.Parallel()
	for _, reply := range []string{
		"HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nX-A: a\x1bb\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\rSet-Cookie: evil=1\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nX-A: a\r\n folded\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 999 Nine\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	} {
		addr := startProxy(t, 'R', []Backend{rawBackend(t, reply, true)}, nil)
		out := raw(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 502") || strings.Contains(out, "evil") {
			t.Errorf("backend answered %q; client got %q", reply, out)
		}
	}
}

// The framing toward the client is written from the parsed response: a
// Connection field listing Content-Length or Transfer-Encoding does not
// take it away, and a keep-alive client can go on.
func TestProxyConnectionListedResponseFraming(t *testing.T) {
	t.Parallel()
	cases := []struct{ reply, want, body string }{
		{"HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello",
			"\r\nContent-Length: 5\r\n", "hello"},
		{"HTTP/1.1 200 OK\r\nConnection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			"\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"},
		{"HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 0\r\n\r\n",
			"\r\nContent-Length: 0\r\n", ""},
	}
	for _, tc := range cases {
		b, _ := recordingBackend(t, tc.reply)
		addr := startProxy(t, 'R', []Backend{b}, nil)
		out := raw(t, addr, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if strings.Count(out, "HTTP/1.1 200") != 2 || strings.Count(out, tc.want) != 2 ||
			strings.Count(out, "\r\n\r\n"+tc.body) != 2 {
			t.Errorf("backend answered %q; client got\n%s", tc.reply, out)
		}
	}
}

// A chunked response reaches the client re-chunked: no extensions, no
// trailers from the backend.
func TestProxyChunkedResponseIsRechunked(t *testing.T) {
	t.Parallel()
	b, _ := recordingBackend(t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"+
		"3;ext=1\r\nabc\r\n0005 ;y\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n")
	addr := startProxy(t, 'R', []Backend{b}, nil)
	out := raw(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if _, body, _ := strings.Cut(out, "\r\n\r\n"); body != "3\r\nabc\r\n5\r\nhello\r\n0\r\n\r\n" {
		t.Errorf("client got\n%q", out)
	}
}

// 204 and 304 are passed on without a body and without framing fields,
// whatever the backend sent (RFC 9110 §8.6, §15.3.5); a HEAD answer keeps
// its length.
func TestProxyNoBodyStatusesHaveNoFraming(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, reply, want string }{
		{"GET", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", ""},
		{"GET", "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", ""},
		{"GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\nETag: \"e\"\r\n\r\n", ""},
		{"HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 120\r\n\r\n", "Content-Length: 120"},
	} {
		b, _ := recordingBackend(t, tc.reply)
		addr := startProxy(t, 'R', []Backend{b}, nil)
		out := raw(t, addr, tc.method+" /1 HTTP/1.1\r\nHost: x\r\n\r\n"+tc.method+" /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		status := tc.reply[:12]
		if strings.Count(out, status) != 2 || !strings.HasSuffix(out, "\r\n\r\n") {
			t.Errorf("backend answered %q; client got\n%s", tc.reply, out)
		}
		hasFraming := strings.Contains(out, "Content-Length") || strings.Contains(out, "Transfer-Encoding")
		if tc.want == "" && hasFraming || tc.want != "" && strings.Count(out, tc.want) != 2 {
			t.Errorf("backend answered %q; client got\n%s", tc.reply, out)
		}
	}
}
