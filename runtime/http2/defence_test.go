package http2

import (
	"strings"
	"testing"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

func wantCalm(t *testing.T, cl *client, fs []xhttp2.Frame) {
	t.Helper()
	g := goAway(fs)
	if g == nil || g.ErrCode != xhttp2.ErrCodeEnhanceYourCalm {
		t.Fatalf("goaway %v, want ENHANCE_YOUR_CALM", g)
	}
	if ce, ok := cl.err.(*ConnError); !ok || ce.Code != ErrCodeEnhanceYourCalm {
		t.Fatalf("Feed error %v", cl.err)
	}
}

// CVE-2023-44487 (HTTP/2 rapid reset): a client that opens streams and
// cancels them at once makes the server start work it never finishes;
// past MaxResets net cancellations the connection is closed.
func TestRapidResetIsCutOff(t *testing.T) {
	t.Parallel()
	h := bigAnswer(1 << 20)
	cl := newClient(t, nil, h)
	var fs []xhttp2.Frame
	for id := uint32(1); id < 2*300; id += 2 {
		cl.get(id, "/")
		cl.fr.WriteRSTStream(id, xhttp2.ErrCodeCancel)
		if id%64 == 1 {
			cl.flush()
			fs = append(fs, cl.frames()...)
		}
	}
	cl.flush()
	wantCalm(t, cl, append(fs, cl.frames()...))
	if h.requests > 202 {
		t.Fatalf("%d requests served before the cut", h.requests)
	}
}

// Streams answered in full pay back the cancelled ones: a client that
// cancels some of many requests (a browser leaving a page) is not cut off.
func TestCompletedStreamsPayBackResets(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, nil)
	for id := uint32(1); id < 2*1000; id += 4 {
		cl.get(id, "/")
		cl.flush()
		cl.frames() // answered in full
		cl.get(id+2, "/")
		cl.fr.WriteRSTStream(id+2, xhttp2.ErrCodeCancel)
		cl.flush()
	}
	if g := goAway(cl.frames()); g != nil || cl.err != nil {
		t.Fatalf("goaway %v, err %v", g, cl.err)
	}
}

// CVE-2024-27316 and CVE-2023-45288 (CONTINUATION flood): a header block
// that never ends is bounded before it is decoded or buffered.
func TestContinuationFloodIsBounded(t *testing.T) {
	t.Parallel()
	cl := newClient(t, &Config{MaxHeaderListSize: 8 << 10}, nil)
	cl.encBuf.Reset()
	cl.enc.WriteField(hpack.HeaderField{Name: ":method", Value: "GET"})
	cl.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: cl.encBuf.Bytes()})
	// Literal fields, never indexed: each frame decodes to real fields.
	var frag []byte
	for len(frag) < 16000 {
		frag = append(frag, 0x10, 3, 'x', '-', 'a', 100)
		frag = append(frag, strings.Repeat("v", 100)...)
	}
	sent := 0
	for i := 0; i < 100 && cl.err == nil; i++ {
		cl.fr.WriteContinuation(1, false, frag)
		sent += len(frag)
		cl.flush()
	}
	wantCalm(t, cl, cl.frames())
	if sent > cl.c.blockCap()+len(frag) {
		t.Fatalf("took %d bytes of one header block", sent)
	}
}

func TestEmptyContinuationFloodIsBounded(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, nil)
	cl.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1})
	for i := 0; i < 10000 && cl.err == nil; i++ {
		cl.fr.WriteContinuation(1, false, nil)
		if i%100 == 0 {
			cl.flush()
		}
	}
	cl.flush()
	wantCalm(t, cl, cl.frames())
}

// HPACK bomb: a 4 KB table entry referred to by one-byte indexes decodes
// to megabytes from a small block. Decoded bytes are bounded: the request
// is answered 431 without reaching the handler, the arena stays small.
func TestHPACKBombAnswered431(t *testing.T) {
	t.Parallel()
	h := &echoHandler{}
	cl := newClient(t, nil, h)
	cl.encBuf.Reset()
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "a"}, {":path", "/"}} {
		cl.enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	bomb := hpack.HeaderField{Name: "x", Value: strings.Repeat("b", 4000)}
	for i := 0; i < 2000; i++ {
		cl.enc.WriteField(bomb) // a literal the first time, then one index
	}
	block := cl.encBuf.Bytes()
	if len(block) > 10000 {
		t.Fatalf("block of %d bytes is no bomb", len(block))
	}
	cl.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: block, EndStream: true, EndHeaders: true})
	cl.get(3, "/next")
	cl.flush()
	fs := cl.frames()
	if status(fs, 1) != "431" || status(fs, 3) != "200" || h.requests != 1 {
		t.Fatalf("status %q, then %q; %d requests", status(fs, 1), status(fs, 3), h.requests)
	}
	for _, s := range cl.c.free {
		if cap(s.arena) > 2*int(cl.c.cfg.MaxHeaderListSize) {
			t.Fatalf("arena of %d bytes", cap(s.arena))
		}
	}
}

