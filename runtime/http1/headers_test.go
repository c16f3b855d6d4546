package http1

import "testing"

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
	cases := []struct {
		v             string
		gzip, deflate bool
	}{
		{"", false, false},
		{"gzip", true, false},
		{"GZIP, Deflate", true, true},
		{"gzip, deflate, br, zstd", true, true},
		{"gzip;q=0", false, false},
		{"gzip;q=0.000, deflate;q=0.001", false, true},
		{"gzip ; q=0.5 , deflate ; Q=1", true, true},
		{"*", true, true},
		{"*;q=0", false, false},
		{"*, gzip;q=0", false, true},
		{"deflate;q=0, *", true, false},
		{"identity", false, false},
		{"identity;q=0, *;q=0.1", true, true},
		{"x-gzip", true, false},
		{"br", false, false},
		{"gzip;q=2", false, false},
		{"gzip;q=1.5", false, false},
		{"gzip;q=abc, deflate", false, true},
		{"gzip;level=9;q=0.3", true, false},
		{"gzip;q=0, gzip", true, false},
		{"gzipx, deflatex", false, false},
	}
	for _, tc := range cases {
		g, d := AcceptEncoding([]byte(tc.v))
		if g != tc.gzip || d != tc.deflate {
			t.Errorf("AcceptEncoding(%q) = %v, %v; want %v, %v", tc.v, g, d, tc.gzip, tc.deflate)
		}
	}
	if g, d := AcceptEncoding(nil); g || d {
		t.Error("nil accepts something")
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
		AcceptEncoding(ae)
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
		AcceptEncoding(v)
		TokenListHas(v, "close")
		if ETagMatch(v, v) != ETagMatch(v, v) {
			t.Fatal("not deterministic")
		}
	})
}
