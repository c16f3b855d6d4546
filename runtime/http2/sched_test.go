package http2

import (
	"testing"

	xhttp2 "golang.org/x/net/http2"
)

// order returns the stream of each DATA frame in fs.
func order(fs []xhttp2.Frame) (ids []uint32) {
	for _, f := range fs {
		if d, ok := f.(*dataCopy); ok && len(d.data) > 0 {
			ids = append(ids, d.StreamID)
		}
	}
	return
}

func bigAnswer(size int64) *echoHandler {
	return &echoHandler{answer: func(s *Stream) {
		s.Respond(200, nil, false)
		s.SendSource(&countingSource{n: size}, size)
	}}
}

func TestStreamsWithoutPriorityInterleave(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, bigAnswer(3*MinMaxFrameSize))
	cl.fr.WriteWindowUpdate(0, 1<<20)
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 1 << 20})
	cl.get(1, "/a")
	cl.get(3, "/b")
	cl.get(5, "/c")
	cl.flush()
	got := order(cl.frames())
	want := []uint32{1, 3, 5, 1, 3, 5, 1, 3, 5}
	if len(got) != len(want) {
		t.Fatalf("order %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

func TestPriorityUrgencyAndIncremental(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, bigAnswer(2*MinMaxFrameSize))
	cl.fr.WriteWindowUpdate(0, 1<<20)
	cl.fr.WriteSettings(xhttp2.Setting{ID: xhttp2.SettingInitialWindowSize, Val: 1 << 20})
	cl.get(1, "/low", "priority", "u=5")
	cl.get(3, "/seq-a", "priority", "u=1")
	cl.get(5, "/seq-b", "priority", "u=1")
	cl.get(7, "/inc-a", "priority", "u=2, i")
	cl.get(9, "/inc-b", "priority", "u=2;x=1, i=?1")
	cl.get(11, "/later", "priority", "u=6")
	// RFC 9218 §7.1: PRIORITY_UPDATE moves stream 11 to the front.
	var pu []byte
	pu = append(pu, 0, 0, 0, 11)
	pu = append(pu, "u=0"...)
	cl.fr.WriteRawFrame(xhttp2.FrameType(FramePriorityUpdate), 0, 0, pu)
	cl.flush()
	got := order(cl.frames())
	want := []uint32{11, 11, 3, 3, 5, 5, 7, 9, 7, 9, 1, 1}
	if len(got) != len(want) {
		t.Fatalf("order %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}

// A PRIORITY_UPDATE that comes before its stream is applied when it opens.
func TestPriorityUpdateBeforeStream(t *testing.T) {
	t.Parallel()
	cl := newClient(t, nil, bigAnswer(MinMaxFrameSize))
	cl.fr.WriteRawFrame(xhttp2.FrameType(FramePriorityUpdate), 0, 0, append([]byte{0, 0, 0, 3}, "u=0"...))
	cl.get(1, "/a")
	cl.get(3, "/b")
	cl.flush()
	if got := order(cl.frames()); len(got) != 2 || got[0] != 3 {
		t.Fatalf("order %v", got)
	}
}

func TestParsePriority9218(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want priority
	}{
		{"", priority{3, false, true}},
		{"u=0", priority{0, false, true}},
		{"u=7, i", priority{7, true, true}},
		{"i=?0, u=2", priority{2, false, true}},
		{"u=8", priority{3, false, true}},
		{"u=-1", priority{3, false, true}},
		{"u=1;p=2,i;q", priority{1, true, true}},
		{"  u=4  ,  i=?1 ", priority{4, true, true}},
		{"x=3, u=a", priority{3, false, true}},
	}
	for _, c := range cases {
		if got := parsePriority9218(c.in, defaultPriority); got != c.want {
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
}
