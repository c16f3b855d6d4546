package http2

import (
	"bytes"
	"testing"

	"golang.org/x/net/http2/hpack"
)

// BenchmarkCachedGET: one request on a warm connection, answered from a
// cached head and body, as the server answers press.html: Feed, Respond,
// WriteRef, Pull.
func BenchmarkCachedGET(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1200)
	head := []byte("Server: hetao\r\nDate: Sun, 06 Dec 2026 08:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 1200\r\n" +
		"Last-Modified: Sun, 06 Dec 2026 08:00:00 GMT\r\nETag: \"6b15132f-dc0-gzip\"\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n")
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, head, false)
		s.WriteRef(body)
		s.End()
	}}
	var c *Conn
	var out []byte
	var blk bytes.Buffer
	var enc *hpack.Encoder
	var frame []byte
	var id uint32
	open := func() {
		c = NewConn(&Config{}, h)
		in := append([]byte(Preface), AppendSettings(nil)...)
		in = AppendWindowUpdate(in, 0, 1<<30) // h2load's connection window
		c.Feed(in)
		out = c.Pull(out[:0], 1<<20)
		enc = hpack.NewEncoder(&blk)
		id = 1
	}
	open()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%(1<<19) == (1<<19)-1 {
			// A connection serves at most 1<<20 requests (MaxRequests),
			// and its window runs out before: a new one, as h2load would.
			b.StopTimer()
			open()
			b.StartTimer()
		}
		blk.Reset()
		for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "127.0.0.1:8443"}, {":path", "/press.html"},
			{"user-agent", "h2load nghttp2/1.52.0"}, {"accept-encoding", "gzip"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		frame = AppendHeaders(frame[:0], id, true, blk.Bytes(), MinMaxFrameSize)
		id += 2
		if _, err := c.Feed(frame); err != nil {
			b.Fatal(err)
		}
		out = c.Pull(out[:0], 1<<20)
	}
}

// A cached answer on a warm connection allocates nothing in the engine:
// the stream, its arena and header list, the HPACK strings (interned) and
// the output buffer are all reused.
func TestCachedGETAllocatesNothing(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 1200)
	head := []byte("Server: hetao\r\nContent-Type: text/html\r\nContent-Length: 1200\r\nVary: Accept-Encoding\r\n")
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, head, false)
		s.WriteRef(body)
		s.End()
	}}
	c := NewConn(&Config{}, h)
	c.Feed(AppendWindowUpdate(append([]byte(Preface), AppendSettings(nil)...), 0, 1<<30))
	out := c.Pull(nil, 1<<20)
	var blk bytes.Buffer
	enc := hpack.NewEncoder(&blk)
	frames := make([][]byte, 200)
	for i := range frames {
		blk.Reset()
		for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/press.html"}, {"accept-encoding", "gzip"}} {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
		frames[i] = AppendHeaders(nil, uint32(2*i+1), true, blk.Bytes(), MinMaxFrameSize)
	}
	i := 0
	n := testing.AllocsPerRun(100, func() {
		c.Feed(frames[i])
		out = c.Pull(out[:0], 1<<20)
		i++
	})
	if n != 0 || h.requests != i {
		t.Fatalf("%v allocations per request (%d of %d answered)", n, h.requests, i)
	}
}