// Frames that ask for nothing are charged: PING (CVE-2019-9512), SETTINGS
// (CVE-2019-9515), empty DATA (CVE-2019-9518), tiny WINDOW_UPDATEs
// (CVE-2019-9511), PRIORITY (CVE-2019-9513). The client here reads every
// answer, so only the budget can stop it.
func TestFloodsAreCutOff(t *testing.T) {
	t.Parallel()
	floods := map[string]func(cl *client){
		"ping":          func(cl *client) { cl.fr.WritePing(false, [8]byte{}) },
		"settings":      func(cl *client) { cl.fr.WriteSettings() },
		"empty data":    func(cl *client) { cl.fr.WriteData(1, false, nil) },
		"window update": func(cl *client) { cl.fr.WriteWindowUpdate(0, 1) },
		"priority": func(cl *client) {
			cl.fr.WritePriority(9, xhttp2.PriorityParam{StreamDep: 1, Weight: 1})
		},
	}
	for name, send := range floods {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cl := newClient(t, nil, &echoHandler{answer: func(s *Stream) {}})
			cl.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "a", ":path", "/")
			for i := 0; i < 5000 && cl.err == nil; i++ {
				send(cl)
				if i%100 == 99 {
					cl.flush()
					cl.frames()
				}
			}
			cl.flush()
			if cl.err == nil {
				t.Fatal("5000 frames accepted")
			}
			if ce := cl.err.(*ConnError); ce.Code != ErrCodeEnhanceYourCalm {
				t.Fatalf("err %v", ce)
			}
		})
	}
}

// A peer that sends but never reads: what is queued for it is bounded
// (MaxQueued), and bodies are not even read from their sources.
func TestPeerThatNeverReads(t *testing.T) {
	t.Parallel()
	src := &countingSource{n: 1 << 30}
	h := &echoHandler{answer: func(s *Stream) {
		s.Respond(200, nil, false)
		s.SendSource(src, src.n)
	}}
	cl := newClient(t, &Config{MaxChatter: 1 << 30}, h)
	cl.get(1, "/huge")
	for i := 0; i < 100000 && cl.err == nil; i++ {
		cl.fr.WritePing(false, [8]byte{})
		if i%1000 == 0 {
			cl.flush()
			if len(cl.c.out) > cl.c.cfg.MaxQueued+64 {
				t.Fatalf("%d bytes queued", len(cl.c.out))
			}
		}
	}
	cl.flush()
	if src.read != 0 {
		t.Fatalf("%d bytes read from the body while the peer did not read", src.read)
	}
	if ce, ok := cl.err.(*ConnError); !ok || ce.Code != ErrCodeEnhanceYourCalm {
		t.Fatalf("err %v", cl.err)
	}
}

// Stream IDs: a connection serves MaxRequests streams, then says GOAWAY
// (NO_ERROR, in two steps: Shutdown) so the client moves on; closed
// streams keep no state, so walking the ID space costs nothing.
func TestStreamBudgetEndsGracefully(t *testing.T) {
	t.Parallel()
	h := &echoHandler{}
	cl := newClient(t, &Config{MaxRequests: 100}, h)
	var g *xhttp2.GoAwayFrame
	var ping *xhttp2.PingFrame
	id := uint32(1)
	for ; g == nil && id <= 201; id += 2 {
		cl.get(id, "/")
		cl.flush()
		fs := cl.frames()
		g, ping = goAway(fs), pingOf(fs)
		if len(cl.c.streams) != 0 {
			t.Fatalf("%d streams kept after their answers", len(cl.c.streams))
		}
	}
	if g == nil || g.ErrCode != xhttp2.ErrCodeNo || g.LastStreamID != maxStreamID || ping == nil || h.requests != 100 {
		t.Fatalf("first goaway %v, ping %v, after %d requests", g, ping, h.requests)
	}
	// The PING's ACK: a round trip since the first GOAWAY.
	cl.fr.WritePing(true, ping.Data)
	cl.flush()
	if g = goAway(cl.frames()); g == nil || g.LastStreamID != id-2 || !cl.c.Done() {
		t.Fatalf("final goaway %v (want last stream %d), done %v", g, id-2, cl.c.Done())
	}
	cl.get(id, "/") // above the last stream: ignored
	cl.flush()
	cl.frames()
	if h.requests != 100 || !cl.c.Done() {
		t.Fatalf("%d requests, done %v", h.requests, cl.c.Done())
	}
}

// A client that goes on opening streams past the first GOAWAY, without
// answering its PING, gets the final GOAWAY at the next stream.
func TestStreamBudgetWithoutPingAck(t *testing.T) {
	t.Parallel()
	h := &echoHandler{}
	cl := newClient(t, &Config{MaxRequests: 100}, h)
	var last *xhttp2.GoAwayFrame
	for id := uint32(1); id <= 301; id += 2 {
		cl.get(id, "/")
		cl.flush()
		if g := goAway(cl.frames()); g != nil {
			last = g
		}
	}
	if last == nil || last.LastStreamID != 201 || h.requests != 101 || !cl.c.Done() {
		t.Fatalf("last goaway %v after %d requests, done %v", last, h.requests, cl.c.Done())
	}
}

func TestLastStreamID(t *testing.T) {
	t.Parallel()
	h := &echoHandler{}
	cl := newClient(t, nil, h)
	cl.get(maxStreamID, "/")
	cl.flush()
	if status(cl.frames(), maxStreamID) != "200" {
		t.Fatal("stream 2^31-1 not served")
	}
	cl.get(1, "/") // lower than the last: a closed stream
	cl.flush()
	if g := goAway(cl.frames()); g == nil || g.ErrCode != xhttp2.ErrCodeStreamClosed {
		t.Fatalf("goaway %v", g)
	}
}

func TestConcurrentStreamsRefused(t *testing.T) {
	t.Parallel()
	h := &echoHandler{answer: func(s *Stream) {}}
	cl := newClient(t, &Config{MaxConcurrentStreams: 2}, h)
	cl.get(1, "/")
	cl.get(3, "/")
	cl.get(5, "/")
	cl.flush()
	if r := rstOf(cl.frames(), 5); r == nil || r.ErrCode != xhttp2.ErrCodeRefusedStream || h.requests != 2 {
		t.Fatalf("rst %v, %d requests", r, h.requests)
	}
}
