package http2

import (
	"strings"
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// Heads that repeat are sent from the cache of encoded blocks; what the
// client decodes stays right when other heads, a changing field and a
// smaller dynamic table (SETTINGS_HEADER_TABLE_SIZE) come in between.
func TestRepeatedHeadsFromCache(t *testing.T) {
	t.Parallel()
	heads := map[string]string{
		"/a": "Server: hetao\r\nContent-Type: text/html\r\nContent-Length: 0\r\nDate: D1\r\n",
		"/b": "Server: hetao\r\nContent-Type: image/png\r\nContent-Length: 0\r\nDate: D1\r\n",
		"/c": "Server: hetao\r\nContent-Type: text/html\r\nContent-Length: 0\r\nDate: D2\r\n",
	}
	h := &echoHandler{answer: func(s *Stream) {
		s.DiscardBody()
		if err := s.Respond(200, []byte(heads[string(s.Req.Path)]), true); err != nil {
			t.Error(err)
		}
	}}
	cl := newClient(t, nil, h)
	want := func(path string) string {
		f := []string{":status=200"}
		for _, line := range strings.Split(strings.TrimSuffix(heads[path], "\r\n"), "\r\n") {
			k, v, _ := strings.Cut(line, ": ")
			f = append(f, strings.ToLower(k)+"="+v)
		}
		return strings.Join(f, " ")
	}
	id := uint32(1)
	var blocks []string
	get := func(path string) {
		t.Helper()
		cl.get(id, path)
		cl.flush()
		blocks = append(blocks, string(cl.c.encBuf.b))
		var got []string
		for _, f := range cl.frames() {
			if m, ok := f.(*xhttp2.MetaHeadersFrame); ok && m.StreamID == id {
				for _, hf := range m.Fields {
					got = append(got, hf.Name+"="+hf.Value)
				}
			}
		}
		if strings.Join(got, " ") != want(path) {
			t.Fatalf("stream %d %s: %q, want %q", id, path, got, want(path))
		}
		id += 2
	}
	for _, p := range []string{"/a", "/a", "/a", "/b", "/b", "/a", "/c", "/a", "/a"} {
		get(p)
	}
	if blocks[1] != blocks[2] || len(blocks[2]) != 5 {
		t.Errorf("a repeated head: blocks %x and %x, want the same 5 indexes", blocks[1], blocks[2])
	}
	if c := cl.c.heads.lookup(200, []byte(heads["/a"]), cl.c.encBuf.gen); c == nil {
		t.Errorf("the head of /a is not cached")
	}
	// The client shrinks the table: the cached indexes are stale, and the
	// next block must begin with the table size update (RFC 7541 §4.2).
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingHeaderTableSize, Val: 0})
	cl.flush()
	cl.frames()
	get("/a")
	if b := blocks[len(blocks)-1]; b[0]&0xe0 != 0x20 {
		t.Errorf("the block after SETTINGS_HEADER_TABLE_SIZE 0 begins %x, not a table size update", b[0])
	}
	get("/c")
	get("/a")
	get("/a")
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingHeaderTableSize, Val: 4096})
	cl.flush()
	cl.frames()
	for _, p := range []string{"/b", "/a", "/b", "/b"} {
		get(p)
	}
}

// splitHead agrees with the line-at-a-time reading on every
// string of up to 8 bytes over the bytes that matter.
func TestSplitHeadAgrees(t *testing.T) {
	t.Parallel()
	alpha := []byte("a:\r\n")
	b := make([]byte, 0, 8)
	var walk func()
	walk = func() {
		l1, u1, ok1 := splitHead(b)
		l2, u2, ok2 := splitHeadLines(b)
		if string(l1) != string(l2) || u1 != u2 || ok1 != ok2 {
			t.Fatalf("%q: splitHead %q %d %v, line by line %q %d %v", b, l1, u1, ok1, l2, u2, ok2)
		}
		if len(b) == cap(b) {
			return
		}
		for _, c := range alpha {
			b = append(b, c)
			walk()
			b = b[:len(b)-1]
		}
	}
	walk()
}

// splitHeadLines is splitHead a line at a time, the reference reading.
func splitHeadLines(b []byte) (lines []byte, used int, ok bool) {
	rest := b
	for len(rest) > 0 {
		line, after := cutLine(rest)
		if len(line) == 0 {
			return b[:len(b)-len(rest)], len(b) - len(after), true
		}
		rest = after
	}
	return nil, 0, false
}
