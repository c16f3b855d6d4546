package server

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/static"
)

var testHeaders = &Headers{
	Always: "Strict-Transport-Security: max-age=63072000\r\nX-Frame-Options: DENY\r\n",
	Cache: []CacheRule{
		{Ext: "txt", Field: "Cache-Control: max-age=60\r\n"},
		{Type: "text/html", Field: "Cache-Control: no-cache\r\n"},
	},
	Default: "Cache-Control: max-age=3600\r\n",
}

// answer sends one request through the harness and returns the answer.
func (h *loopHarness) answer(t *testing.T, req string) string {
	t.Helper()
	h.l.process(h.c, []byte(req))
	h.l.flush(h.c)
	n, err := unix.Read(h.peer, h.sink)
	if err != nil {
		t.Fatal(err)
	}
	return string(h.sink[:n])
}

// TestHeadersOnEveryAnswer: the configured fields reach file answers (with
// Cache-Control by extension, by type, by default), 304s, ranges, error
// pages and redirects, and a cached GET with them allocates nothing.
func TestHeadersOnEveryAnswer(t *testing.T) {
	h := newHarness(t)
	def := h.c.ln.Hosts.Default
	def.Serve = func(c *Ctx) {
		c.SetHeaders(testHeaders)
		c.Static(def.Root)
	}
	cases := []struct{ req, status, cache string }{
		{"GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", "200", "max-age=60"},
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "200", "no-cache"},                                    // index.html, by type
		{"GET /press.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", "200", "no-cache"}, // a variant
		{"GET /noext HTTP/1.1\r\nHost: x\r\n\r\n", "200", "max-age=3600"},
		{"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n", "200", "max-age=3600"}, // sent from its descriptor
		{"GET /a.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n", "206", "max-age=60"},
		{"GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n\r\n", "200", "max-age=60"},
		{"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", "404", ""},
		{"GET /sub HTTP/1.1\r\nHost: x\r\n\r\n", "301", ""},
	}
	for _, c := range cases {
		got := h.answer(t, c.req)
		head, _, _ := strings.Cut(got, "\r\n\r\n")
		head += "\r\n"
		if !strings.HasPrefix(head, "HTTP/1.1 "+c.status) {
			t.Errorf("%q: %q", c.req, head)
			continue
		}
		if !strings.Contains(head, "\r\nStrict-Transport-Security: max-age=63072000\r\nX-Frame-Options: DENY\r\n") {
			t.Errorf("%q: configured fields missing:\n%s", c.req, head)
		}
		if cc := strings.Contains(head, "Cache-Control:"); c.cache == "" && cc || c.cache != "" && !strings.Contains(head, "\r\nCache-Control: "+c.cache+"\r\n") {
			t.Errorf("%q: want Cache-Control %q:\n%s", c.req, c.cache, head)
		}
		if c.req == cases[4].req {
			h.do([]byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")) // drain the file's body
		}
	}
	etag := h.l.cache.Lookup(def.Root, []byte("/a.txt")).ETag(0)
	if got := h.answer(t, "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: "+etag+"\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 304") || !strings.Contains(got, "Cache-Control: max-age=60\r\n") {
		t.Errorf("304: %q", got)
	}
	for _, req := range []string{
		"GET /press.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
	} {
		b := []byte(req)
		h.do(b)
		if n := testing.AllocsPerRun(200, func() { h.do(b) }); n != 0 {
			t.Errorf("%q with headers: %v allocations per request", req, n)
		}
	}
}

func TestCacheFieldMatchesTypeWithParameters(t *testing.T) {
	t.Parallel()
	h := &Headers{Cache: []CacheRule{{Type: "text/html", Field: "a"}}, Default: "d"}
	for _, c := range []struct{ typ, want string }{
		{"text/html", "a"}, {"text/html; charset=utf-8", "a"}, {"text/htmlx", "d"}, {"text/htm", "d"},
	} {
		if got := h.cacheField("", &static.MIME{Type: c.typ}); got != c.want {
			t.Errorf("%q: %q, want %q", c.typ, got, c.want)
		}
	}
}
