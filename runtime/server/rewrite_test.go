package server

import (
	"bytes"
	"regexp"
	"testing"

	"golang.org/x/sys/unix"
)

func TestExpandTemplate(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`/(.+)/(.+)`)
	subject := []byte("/xxx/yyy")
	m := re.FindSubmatchIndex(subject)
	cases := []struct {
		name  string
		parts []TemplatePart
		want  string
	}{
		{"swap", []TemplatePart{{Lit: "/"}, {Group: 2}, {Lit: "/"}, {Group: 1}}, "/yyy/xxx"},
		{"whole", []TemplatePart{{Lit: "/a"}, {Group: 0}}, "/a/xxx/yyy"},
		{"literal only", []TemplatePart{{Lit: "/index.html"}}, "/index.html"},
		{"missing group", []TemplatePart{{Lit: "/"}, {Group: 7}, {Lit: "x"}}, "/x"},
		{"negative group", []TemplatePart{{Group: -1}}, ""},
		{"none", nil, ""},
	}
	for _, c := range cases {
		got := ExpandTemplate([]byte("pre:"), c.parts, subject, m)
		if string(got) != "pre:"+c.want {
			t.Errorf("%s: %q, want %q", c.name, got, "pre:"+c.want)
		}
	}

	// An optional group that did not take part expands to nothing.
	opt := regexp.MustCompile(`^/a(/b)?(/c)$`)
	s := []byte("/a/c")
	got := ExpandTemplate(nil, []TemplatePart{{Group: 1}, {Lit: "|"}, {Group: 2}}, s, opt.FindSubmatchIndex(s))
	if string(got) != "|/c" {
		t.Errorf("optional group: %q", got)
	}
}

func TestExpandTemplateAllocates(t *testing.T) {
	re := regexp.MustCompile(`/(.+)/(.+)`)
	subject := []byte("/xxx/yyy?q=1")
	m := re.FindSubmatchIndex(subject)
	parts := []TemplatePart{{Lit: "/"}, {Group: 2}, {Lit: "/"}, {Group: 1}}
	dst := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { dst = ExpandTemplate(dst[:0], parts, subject, m) }); n != 0 {
		t.Errorf("%v allocations with room in dst", n)
	}
}

func TestAppendPathEscaped(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/a/b.html":  "/a/b.html",
		"/100%/x?.y": "/100%25/x%3F.y",
		"/%":         "/%25",
		"":           "",
	} {
		if got := appendPathEscaped([]byte("p"), []byte(in)); string(got) != "p"+want {
			t.Errorf("%q: %q, want %q", in, got, "p"+want)
		}
	}
}

// rewriteCtx is a Ctx as the loop leaves it before Serve: a cleaned Path
// in pathBuf and the raw Query.
func rewriteCtx(path, query string) *Ctx {
	x := &Ctx{pathBuf: make([]byte, 0, 8)}
	x.pathBuf = append(x.pathBuf, path...)
	x.Path = x.pathBuf
	if query != "" {
		x.Query = []byte(query)
	}
	return x
}

func TestRewriteSubject(t *testing.T) {
	t.Parallel()
	cases := []struct{ path, query, want string }{
		{"/a/b", "", "/a/b"},
		{"/a/b", "x=1&y=%41", "/a/b?x=1&y=%41"},
		{"/50%?/c", "q", "/50%25%3F/c?q"},
	}
	for _, c := range cases {
		x := rewriteCtx(c.path, c.query)
		if got := x.RewriteSubject(); string(got) != c.want {
			t.Errorf("%q ? %q: %q, want %q", c.path, c.query, got, c.want)
		}
		if string(x.Path) != c.path {
			t.Errorf("%q: Path became %q", c.path, x.Path)
		}
	}
}

func TestRewriteTo(t *testing.T) {
	t.Parallel()
	cases := []struct {
		target, path string
		query        string // "-" for nil
	}{
		{"/yyy/xxx", "/yyy/xxx", "-"},
		{"/new.html?a=1&b=%41", "/new.html", "a=1&b=%41"},
		{"/dir/?", "/dir/", ""},
		{"/a/./b/../c", "/a/c", "-"},
		{"//a//b", "/a/b", "-"},
		{"/a%20b.html", "/a b.html", "-"}, // decoded, as the request's own path
		{"/50%25%3F/c?q", "/50%?/c", "q"}, // a RewriteSubject round trip
		{"/a?b?c", "/a", "b?c"},           // the first '?' splits
		{"/", "/", "-"},
	}
	for _, c := range cases {
		x := rewriteCtx("/orig/path", "orig=1")
		subject := x.RewriteSubject()
		if !x.RewriteTo([]byte(c.target)) {
			t.Errorf("%q: refused", c.target)
			continue
		}
		q := "-"
		if x.Query != nil {
			q = string(x.Query)
		}
		if string(x.Path) != c.path || q != c.query {
			t.Errorf("%q: Path %q Query %q, want %q %q", c.target, x.Path, q, c.path, c.query)
		}
		if !x.rewritten {
			t.Errorf("%q: not marked rewritten", c.target)
		}
		if string(subject) != "/orig/path?orig=1" {
			t.Errorf("%q: the subject was overwritten: %q", c.target, subject)
		}
		// Path and Query are capped: appending to them cannot clobber
		// anything that follows in the buffer.
		if cap(x.Path) != len(x.Path) || (x.Query != nil && cap(x.Query) != len(x.Query)) {
			t.Errorf("%q: Path or Query not capped", c.target)
		}
	}
}

