package http1

import (
	"bytes"
	"strings"
	"testing"
)

// AppendChunk's framing is read back by the chunked decoder as the data it
// framed, and LastChunk ends the body.
func FuzzAppendChunk(f *testing.F) {
	f.Add([]byte("hello"), []byte("\r\n0\r\n\r\n"))
	f.Add([]byte{}, []byte("x"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		w := AppendChunk(nil, a)
		w = AppendChunk(w, b)
		w = append(w, LastChunk...)
		var c Chunked
		var got []byte
		for in := w; ; {
			n, data, done, err := c.Decode(in)
			if err != nil {
				t.Fatalf("%q: %v", w, err)
			}
			got = append(got, data...)
			in = in[n:]
			if done {
				if len(in) != 0 {
					t.Fatalf("%q: %d bytes after the last chunk", w, len(in))
				}
				break
			}
			if n == 0 {
				t.Fatalf("%q: no progress", w)
			}
		}
		if want := append(append([]byte(nil), a...), b...); !bytes.Equal(got, want) {
			t.Fatalf("decoded %q, want %q", got, want)
		}
	})
}

// An escaped path holds nothing a request line cannot carry ('?' and '#'
// included), and decodes back to the path.
func FuzzAppendEscapedPath(f *testing.F) {
	f.Add([]byte("/a b/ü?x#y%41"))
	f.Add([]byte("/\r\n\x00"))
	f.Fuzz(func(t *testing.T, p []byte) {
		w := AppendEscapedPath(nil, p)
		for _, c := range w {
			if c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\' {
				t.Fatalf("%q escaped as %q: holds %q", p, w, c)
			}
		}
		if got := unescape(t, w); !bytes.Equal(got, p) {
			t.Fatalf("%q escaped as %q decodes to %q", p, w, got)
		}
	})
}

// An escaped query holds nothing a request line cannot carry, and only the
// bytes that could not stand raw were escaped.
func FuzzAppendEscapedQuery(f *testing.F) {
	f.Add([]byte("q=a b&c=%41#x"))
	f.Add([]byte("\r\n{|}"))
	f.Fuzz(func(t *testing.T, q []byte) {
		w := AppendEscapedQuery(nil, q)
		bad := 0
		for _, c := range q {
			if c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>\\^`{|}", c) >= 0 {
				bad++
			}
		}
		if len(w) != len(q)+2*bad {
			t.Fatalf("%q escaped as %q: %d bytes, want %d", q, w, len(w), len(q)+2*bad)
		}
		for _, c := range w {
			if c <= ' ' || c >= 0x7f || c == '#' {
				t.Fatalf("%q escaped as %q: holds %q", q, w, c)
			}
		}
	})
}

// The proxy's field predicates agree with a plain reading of the lists.
func FuzzProxyFields(f *testing.F) {
	f.Add([]byte("Content-Length"), []byte("keep-alive, Content-Length ,x"))
	f.Add([]byte("TE"), []byte(",,te"))
	f.Fuzz(func(t *testing.T, name, connection []byte) {
		lname := asciiLower(name)
		hop := map[string]bool{"te": true, "upgrade": true, "trailer": true, "connection": true,
			"keep-alive": true, "proxy-connection": true, "transfer-encoding": true}
		owned := map[string]bool{"host": true, "expect": true, "x-real-ip": true, "content-length": true,
			"transfer-encoding": true, "x-forwarded-proto": true}
		if HopByHop(name) != hop[lname] {
			t.Fatalf("HopByHop(%q) = %v", name, HopByHop(name))
		}
		if ProxyOwned(name) != owned[lname] {
			t.Fatalf("ProxyOwned(%q) = %v", name, ProxyOwned(name))
		}
		listed := false
		for rest := string(connection); rest != ""; {
			tok, after, _ := strings.Cut(rest, ",")
			rest = after
			if asciiLower([]byte(strings.Trim(tok, " \t"))) == lname {
				listed = true
			}
		}
		hs := []Header{{Name: []byte("Connection"), Value: connection}}
		if got := ListedInConnection(hs, name); got != listed {
			t.Fatalf("ListedInConnection(%q, %q) = %v, want %v", connection, name, got, listed)
		}
	})
}

// asciiLower lower-cases ASCII letters only, as field names compare.
func asciiLower(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return string(out)
}

// unescape decodes every %XX in b.
func unescape(t *testing.T, b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '%' {
			out = append(out, b[i])
			continue
		}
		if i+2 >= len(b) || unhex(b[i+1]) < 0 || unhex(b[i+2]) < 0 {
			t.Fatalf("bad escape in %q", b)
		}
		out = append(out, byte(unhex(b[i+1])<<4|unhex(b[i+2])))
		i += 2
	}
	return out
}
