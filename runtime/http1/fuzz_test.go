package http1

import (
	"bytes"
	"testing"
	"unsafe"
)

// within reports whether s is empty or lies inside buf.
func within(s, buf []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(buf) == 0 {
		return false
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	b := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	return p >= b && p+uintptr(len(s)) <= b+uintptr(len(buf))
}

var fuzzLimits = []*Limits{nil, {MaxHeaders: 3, MaxHeadBytes: 48, MaxBody: 10}}

func FuzzParse(f *testing.F) {
	for _, tc := range parseCases {
		if len(tc.in) <= 4096 { // the hard-cap case would only slow the fuzzer
			f.Add([]byte(tc.in))
		}
	}
	f.Fuzz(func(t *testing.T, buf []byte) {
		for _, lim := range fuzzLimits {
			var r Request
			n, err := r.Parse(buf, lim)
			if err != nil {
				if _, ok := err.(*Error); !ok && err != ErrNeedMore {
					t.Fatalf("error of type %T", err)
				}
				if n != 0 {
					t.Fatalf("n = %d with %v", n, err)
				}
			} else {
				checkRequest(t, &r, buf, n)
				if e := HeadEnd(buf, 0); e != n {
					t.Fatalf("HeadEnd = %d, Parse = %d", e, n)
				}
			}
			// Every prefix gives ErrNeedMore or the same result; long
			// inputs are sampled to keep the fuzzer fast.
			step := 1 + len(buf)/256
			var p Request
			// HeadEnd resumed after a prefix without a head end finds
			// what a full scan finds.
			full := HeadEnd(buf, 0)
			for k := 0; k < len(buf); k += step {
				if HeadEnd(buf[:k], 0) < 0 && HeadEnd(buf, k) != full {
					t.Fatalf("HeadEnd(buf, %d) = %d, HeadEnd(buf, 0) = %d", k, HeadEnd(buf, k), full)
				}
				pn, perr := p.Parse(buf[:k], lim)
				switch {
				case perr == ErrNeedMore:
					if err == nil && k >= n {
						t.Fatalf("prefix %d: ErrNeedMore after a complete head of %d", k, n)
					}
				case err == nil && perr == nil && k >= n && pn == n:
				case err != nil && perr == err:
				default:
					t.Fatalf("prefix %d of %q: %d, %v; whole: %d, %v", k, buf, pn, perr, n, err)
				}
			}
		}
	})
}

func checkRequest(t *testing.T, r *Request, buf []byte, n int) {
	t.Helper()
	if n <= 0 || n > len(buf) || n != r.HeadLen {
		t.Fatalf("n = %d, HeadLen = %d, len = %d", n, r.HeadLen, len(buf))
	}
	head := buf[:n]
	for _, s := range [][]byte{r.MethodRaw, r.Target, r.Query, r.Host, r.AcceptEncoding, r.IfNoneMatch,
		r.IfModifiedSince, r.Range, r.IfRange, r.UserAgent, r.Connection, r.Upgrade} {
		if !within(s, head) {
			t.Fatalf("field %q not inside the head", s)
		}
	}
	if !within(r.Path, head) && !bytes.Equal(r.Path, slash) {
		t.Fatalf("Path %q not inside the head", r.Path)
	}
	if len(r.MethodRaw) == 0 || len(r.Target) == 0 || r.Minor > 1 {
		t.Fatalf("bad request line %+v", r)
	}
	for _, h := range r.Headers {
		if len(h.Name) == 0 || !within(h.Name, head) || !within(h.Value, head) {
			t.Fatalf("header %q: %q", h.Name, h.Value)
		}
		if v := h.Value; len(v) > 0 && (len(trimOWS(v)) != len(v)) {
			t.Fatalf("header %q value not trimmed: %q", h.Name, h.Value)
		}
	}
	if r.Chunked && r.ContentLength != -1 {
		t.Fatalf("chunked with Content-Length %d", r.ContentLength)
	}
	if r.Minor == 1 && r.Host == nil {
		t.Fatalf("HTTP/1.1 without Host accepted")
	}
}

func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"5;ext=1\r\nhello\r\na\r\n0123456789\r\n0\r\nT: x\r\n\r\nGET / HTTP/1.1\r\n",
		"fffffffffffffffffff\r\n",
		"5\nhello\n0\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, max := range []int64{0, 10} {
			d0, u0, done0, err0 := decodeAll(in, max, 0)
			if u0 > len(in) {
				t.Fatalf("consumed %d of %d", u0, len(in))
			}
			if done0 && !bytes.HasSuffix(in[:u0], []byte("\r\n\r\n")) && !bytes.HasSuffix(in[:u0], []byte("0\r\n\r\n")) {
				t.Fatalf("done without the final CRLF: %q", in[:u0])
			}
			if max > 0 && int64(len(d0)) > max {
				t.Fatalf("%d data bytes with MaxBody %d", len(d0), max)
			}
			for _, step := range []int{1, 3} {
				d, u, done, err := decodeAll(in, max, step)
				if !bytes.Equal(d, d0) || u != u0 || done != done0 || err != err0 {
					t.Fatalf("step %d: %q %d %v %v; whole: %q %d %v %v", step, d, u, done, err, d0, u0, done0, err0)
				}
			}
		}
	})
}
