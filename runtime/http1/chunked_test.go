package http1

import (
	"strings"
	"testing"
)

// decodeAll feeds in to a fresh decoder step bytes at a time (0: all at
// once) and returns the data, the bytes consumed and the result.
func decodeAll(in []byte, max int64, step int) (data []byte, used int, done bool, err error) {
	c := Chunked{MaxBody: max}
	for used < len(in) && !done {
		end := len(in)
		if step > 0 && used+step < end {
			end = used + step
		}
		chunk := in[used:end]
		for len(chunk) > 0 && !done {
			var n int
			var d []byte
			n, d, done, err = c.Decode(chunk)
			if err != nil {
				return data, used + n, false, err
			}
			if n == 0 && !done {
				panic("no progress")
			}
			data = append(data, d...)
			chunk = chunk[n:]
			used += n
		}
	}
	return data, used, done, nil
}

func TestChunked(t *testing.T) {
	cases := []struct {
		name, in, data string
		rest           string // bytes after the body, left unconsumed
		want           int    // 0 done, -1 not done yet, else status
		max            int64
	}{
		{name: "simple", in: "5\r\nhello\r\n0\r\n\r\n", data: "hello"},
		{name: "two chunks", in: "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", data: "hello world"},
		{name: "hex upper lower", in: "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", data: strings.Repeat("0123456789", 2)},
		{name: "leading zeros", in: "0005\r\nhello\r\n000\r\n\r\n", data: "hello"},
		{name: "extension", in: "5;name=value;x=\"q s\"\r\nhello\r\n0;last\r\n\r\n", data: "hello"},
		{name: "BWS", in: "5 \t;ext\r\nhello\r\n0 ;x\r\n\r\n", data: "hello"},
		{name: "trailers", in: "5\r\nhello\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", data: "hello"},
		{name: "pipelined rest", in: "1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n", data: "a", rest: "GET / HTTP/1.1\r\n"},
		{name: "empty body", in: "0\r\n\r\n"},
		{name: "at limit", in: "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", data: "helloworld", max: 10},
		{name: "incomplete", in: "5\r\nhel", data: "hel", want: -1},
		{name: "incomplete trailer", in: "0\r\nX: y\r\n", want: -1},

		{name: "over limit", in: "5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", data: "hello", want: 413, max: 10},
		{name: "overflow", in: "fffffffffffffffffff\r\n", want: 413},
		{name: "no size", in: "\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "bad hex", in: "5g\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "negative", in: "-5\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "0x prefix", in: "0x5\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "bare LF size", in: "5\nhello\r\n0\r\n\r\n", want: 400},
		{name: "bare CR size", in: "5\rhello\r\n0\r\n\r\n", want: 400},
		{name: "no CRLF after data", in: "5\r\nhelloX\r\n0\r\n\r\n", data: "hello", want: 400},
		{name: "LF after data", in: "5\r\nhello\n0\r\n\r\n", data: "hello", want: 400},
		{name: "data too long", in: "3\r\nhello\r\n0\r\n\r\n", data: "hel", want: 400},
		// RFC 9112 §7.1.1: BWS only before ';', never before the CRLF.
		{name: "space after size", in: "3 \r\nabc\r\n0\r\n\r\n", want: 400},
		{name: "tab after size", in: "3\t\r\nabc\r\n0\r\n\r\n", want: 400},
		{name: "space after last size", in: "3\r\nabc\r\n0 \r\n\r\n", data: "abc", want: 400},
		{name: "space before size", in: " 5\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "control in ext", in: "5;a\x00\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "bare LF trailer", in: "0\r\nX: y\n\r\n", want: 400},
		{name: "bare LF end", in: "0\r\n\n", want: 400},
		{name: "NUL trailer", in: "0\r\nX: \x00\r\n\r\n", want: 400},
		{name: "long ext", in: "5;" + strings.Repeat("x", MaxChunkLine) + "\r\nhello\r\n0\r\n\r\n", want: 400},
		{name: "long trailer", in: "0\r\nX: " + strings.Repeat("x", MaxTrailerBytes) + "\r\n\r\n", want: 400},
		{name: "many zeros", in: strings.Repeat("0", MaxChunkLine+1) + "\r\n\r\n", want: 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, step := range []int{0, 1, 2, 7} {
				data, used, done, err := decodeAll([]byte(tc.in), tc.max, step)
				got := status(err)
				if err == nil && !done {
					got = -1
				}
				if got != tc.want || string(data) != tc.data {
					t.Fatalf("step %d: data %q, status %d (%v); want %q, %d", step, data, got, err, tc.data, tc.want)
				}
				if tc.want == 0 && tc.in[used:] != tc.rest {
					t.Fatalf("step %d: rest %q, want %q", step, tc.in[used:], tc.rest)
				}
			}
		})
	}
}

func TestChunkedSticky(t *testing.T) {
	var c Chunked
	if _, _, _, err := c.Decode([]byte("x")); err != ErrBadChunk {
		t.Fatalf("err = %v", err)
	}
	if n, _, _, err := c.Decode([]byte("5\r\n")); err != ErrBadChunk || n != 0 {
		t.Fatalf("after error: %d, %v", n, err)
	}
	c.Reset()
	n, _, done, err := c.Decode([]byte("0\r\n\r\nrest"))
	if n != 5 || !done || err != nil || !c.Done() {
		t.Fatalf("after Reset: %d %v %v", n, done, err)
	}
	if n, _, done, _ := c.Decode([]byte("rest")); n != 0 || !done {
		t.Fatalf("after done: %d %v", n, done)
	}
}

func TestChunkedAllocs(t *testing.T) {
	in := []byte("5\r\nhello\r\n6\r\n world\r\n0\r\nX: y\r\n\r\n")
	var c Chunked
	allocs := testing.AllocsPerRun(100, func() {
		c.Reset()
		for b := in; len(b) > 0; {
			n, _, done, err := c.Decode(b)
			if err != nil || done {
				break
			}
			b = b[n:]
		}
	})
	if allocs != 0 {
		t.Fatalf("Decode allocates %v", allocs)
	}
}
