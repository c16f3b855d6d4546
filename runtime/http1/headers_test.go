package http1

import (
	"bytes"
	"testing"
)

func TestTokenListHas(t *testing.T) {
	cases := []struct {
		v, tok string
		want   bool
	}{
		{"keep-alive", "keep-alive", true},
		{"Keep-Alive", "keep-alive", true},
		{"close", "Close", true},
		{"Upgrade, HTTP2-Settings", "upgrade", true},
		{" foo ,\tclose\t", "close", true},
		{"foo,,close,", "close", true},
		{"closed", "close", false},
		{"keep-alive-x", "keep-alive", false},
		{"", "close", false},
		{"c lose", "close", false},
	}
	for _, tc := range cases {
		if got := TokenListHas([]byte(tc.v), tc.tok); got != tc.want {
			t.Errorf("TokenListHas(%q, %q) = %v", tc.v, tc.tok, got)
		}
	}
}

func TestAcceptEncoding(t *testing.T) {
	// q-values in thousandths: identity, gzip, deflate.
	cases := []struct {
		v            string
		id, gz, defl uint16
	}{
		{"", 1, 0, 0},
		{"gzip", 1, 1000, 0},
		{"GZIP, Deflate", 1, 1000, 1000},
		{"gzip, deflate, br, zstd", 1, 1000, 1000},
		{"gzip;q=0", 1, 0, 0},
		{"gzip;q=0.000, deflate;q=0.001", 1, 0, 1},
		{"gzip ; q=0.5 , deflate ; Q=1", 1, 500, 1000},
		{"*", 1000, 1000, 1000},
		{"*;q=0", 0, 0, 0},
		{"*, gzip;q=0", 1000, 0, 1000},
		{"deflate;q=0, *", 1000, 1000, 0},
		{"identity", 1000, 0, 0},
		{"identity;q=0", 0, 0, 0},
		{"Identity;q=0, gzip", 0, 1000, 0},
		{"identity;q=0, *;q=0.1", 0, 100, 100},
		{"*;q=0, identity", 1000, 0, 0},
		{"*;q=0.3, identity;q=0.7", 700, 300, 300},
		{"x-gzip", 1, 1000, 0},
		{"br", 1, 0, 0},
		{"gzip;q=2", 1, 0, 0},
		{"gzip;q=1.5", 1, 0, 0},
		{"gzip;q=abc, deflate", 1, 0, 1000},
		{"gzip;level=9;q=0.3", 1, 300, 0},
		{"gzip;q=0, gzip", 1, 1000, 0},
		{"gzipx, deflatex, identityx", 1, 0, 0},
		{"identity;q=0.5, identity;q=0", 500, 0, 0},
	}
	for _, tc := range cases {
		want := Accepted{CodingIdentity: tc.id, CodingGzip: tc.gz, CodingDeflate: tc.defl}
		got := AcceptEncoding([]byte(tc.v))
		got[CodingBrotli], got[CodingZstd] = 0, 0 // TestAcceptEncodingBrotliZstd
		if got != want {
			t.Errorf("AcceptEncoding(%q) = %v; want %v", tc.v, got, want)
		}
	}
	if got := AcceptEncoding(nil); got != (Accepted{CodingIdentity: 1}) {
		t.Errorf("AcceptEncoding(nil) = %v; want identity alone", got)
	}
}

