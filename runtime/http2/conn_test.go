package http2

import (
	"strings"
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

func TestRequestAsHTTP1Request(t *testing.T) {
	t.Parallel()
	var got struct {
		method, path, query, host, target, ae, inm, cookie, ua string
		minor                                                  uint8
		keep                                                   bool
		names                                                  []string
		cl                                                     int64
	}
	h := &echoHandler{answer: func(s *Stream) {
		r := &s.Req
		got.method, got.path, got.query, got.host, got.target = r.Method.String(), string(r.Path), string(r.Query), string(r.Host), string(r.Target)
		got.ae, got.inm, got.cookie, got.ua = string(r.AcceptEncoding), string(r.IfNoneMatch), string(r.Header("Cookie")), string(r.UserAgent)
		got.minor, got.keep, got.cl = r.Minor, r.KeepAlive, r.ContentLength
		for _, f := range r.Headers {
			got.names = append(got.names, string(f.Name))
		}
		s.Respond(204, nil, true)
	}}
	cl := newClient(t, nil, h)
	cl.get(1, "/a/b.html?x=1", "accept-encoding", "gzip", "cookie", "a=1", "if-none-match", `"x"`,
		"accept-encoding", "br", "cookie", "b=2", "user-agent", "curl")
	cl.flush()
	fs := cl.frames()
	if status(fs, 1) != "204" {
		t.Fatalf("status %q", status(fs, 1))
	}
	if got.method != "GET" || got.path != "/a/b.html" || got.query != "x=1" || got.target != "/a/b.html?x=1" || got.host != "example.com" {
		t.Errorf("%+v", got)
	}
	if got.ae != "gzip, br" || got.inm != `"x"` || got.cookie != "a=1; b=2" || got.ua != "curl" {
		t.Errorf("%+v", got)
	}
	if got.minor != 1 || !got.keep || got.cl != -1 {
		t.Errorf("%+v", got)
	}
	if strings.Join(got.names, ",") != "accept-encoding,if-none-match,accept-encoding,user-agent,cookie" {
		t.Errorf("headers %v", got.names)
	}
	if h.closed != 1 {
		t.Errorf("closed %d", h.closed)
	}
}

func TestResponseHeadFromHTTP1Lines(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) {
		head := "HTTP/1.1 200 OK\r\nServer: hetao\r\nContent-Type: text/html\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello"
		n, err := s.RespondHTTP1([]byte(head), false)
		if err != nil {
			t.Error(err)
		}
		s.Write([]byte(head[n:]))
		s.End()
	}}
	cl := newClient(t, nil, h)
	cl.get(1, "/")
	cl.flush()
	fs := cl.frames()
	var fields []string
	for _, f := range fs {
		if m, ok := f.(*xhttp2.MetaHeadersFrame); ok {
			for _, hf := range m.Fields {
				fields = append(fields, hf.Name+"="+hf.Value)
			}
		}
	}
	if strings.Join(fields, " ") != ":status=200 server=hetao content-type=text/html content-length=5" {
		t.Errorf("fields %v", fields)
	}
	if body, end := bodyOf(fs, 1); string(body) != "hello" || !end {
		t.Errorf("body %q end %v", body, end)
	}
}

// The request body arrives as the handler consumes it: the stream window
// reopens only for consumed bytes.
func TestRequestBodyBackpressure(t *testing.T) {
	t.Parallel()
	var got []byte
	var st *Stream
	h := &echoHandler{answer: func(s *Stream) { st = s }}
	cl := newClient(t, &Config{InitialWindowSize: 65535}, h)
	cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/up", "content-length", "70000")
	chunk := make([]byte, 16384)
	for i := 0; i < 3; i++ {
		cl.fr.WriteData(1, false, chunk)
	}
	cl.fr.WriteData(1, false, chunk[:65535-3*16384])
	cl.flush()
	if cl.err != nil || len(st.Body()) != 65535 {
		t.Fatalf("err %v, buffered %d", cl.err, len(st.Body()))
	}
	for _, f := range cl.frames() {
		if w, ok := f.(*xhttp2.WindowUpdateFrame); ok && w.StreamID == 1 {
			t.Fatal("stream window reopened before the body was consumed")
		}
	}
	// One byte more than the window: a stream FLOW_CONTROL_ERROR...
	// but first consume, and see the window come back.
	got = append(got, st.Body()...)
	st.Consume(len(st.Body()))
	var incr uint32
	for _, f := range cl.frames() {
		if w, ok := f.(*xhttp2.WindowUpdateFrame); ok && w.StreamID == 1 {
			incr += w.Increment
		}
	}
	if incr != 65535 {
		t.Fatalf("stream window reopened by %d", incr)
	}
	cl.fr.WriteData(1, true, make([]byte, 70000-65535))
	cl.flush()
	if !st.BodyDone() || len(got)+len(st.Body()) != 70000 {
		t.Fatalf("done %v, %d bytes", st.BodyDone(), len(got)+len(st.Body()))
	}
	st.Respond(201, nil, true)
	if fs := cl.frames(); status(fs, 1) != "201" {
		t.Fatalf("status %q", status(fs, 1))
	}
}

