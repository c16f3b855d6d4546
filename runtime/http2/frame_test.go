package http2

import (
	"bytes"
	"testing"
)

func TestParseFrameNeedsWholeFrame(t *testing.T) {
	t.Parallel()
	f := AppendData(nil, 3, true, []byte("hello"))
	for i := 0; i < len(f); i++ {
		if _, _, err := ParseFrame(f[:i], MinMaxFrameSize); err != ErrNeedMore {
			t.Fatalf("%d of %d bytes: %v, want ErrNeedMore", i, len(f), err)
		}
	}
	got, n, err := ParseFrame(append(f, 0xff), MinMaxFrameSize)
	if err != nil || n != len(f) {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if got.Type != FrameData || got.StreamID != 3 || !got.Flags.Has(FlagEndStream) || string(got.Payload) != "hello" {
		t.Fatalf("frame %+v", got)
	}
}

// A frame announced larger than the limit is refused from its header
// alone, before its payload is buffered.
func TestParseFrameTooLarge(t *testing.T) {
	t.Parallel()
	hdr := AppendFrameHeader(nil, MinMaxFrameSize+1, FrameData, 0, 1)
	_, _, err := ParseFrame(hdr, MinMaxFrameSize)
	if ce, ok := err.(*ConnError); !ok || ce.Code != ErrCodeFrameSize {
		t.Fatalf("err %v, want FRAME_SIZE_ERROR", err)
	}
}

func TestParseFrameReservedBit(t *testing.T) {
	t.Parallel()
	f := AppendFrameHeader(nil, 0, FrameSettings, 0, 0)
	f[5] |= 0x80
	got, _, err := ParseFrame(f, MinMaxFrameSize)
	if err != nil || got.StreamID != 0 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestFramePadding(t *testing.T) {
	t.Parallel()
	// pad length 3, data "ab", 3 bytes of padding
	p := []byte{3, 'a', 'b', 0, 0, 0}
	f := Frame{Type: FrameData, Flags: FlagPadded, Payload: p}
	d, err := f.Data()
	if err != nil || string(d) != "ab" {
		t.Fatalf("%q %v", d, err)
	}
	f.Payload = []byte{6, 'a', 0, 0, 0, 0} // padding as long as the payload
	if _, err := f.Data(); err != errPadding {
		t.Fatalf("err %v, want padding error", err)
	}
	f.Payload = nil
	if _, err := f.Data(); err == nil {
		t.Fatal("empty padded frame accepted")
	}
	h := Frame{Type: FrameHeaders, Flags: FlagPadded | FlagPriority, Payload: []byte{1, 0x80, 0, 0, 7, 15, 'x', 0}}
	frag, prio, ok, err := h.Headers()
	if err != nil || !ok || string(frag) != "x" || prio.Dependency != 7 || !prio.Exclusive || prio.Weight != 15 {
		t.Fatalf("%q %+v %v %v", frag, prio, ok, err)
	}
}

func TestFrameAccessorsCheckLength(t *testing.T) {
	t.Parallel()
	bad := []Frame{
		{Type: FrameRSTStream, Payload: []byte{0, 0, 0}},
		{Type: FrameWindowUpdate, Payload: []byte{0, 0, 0, 1, 0}},
		{Type: FramePing, Payload: make([]byte, 7)},
		{Type: FrameSettings, Payload: make([]byte, 5)},
		{Type: FrameSettings, Flags: FlagAck, Payload: make([]byte, 6)},
		{Type: FrameGoAway, Payload: make([]byte, 7)},
	}
	for _, f := range bad {
		var err error
		switch f.Type {
		case FrameRSTStream:
			_, err = f.RSTCode()
		case FrameWindowUpdate:
			_, err = f.WindowIncrement()
		case FramePing:
			_, err = f.Ping()
		case FrameSettings:
			_, err = f.NumSettings()
		case FrameGoAway:
			_, _, _, err = f.GoAway()
		}
		if err != errFrameLen {
			t.Errorf("%v with %d bytes: %v", f.Type, len(f.Payload), err)
		}
	}
	if _, ok := (&Frame{Payload: make([]byte, 4)}).Priority(); ok {
		t.Error("PRIORITY of 4 bytes accepted")
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	b := AppendSettings(nil, Setting{SettingInitialWindowSize, 1 << 20}, Setting{SettingMaxFrameSize, 1 << 15})
	f, _, err := ParseFrame(b, MinMaxFrameSize)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.NumSettings()
	if err != nil || n != 2 || f.Setting(0) != (Setting{SettingInitialWindowSize, 1 << 20}) || f.Setting(1).Value != 1<<15 {
		t.Fatalf("%d %v %+v", n, err, f.Setting(0))
	}
}

func TestAppendHeadersSplits(t *testing.T) {
	t.Parallel()
	block := bytes.Repeat([]byte{'x'}, 40)
	b := AppendHeaders(nil, 1, true, block, 16)
	var got []byte
	var types []FrameType
	for len(b) > 0 {
		f, n, err := ParseFrame(b, MinMaxFrameSize)
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, f.Type)
		got = append(got, f.Payload...)
		last := len(b) == n
		if f.Flags.Has(FlagEndHeaders) != last {
			t.Fatalf("END_HEADERS on a frame not last (or missing): %v", f.Flags)
		}
		b = b[n:]
	}
	if !bytes.Equal(got, block) || len(types) != 3 || types[0] != FrameHeaders || types[1] != FrameContinuation {
		t.Fatalf("%v", types)
	}
}

func TestParsePreface(t *testing.T) {
	t.Parallel()
	if ParsePreface([]byte(Preface[:10])) != ErrNeedMore {
		t.Error("prefix")
	}
	if ParsePreface([]byte(Preface+"x")) != nil {
		t.Error("whole")
	}
	if ParsePreface([]byte("GET / HTTP/1.1\r\n")) == nil {
		t.Error("HTTP/1.1 taken for a preface")
	}
}

func TestParseFrameAllocatesNothing(t *testing.T) {
	b := AppendData(nil, 1, false, make([]byte, 1000))
	n := testing.AllocsPerRun(100, func() {
		f, _, _ := ParseFrame(b, MinMaxFrameSize)
		f.Data()
	})
	if n != 0 {
		t.Fatalf("%v allocations per frame", n)
	}
}