// TestRewriteChain runs a website rewrite and then a location's on the
// result, from one buffer, with an expansion between.
func TestRewriteChain(t *testing.T) {
	t.Parallel()
	x := rewriteCtx("/xxx/yyy", "")
	re := regexp.MustCompile(`/(.+)/(.+)`)
	parts := []TemplatePart{{Lit: "/"}, {Group: 2}, {Lit: "/"}, {Group: 1}, {Lit: "?from=swap"}}
	t1 := x.RewriteSubject()
	if !re.Match(t1) || !x.RewriteTo(x.Expand(re, parts, t1)) {
		t.Fatal("first rewrite")
	}
	if string(x.Path) != "/yyy/xxx" || string(x.Query) != "from=swap" {
		t.Fatalf("first: %q %q", x.Path, x.Query)
	}
	t2 := x.RewriteSubject()
	if string(t2) != "/yyy/xxx?from=swap" {
		t.Fatalf("second subject %q", t2)
	}
	if !x.RewriteTo(x.Expand(re, parts, t2)) {
		t.Fatal("second rewrite")
	}
	// hetao's semantics: the query is part of what the groups see.
	if string(x.Path) != "/xxx" || string(x.Query) != "from=swap/yyy?from=swap" {
		t.Errorf("second: %q %q", x.Path, x.Query)
	}
}

// TestRewriteInHandler runs rewrites through a loop: the file the new
// path names is served, a bad result is a 400 and the handler sees
// Answered, and a literal rewrite allocates nothing.
func TestRewriteInHandler(t *testing.T) {
	h := newHarness(t)
	w := h.c.ln.Hosts.Default
	root := w.Root
	re := regexp.MustCompile(`^/swap/(.+)/(.+)$`)
	parts := []TemplatePart{{Lit: "/"}, {Group: 2}, {Lit: "."}, {Group: 1}}
	var seen []byte
	var answered bool
	w.Serve = func(c *Ctx) {
		switch t := c.RewriteSubject(); {
		case bytes.Equal(t, []byte("/old.html")):
			c.RewriteTo([]byte("/press.html"))
		case bytes.HasPrefix(t, []byte("/escape/")):
			c.RewriteTo([]byte("/../etc/passwd"))
		case re.Match(t):
			c.RewriteTo(c.Expand(re, parts, t))
		}
		answered = c.Answered()
		if answered {
			return
		}
		seen = append(seen[:0], c.Path...)
		c.Static(root)
	}
	send := func(target string) string {
		h.l.process(h.c, []byte("GET "+target+" HTTP/1.1\r\nHost: localhost\r\n\r\n"))
		h.l.flush(h.c)
		n, _ := readPeer(h)
		return n
	}
	if resp := send("/old.html"); string(seen) != "/press.html" || !bytes.Contains([]byte(resp), []byte(" 200 ")) {
		t.Errorf("literal: path %q, response %.40q", seen, resp)
	}
	if resp := send("/swap/txt/a"); string(seen) != "/a.txt" || !bytes.Contains([]byte(resp), []byte("0123456789")) {
		t.Errorf("regex: path %q, response %.80q", seen, resp)
	}
	if resp := send("/escape/x"); !answered || !bytes.Contains([]byte(resp), []byte(" 400 ")) {
		t.Errorf("escape: answered %v, response %.40q", answered, resp)
	}

	lit := []byte("GET /old.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
	h.do(lit)
	if n := testing.AllocsPerRun(200, func() { h.do(lit) }); n != 0 {
		t.Errorf("literal rewrite: %v allocations per request", n)
	}
	rx := []byte("GET /swap/txt/a HTTP/1.1\r\nHost: localhost\r\n\r\n")
	h.do(rx)
	if raceEnabled {
		return // regexp allocates more under the race detector
	}
	if n := testing.AllocsPerRun(200, func() { h.do(rx) }); n > 1 {
		t.Errorf("regexp rewrite: %v allocations per request, want at most regexp's one", n)
	}
}

func readPeer(h *loopHarness) (string, error) {
	var out []byte
	for {
		n, err := readFD(h.peer, h.sink)
		if n <= 0 {
			return string(out), err
		}
		out = append(out, h.sink[:n]...)
	}
}

func readFD(fd int, buf []byte) (int, error) { return unix.Read(fd, buf) }