func TestStreamWindowOverflowIsFlowControlError(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) {}}
	cl := newClient(t, &Config{InitialWindowSize: 65535}, h)
	cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/up")
	for i := 0; i < 4; i++ {
		cl.fr.WriteData(1, false, make([]byte, 16384))
	}
	cl.flush()
	if r := rstOf(cl.frames(), 1); r == nil || r.ErrCode != xhttp2.ErrCodeFlowControl {
		t.Fatalf("rst %v", r)
	}
}

func TestContentLengthMismatch(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) {}}
	cl := newClient(t, nil, h)
	cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/", "content-length", "3")
	cl.fr.WriteData(1, true, []byte("ab"))
	cl.headers(3, true, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/", "content-length", "3")
	cl.flush()
	fs := cl.frames()
	for _, id := range []uint32{1, 3} {
		if r := rstOf(fs, id); r == nil || r.ErrCode != xhttp2.ErrCodeProtocol {
			t.Errorf("stream %d: rst %v", id, r)
		}
	}
}

// Malformed requests (RFC 9113 §8.2–8.3) are stream errors: the handler
// never sees them, the connection goes on.
func TestMalformedRequests(t *testing.T) {
	t.Parallel()
	base := []string{":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/"}
	cases := map[string][]string{
		"upper-case name":      append(base, "Accept", "x"),
		"connection field":     append(base, "connection", "keep-alive"),
		"keep-alive field":     append(base, "keep-alive", "1"),
		"transfer-encoding":    append(base, "transfer-encoding", "chunked"),
		"upgrade":              append(base, "upgrade", "h2c"),
		"te not trailers":      append(base, "te", "gzip"),
		"pseudo after regular": {":method", "GET", "accept", "x", ":scheme", "https", ":path", "/"},
		"no :path":             {":method", "GET", ":scheme", "https", ":authority", "a"},
		"empty :path":          {":method", "GET", ":scheme", "https", ":authority", "a", ":path", ""},
		"no :method":           {":scheme", "https", ":authority", "a", ":path", "/"},
		"no :scheme":           {":method", "GET", ":authority", "a", ":path", "/"},
		"two :path":            append(base, ":path", "/x"),
		"unknown pseudo":       {":method", "GET", ":scheme", "https", ":foo", "a", ":path", "/"},
		":status in request":   {":status", "200", ":method", "GET", ":scheme", "https", ":path", "/"},
		"host differs":         append(base, "host", "b"),
		"relative :path":       {":method", "GET", ":scheme", "https", ":authority", "a", ":path", "x"},
		"* for GET":            {":method", "GET", ":scheme", "https", ":authority", "a", ":path", "*"},
		"CONNECT with :path":   {":method", "CONNECT", ":authority", "a:443", ":path", "/"},
		"userinfo":             {":method", "GET", ":scheme", "https", ":authority", "u@a", ":path", "/"},
		"value with CR":        append(base, "x", "a\rb"),
		"value with space end": append(base, "x", "a "),
		"bad content-length":   append(base, "content-length", "1x"),
	}
	for name, fields := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := &echoHandler{}
			cl := newClient(t, nil, h)
			cl.headers(1, true, fields...)
			cl.get(3, "/ok")
			cl.flush()
			fs := cl.frames()
			if r := rstOf(fs, 1); r == nil || r.ErrCode != xhttp2.ErrCodeProtocol {
				t.Fatalf("rst %v", r)
			}
			if h.requests != 1 || status(fs, 3) != "200" {
				t.Fatalf("requests %d, stream 3 status %q", h.requests, status(fs, 3))
			}
		})
	}
}

func TestAcceptedRequestShapes(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"te trailers":    {":method", "GET", ":scheme", "https", ":authority", "a", ":path", "/", "te", "trailers"},
		"host only":      {":method", "GET", ":scheme", "http", ":path", "/", "host", "a"},
		"host same":      {":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/", "host", "a"},
		"OPTIONS *":      {":method", "OPTIONS", ":scheme", "https", ":authority", "a", ":path", "*"},
		"CONNECT":        {":method", "CONNECT", ":authority", "a:443"},
		"unknown method": {":method", "BREW", ":scheme", "https", ":authority", "a", ":path", "/"},
	}
	for name, fields := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := &echoHandler{}
			cl := newClient(t, nil, h)
			cl.headers(1, true, fields...)
			cl.flush()
			if fs := cl.frames(); status(fs, 1) != "200" || h.requests != 1 {
				t.Fatalf("status %q", status(fs, 1))
			}
		})
	}
}

