package http2

import (
	"testing"
)

// FuzzParseFrame: any bytes parse to a frame, ErrNeedMore or an error, and
// every accessor of the frame's type is safe on any payload.
func FuzzParseFrame(f *testing.F) {
	f.Add(AppendData(nil, 1, true, []byte("x")), uint32(MinMaxFrameSize))
	f.Add(AppendSettings(nil, Setting{SettingInitialWindowSize, 1}), uint32(MinMaxFrameSize))
	f.Fuzz(func(t *testing.T, b []byte, max uint32) {
		fr, n, err := ParseFrame(b, max)
		if err != nil {
			return
		}
		if n > len(b) || n < FrameHeaderLen || uint32(len(fr.Payload)) > max {
			t.Fatalf("n=%d of %d, payload %d", n, len(b), len(fr.Payload))
		}
		fr.Data()
		fr.Headers()
		fr.Priority()
		fr.RSTCode()
		fr.WindowIncrement()
		fr.Ping()
		fr.GoAway()
		fr.PriorityUpdate()
		if k, err := fr.NumSettings(); err == nil {
			for i := 0; i < k; i++ {
				fr.Setting(i)
			}
		}
	})
}

// FuzzConn feeds a connection the preface, a SETTINGS frame and the fuzzed
// bytes, split at a fuzzed point: the engine must not panic, and its
// output must be a sequence of whole frames.
func FuzzConn(f *testing.F) {
	f.Add([]byte{}, uint16(0))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		h := &echoHandler{}
		h.answer = func(s *Stream) {
			s.Respond(200, []byte("Content-Type: text/plain\r\n"), false)
			s.Write([]byte("hello"))
			s.End()
		}
		h.body = func(s *Stream) { s.Consume(len(s.Body())) }
		c := NewConn(&Config{}, h)
		data := append([]byte(Preface), AppendSettings(nil)...)
		data = append(data, in...)
		cut := min(int(split), len(data))
		var buf, out []byte
		for _, part := range [][]byte{data[:cut], data[cut:]} {
			buf = append(buf, part...)
			n, _ := c.Feed(buf)
			buf = buf[n:]
			out = c.Pull(out, 1<<20)
		}
		c.Close()
		for len(out) > 0 {
			_, n, err := ParseFrame(out, MaxMaxFrameSize)
			if err != nil {
				t.Fatalf("server output: %v", err)
			}
			out = out[n:]
		}
	})
}

// FuzzHeaderBlock sends the fuzzed bytes as the header block of a request,
// split into HEADERS and CONTINUATION frames: decoding and validation must
// not panic, and a request that reaches the handler is well-formed.
func FuzzHeaderBlock(f *testing.F) {
	f.Add([]byte{0x82, 0x87, 0x84, 0x41, 0x01, 'a'}, uint8(3))
	f.Fuzz(func(t *testing.T, block []byte, frag uint8) {
		h := &echoHandler{}
		h.answer = func(s *Stream) {
			r := &s.Req
			if len(r.MethodRaw) == 0 || len(r.Target) == 0 {
				t.Fatalf("request without method or target: %+v", r)
			}
			for _, f := range r.Headers {
				if len(f.Name) == 0 {
					t.Fatal("empty field name")
				}
			}
			s.Respond(204, nil, true)
		}
		c := NewConn(&Config{MaxHeaderListSize: 4096}, h)
		in := append([]byte(Preface), AppendSettings(nil)...)
		size := int(frag) + 1
		t0 := FrameHeaders
		for first := true; first || len(block) > 0; first = false {
			n := min(size, len(block))
			var flags Flags
			if first {
				flags |= FlagEndStream
			}
			if n == len(block) {
				flags |= FlagEndHeaders
			}
			in = AppendFrameHeader(in, n, t0, flags, 1)
			in = append(in, block[:n]...)
			block = block[n:]
			t0 = FrameContinuation
		}
		c.Feed(in)
		c.Pull(nil, 1<<20)
		c.Close()
	})
}