func TestAcceptEncodingOrder(t *testing.T) {
	const (
		id = CodingIdentity
		gz = CodingGzip
		df = CodingDeflate
		br = CodingBrotli
		zs = CodingZstd
	)
	cases := []struct {
		v    string
		want []Coding
	}{
		{"", []Coding{id}},
		{"gzip", []Coding{gz, id}},
		{"gzip, deflate", []Coding{gz, df, id}},
		{"deflate, gzip", []Coding{gz, df, id}}, // equal q: gzip first
		{"gzip;q=0.5, deflate", []Coding{df, gz, id}},
		{"gzip;q=0.5, deflate;q=0.8", []Coding{df, gz, id}},
		{"deflate;q=0.2, gzip;q=0.9", []Coding{gz, df, id}},
		{"gzip;q=0.001", []Coding{gz, id}}, // ties with the default identity, and wins
		{"identity, gzip;q=0.5", []Coding{id, gz}},
		{"identity;q=0.5, gzip;q=0.5, deflate;q=0.5", []Coding{gz, df, id}},
		{"*", []Coding{zs, br, gz, df, id}},
		{"*;q=0.5, identity", []Coding{id, zs, br, gz, df}},
		{"gzip;q=0.5, *", []Coding{zs, br, df, id, gz}},
		{"gzip, deflate, br, zstd", []Coding{zs, br, gz, df, id}}, // Chrome: equal q, zstd first
		{"gzip, deflate, br", []Coding{br, gz, df, id}},
		{"br;q=0.5, gzip", []Coding{gz, br, id}},
		{"zstd;q=0.2, br;q=0.8", []Coding{br, zs, id}},
		{"identity;q=0", nil},
		{"*;q=0", nil},
		{"gzip, identity;q=0", []Coding{gz}},
		{"deflate, *;q=0", []Coding{df}},
		{"gzip;q=0, deflate;q=0, identity;q=0", nil},
		{"br;q=1, identity;q=0", []Coding{br}},
	}
	for _, tc := range cases {
		order, n := AcceptEncoding([]byte(tc.v)).Order()
		got := order[:n]
		if len(got) != len(tc.want) {
			t.Errorf("%q: order %v; want %v", tc.v, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: order %v; want %v", tc.v, got, tc.want)
				break
			}
		}
	}
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		v          string
		size       int64
		start, end int64
		status     int
	}{
		{"bytes=0-99", 1000, 0, 99, 206},
		{"bytes=100-", 1000, 100, 999, 206},
		{"bytes=-500", 1000, 500, 999, 206},
		{"bytes=-5000", 1000, 0, 999, 206},
		{"bytes=0-", 1000, 0, 999, 206},
		{"bytes=990-2000", 1000, 990, 999, 206},
		{"Bytes= 5-5 ", 1000, 5, 5, 206},
		{"bytes=0-0,", 1000, 0, 0, 206},
		{"bytes=0-99999999999999999999999", 1000, 0, 999, 206},
		{"bytes=1000-", 1000, 0, 0, 416},
		{"bytes=1000-2000", 1000, 0, 0, 416},
		{"bytes=99999999999999999999999-", 1000, 0, 0, 416},
		{"bytes=-0", 1000, 0, 0, 416},
		{"bytes=0-", 0, 0, 0, 416},
		{"bytes=-5", 0, 0, -1, 200},
		{"", 1000, 0, 999, 200},
		{"bytes=5-4", 1000, 0, 999, 200},
		{"bytes=0-1,5-6", 1000, 0, 999, 200},
		{"bytes=", 1000, 0, 999, 200},
		{"bytes=-", 1000, 0, 999, 200},
		{"bytes=a-b", 1000, 0, 999, 200},
		{"bytes=1", 1000, 0, 999, 200},
		{"bytes=+1-2", 1000, 0, 999, 200},
		{"bytes=1-2-3", 1000, 0, 999, 200},
		{"items=0-1", 1000, 0, 999, 200},
		{"bytes 0-1", 1000, 0, 999, 200},
	}
	for _, tc := range cases {
		s, e, st := ParseRange([]byte(tc.v), tc.size)
		if s != tc.start || e != tc.end || st != tc.status {
			t.Errorf("ParseRange(%q, %d) = %d, %d, %d; want %d, %d, %d", tc.v, tc.size, s, e, st, tc.start, tc.end, tc.status)
		}
	}
}