func TestTrailersEndTheBody(t *testing.T) {
	t.Parallel()
	var done bool
	h := &echoHandler{answer: func(s *Stream) {}, body: func(s *Stream) { done = s.BodyDone() }}
	cl := newClient(t, nil, h)
	cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/")
	cl.fr.WriteData(1, false, []byte("abc"))
	cl.headers(1, true, "x-checksum", "1")
	cl.flush()
	if !done || cl.err != nil {
		t.Fatalf("done %v err %v", done, cl.err)
	}
	// Trailers without END_STREAM are malformed.
	cl.headers(3, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/")
	cl.headers(3, false, "x-checksum", "1")
	cl.flush()
	if r := rstOf(cl.frames(), 3); r == nil || r.ErrCode != xhttp2.ErrCodeProtocol {
		t.Fatalf("rst %v", r)
	}
}

func TestPingAndSettingsAreAcknowledged(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, nil)
	cl.fr.WritePing(false, [8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingHeaderTableSize, Val: 0})
	cl.flush()
	var ping, ack bool
	for _, f := range cl.frames() {
		switch f := f.(type) {
		case *xhttp2.PingFrame:
			ping = f.IsAck() && f.Data == [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
		case *xhttp2.SettingsFrame:
			ack = f.IsAck()
		}
	}
	if !ping || !ack {
		t.Fatalf("ping ack %v, settings ack %v", ping, ack)
	}
	// The encoder follows SETTINGS_HEADER_TABLE_SIZE 0: the next answer
	// still decodes (the client's decoder would fail on an entry it must
	// not have).
	cl.fr.ReadMetaHeaders.SetAllowedMaxDynamicTableSize(0)
	cl.get(1, "/")
	cl.flush()
	if status(cl.frames(), 1) != "200" {
		t.Fatal("no answer after the table size change")
	}
}

func TestFirstFrameMustBeSettings(t *testing.T) {
	t.Parallel()
	c := NewConn(&Config{}, &echoHandler{})
	in := append([]byte(Preface), AppendPing(nil, false, [8]byte{})...)
	if _, err := c.Feed(in); err == nil || err.(*ConnError).Code != ErrCodeProtocol {
		t.Fatalf("err %v", err)
	}
	if _, err := NewConn(&Config{}, &echoHandler{}).Feed([]byte("GET / HTTP/1.1\r\n\r\n")); err == nil {
		t.Fatal("HTTP/1.1 accepted as a preface")
	}
}

// Shutdown: a first GOAWAY and a PING; a stream the client opens before
// it has read them is served; the PING's ACK brings the GOAWAY that names
// the last stream; later ones are ignored; the streams in flight finish,
// then Done.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	var first *Stream
	h := &echoHandler{answer: func(s *Stream) {
		if first == nil {
			first = s
			return // answered later
		}
		s.Respond(200, nil, true)
	}}
	cl := newClient(t, nil, h)
	cl.get(1, "/slow")
	cl.flush()
	cl.c.Shutdown()
	fs := cl.frames()
	g, ping := goAway(fs), pingOf(fs)
	if g == nil || g.LastStreamID != maxStreamID || g.ErrCode != xhttp2.ErrCodeNo || ping == nil {
		t.Fatalf("first goaway %v, ping %v", g, ping)
	}
	cl.get(3, "/in-flight") // sent before the client read the GOAWAY
	cl.fr.WritePing(true, ping.Data)
	cl.flush()
	fs = cl.frames()
	if g = goAway(fs); g == nil || g.LastStreamID != 3 || g.ErrCode != xhttp2.ErrCodeNo {
		t.Fatalf("final goaway %v", g)
	}
	if h.requests != 2 || status(fs, 3) != "200" {
		t.Fatalf("the stream in flight: %d requests, status %q", h.requests, status(fs, 3))
	}
	cl.get(5, "/late")
	cl.flush()
	if h.requests != 2 || cl.c.Done() {
		t.Fatalf("requests %d, done %v", h.requests, cl.c.Done())
	}
	first.Respond(200, nil, false)
	first.Write([]byte("x"))
	first.End()
	fs = cl.frames()
	if body, end := bodyOf(fs, 1); string(body) != "x" || !end {
		t.Fatalf("in-flight stream: %q %v", body, end)
	}
	if !cl.c.Done() {
		t.Fatal("not done after the last stream")
	}
}

// A client that does not answer the PING: a second Shutdown sends the
// final GOAWAY.
func TestGracefulShutdownWithoutPingAck(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, &echoHandler{})
	cl.get(1, "/")
	cl.flush()
	cl.frames()
	cl.c.Shutdown()
	cl.frames()
	if cl.c.Done() {
		t.Fatal("done before the final GOAWAY")
	}
	cl.c.Shutdown()
	if g := goAway(cl.frames()); g == nil || g.LastStreamID != 1 || !cl.c.Done() {
		t.Fatalf("final goaway %v, done %v", g, cl.c.Done())
	}
}

func TestPeerGoAwayLetsStreamsFinish(t *testing.T) {
	t.Parallel()
	var st *Stream
	h := &echoHandler{answer: func(s *Stream) { st = s }}
	cl := newClient(t, nil, h)
	cl.get(1, "/")
	cl.fr.WriteGoAway(1, xhttp2.ErrCodeNo, nil)
	cl.flush()
	if cl.c.Done() {
		t.Fatal("done with a stream in flight")
	}
	st.Respond(200, nil, true)
	cl.frames()
	if !cl.c.Done() {
		t.Fatal("not done")
	}
}
