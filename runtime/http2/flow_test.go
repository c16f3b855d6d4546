package http2

import (
	"bytes"
	"io"
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// countingSource is a body of n bytes that counts what was read from it.
type countingSource struct {
	n, read int64
	closed  bool
}

func (s *countingSource) Read(p []byte) (int, error) {
	k := min(int64(len(p)), s.n-s.read)
	if k == 0 {
		return 0, io.EOF
	}
	for i := range p[:k] {
		p[i] = byte(s.read + int64(i))
	}
	s.read += k
	return int(k), nil
}

func (s *countingSource) Close() error { s.closed = true; return nil }

func dataLens(fs []xhttp2.Frame, id uint32) (lens []int) {
	for _, f := range fs {
		if d, ok := f.(*dataCopy); ok && d.StreamID == id {
			lens = append(lens, len(d.data))
		}
	}
	return
}

// The server never sends more than the peer's windows allow, and the
// source is read only as far as they allow.
func TestSendRespectsWindows(t *testing.T) {
	t.Parallel()
	src := &countingSource{n: 1 << 20}
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, nil, false)
		s.SendSource(src, src.n)
	}}
	cl := newClient(t, nil, h)
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 10})
	cl.get(1, "/big")
	cl.flush()
	fs := cl.frames()
	if l := dataLens(fs, 1); len(l) != 1 || l[0] != 10 || src.read != 10 {
		t.Fatalf("frames %v, read %d", l, src.read)
	}
	// A SETTINGS change makes the stream window negative (§6.9.2): nothing
	// more until WINDOW_UPDATEs bring it above zero again.
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 0})
	cl.flush()
	if l := dataLens(cl.frames(), 1); len(l) != 0 {
		t.Fatalf("sent %v on a negative window", l)
	}
	cl.fr.WriteWindowUpdate(1, 10+1000)
	cl.flush()
	if l := dataLens(cl.frames(), 1); len(l) != 1 || l[0] != 1000 {
		t.Fatalf("sent %v, want 1000", l)
	}
	// The stream window opens wide; the connection window (65535) binds.
	cl.fr.WriteWindowUpdate(1, 1<<20)
	cl.flush()
	total := 0
	for _, n := range dataLens(cl.frames(), 1) {
		if n > MinMaxFrameSize {
			t.Fatalf("frame of %d bytes above SETTINGS_MAX_FRAME_SIZE", n)
		}
		total += n
	}
	if total != 65535-1010 || src.read != 65535 {
		t.Fatalf("sent %d, read %d", total, src.read)
	}
	if cl.c.Pending() {
		t.Fatal("pending with a closed connection window")
	}
	// The client resets: the source is released.
	cl.fr.WriteRSTStream(1, xhttp2.ErrCodeCancel)
	cl.flush()
	if !src.closed {
		t.Fatal("source not closed")
	}
}

func TestLargeBodyArrivesWhole(t *testing.T) {
	t.Parallel()
	src := &countingSource{n: 300000}
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, nil, false)
		s.SendSource(src, src.n)
	}}
	cl := newClient(t, nil, h)
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingMaxFrameSize, Val: 1 << 20}, xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 1 << 30})
	cl.fr.WriteWindowUpdate(0, 1<<30)
	cl.get(1, "/big")
	cl.flush()
	cl.limit = 50000
	var body []byte
	for i := 0; i < 20; i++ {
		fs := cl.frames()
		b, end := bodyOf(fs, 1)
		body = append(body, b...)
		if end {
			break
		}
	}
	want := make([]byte, 300000)
	(&countingSource{n: 300000}).Read(want)
	if !bytes.Equal(body, want) || !src.closed {
		t.Fatalf("got %d bytes, closed %v", len(body), src.closed)
	}
}

func TestWindowUpdateOverflow(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) { s.Respond(200, nil, false) }}
	cl := newClient(t, nil, h)
	cl.get(1, "/")
	cl.fr.WriteWindowUpdate(1, MaxWindow)
	cl.flush()
	if r := rstOf(cl.frames(), 1); r == nil || r.ErrCode != xhttp2.ErrCodeFlowControl {
		t.Fatalf("stream: rst %v", r)
	}
	cl.fr.WriteWindowUpdate(0, MaxWindow)
	cl.flush()
	if g := goAway(cl.frames()); g == nil || g.ErrCode != xhttp2.ErrCodeFlowControl {
		t.Fatalf("connection: goaway %v", g)
	}
}

// Window updates for the request body are batched: one per half window,
// not one per DATA frame.
func TestWindowUpdatesBatched(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) {}, body: func(s *Stream) { s.Consume(len(s.Body())) }}
	cl := newClient(t, &Config{InitialWindowSize: 1 << 16, ConnWindowSize: 1 << 20}, h)
	cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/")
	for i := 0; i < 64; i++ {
		cl.fr.WriteData(1, false, make([]byte, 1000))
	}
	cl.flush()
	updates := 0
	for _, f := range cl.frames() {
		if _, ok := f.(*xhttp2.WindowUpdateFrame); ok {
			updates++
		}
	}
	if updates != 1 {
		t.Fatalf("%d WINDOW_UPDATEs for 64 DATA frames", updates)
	}
}

func TestWritableAfterDrain(t *testing.T) {
	t.Parallel()
	chunks := 0
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, nil, false)
		s.Write(make([]byte, 1000))
	}}
	h.writable = func(s *Stream) {
		chunks++
		if chunks == 3 {
			s.End()
			return
		}
		s.Write(make([]byte, 1000))
	}
	cl := newClient(t, nil, h)
	cl.get(1, "/")
	cl.flush()
	var total int
	var end bool
	for i := 0; i < 5 && !end; i++ {
		var b []byte
		b, end = bodyOf(cl.frames(), 1)
		total += len(b)
	}
	if total != 3000 || !end {
		t.Fatalf("%d bytes, end %v", total, end)
	}
}