func TestETagMatch(t *testing.T) {
	cases := []struct {
		inm, etag string
		want      bool
	}{
		{`"abc"`, `"abc"`, true},
		{`W/"abc"`, `"abc"`, true},
		{`"abc"`, `W/"abc"`, true},
		{`"x", "abc"`, `"abc"`, true},
		{`"x",W/"abc" ,"y"`, `"abc"`, true},
		{`"a,b", "c"`, `"c"`, true},
		{`"a,b"`, `"b"`, false},
		{`*`, `"abc"`, true},
		{` * `, `"abc"`, true},
		{`"abc"`, `"abd"`, false},
		{`abc`, `"abc"`, false},
		{`"abc`, `"abc"`, false},
		{``, `"abc"`, false},
		{`"abc"`, ``, false},
		{`"", "abc"`, `"abc"`, true},
		{`w/"abc"`, `"abc"`, false},
		{`"x" junk, "abc"`, `"abc"`, false},
	}
	for _, tc := range cases {
		if got := ETagMatch([]byte(tc.inm), []byte(tc.etag)); got != tc.want {
			t.Errorf("ETagMatch(%q, %q) = %v", tc.inm, tc.etag, got)
		}
	}
}

func TestHelpersAllocs(t *testing.T) {
	ae, rg, inm, et := []byte("gzip;q=0.8, deflate, *;q=0"), []byte("bytes=100-"), []byte(`"a", W/"b"`), []byte(`"b"`)
	n := testing.AllocsPerRun(100, func() {
		AcceptEncoding(ae).Order()
		ParseRange(rg, 1000)
		ETagMatch(inm, et)
		TokenListHas(ae, "deflate")
	})
	if n != 0 {
		t.Errorf("helpers allocate %v", n)
	}
}

func FuzzHeaderHelpers(f *testing.F) {
	f.Add([]byte("bytes=0-99"), int64(1000))
	f.Add([]byte("bytes=-5, "), int64(3))
	f.Add([]byte(`gzip;q=0.5, *;q=0, W/"x", "y"`), int64(0))
	f.Add([]byte("identity;q=0, deflate;q=0.9, x-gzip;q=0.9"), int64(0))
	f.Add([]byte("*;q=0.1, identity;q=1.000, gzip;level=9;q=0.5"), int64(1))
	f.Fuzz(func(t *testing.T, v []byte, size int64) {
		start, end, st := ParseRange(v, size)
		size = max(size, 0)
		switch st {
		case 206:
			if start < 0 || start > end || end >= size {
				t.Fatalf("ParseRange(%q, %d) = %d-%d", v, size, start, end)
			}
		case 200:
			if start != 0 || end != size-1 {
				t.Fatalf("ParseRange(%q, %d) = %d-%d, 200", v, size, start, end)
			}
		case 416:
		default:
			t.Fatalf("status %d", st)
		}
		acc := AcceptEncoding(v)
		order, n := acc.Order()
		for i := 0; i < n; i++ {
			if q := acc[order[i]]; q == 0 || q > 1000 || i > 0 && q > acc[order[i-1]] {
				t.Fatalf("AcceptEncoding(%q) = %v: order %v", v, acc, order[:n])
			}
		}
		for c, q := range acc {
			if q > 1000 {
				t.Fatalf("AcceptEncoding(%q)[%d] = %d", v, c, q)
			}
		}
		if !bytes.Contains(bytes.ToLower(v), []byte("identity")) && !bytes.Contains(v, []byte("*")) && acc[CodingIdentity] != identityDefault {
			t.Fatalf("AcceptEncoding(%q): identity %d without being named", v, acc[CodingIdentity])
		}
		TokenListHas(v, "close")
		if ETagMatch(v, v) != ETagMatch(v, v) {
			t.Fatal("not deterministic")
		}
	})
}

func TestAcceptEncodingBrotliZstd(t *testing.T) {
	for v, want := range map[string][2]uint16{
		"br":                      {1000, 0},
		"zstd;q=0.5":              {0, 500},
		"BR, ZSTD;q=0.1":          {1000, 100},
		"gzip, deflate, br, zstd": {1000, 1000},
		"*;q=0.3, br;q=0":         {0, 300},
		"gzip":                    {0, 0},
	} {
		a := AcceptEncoding([]byte(v))
		if got := [2]uint16{a[CodingBrotli], a[CodingZstd]}; got != want {
			t.Errorf("%q: br, zstd %v, want %v", v, got, want)
		}
	}
}
