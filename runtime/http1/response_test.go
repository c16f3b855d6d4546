package http1

import (
	"net/http"
	"testing"
	"time"
)

func TestStatusLine(t *testing.T) {
	cases := map[int]string{
		200: "HTTP/1.1 200 OK\r\n",
		301: "HTTP/1.1 301 Moved Permanently\r\n",
		404: "HTTP/1.1 404 Not Found\r\n",
		411: "HTTP/1.1 411 Length Required\r\n",
		413: "HTTP/1.1 413 Content Too Large\r\n",
		101: "HTTP/1.1 101 Switching Protocols\r\n",
		505: "HTTP/1.1 505 HTTP Version Not Supported\r\n",
		299: "HTTP/1.1 299 \r\n",
		999: "HTTP/1.1 999 \r\n",
		42:  "HTTP/1.1 500 Internal Server Error\r\n",
		-1:  "HTTP/1.1 500 Internal Server Error\r\n",
	}
	for code, want := range cases {
		if got := string(AppendStatusLine([]byte("x"), code)); got != "x"+want {
			t.Errorf("AppendStatusLine(%d) = %q, want %q", code, got, want)
		}
	}
	// Every code net/http knows is spelled the same, except where RFC 9110
	// renamed it.
	renamed := map[int]bool{413: true, 414: true, 416: true, 422: true}
	for code := 100; code < 600; code++ {
		if want := http.StatusText(code); want != "" && !renamed[code] && StatusText(code) != want {
			t.Errorf("StatusText(%d) = %q, net/http says %q", code, StatusText(code), want)
		}
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendStatusLine(buf[:0], 404) }); n != 0 {
		t.Errorf("AppendStatusLine allocates %v", n)
	}
}

func TestHTTPDate(t *testing.T) {
	ts := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	if got := string(AppendHTTPDate(nil, ts)); got != "Sun, 06 Nov 1994 08:49:37 GMT" {
		t.Errorf("AppendHTTPDate = %q", got)
	}
	loc := time.FixedZone("X", 3600)
	if got := string(AppendHTTPDate(nil, ts.In(loc))); got != "Sun, 06 Nov 1994 08:49:37 GMT" {
		t.Errorf("AppendHTTPDate not in GMT: %q", got)
	}
	for _, tm := range []time.Time{ts, time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC), time.Unix(0, 0)} {
		if got := string(AppendHTTPDate(nil, tm)); got != tm.UTC().Format(http.TimeFormat) {
			t.Errorf("AppendHTTPDate(%v) = %q, want %q", tm, got, tm.Format(http.TimeFormat))
		}
	}
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = AppendHTTPDate(buf[:0], ts) }); n != 0 {
		t.Errorf("AppendHTTPDate allocates %v", n)
	}

	good := []string{
		"Sun, 06 Nov 1994 08:49:37 GMT",
		"Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994",
	}
	for _, s := range good {
		got, ok := ParseHTTPDate([]byte(s))
		if !ok || !got.Equal(ts) {
			t.Errorf("ParseHTTPDate(%q) = %v, %v", s, got, ok)
		}
	}
	if got, ok := ParseHTTPDate([]byte("Thu, 29 Feb 2024 12:00:00 GMT")); !ok || got.Day() != 29 {
		t.Errorf("leap day: %v %v", got, ok)
	}
	if got, ok := ParseHTTPDate([]byte("Sun Nov 16 08:49:37 1994")); !ok || got.Day() != 16 {
		t.Errorf("asctime two-digit day: %v %v", got, ok)
	}
	now := time.Now().UTC().Year()
	future := (now + 60) % 100
	s := "Monday, 01-Jan-" + string(rune('0'+future/10)) + string(rune('0'+future%10)) + " 00:00:00 GMT"
	if got, ok := ParseHTTPDate([]byte(s)); !ok || got.Year() != now+60-100 {
		t.Errorf("RFC 850 year %q = %v, %v", s, got, ok)
	}
	bad := []string{
		"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 nov 1994 08:49:37 GMT",
		"Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 19a4 08:49:37 GMT", "Sun, 06 Nov 1994 08-49-37 GMT",
		"Sun, 00 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sonday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "2024-01-01T00:00:00Z",
	}
	for _, s := range bad {
		if got, ok := ParseHTTPDate([]byte(s)); ok {
			t.Errorf("ParseHTTPDate(%q) = %v, want failure", s, got)
		}
	}
	b := []byte(good[0])
	if n := testing.AllocsPerRun(100, func() { ParseHTTPDate(b) }); n != 0 {
		t.Errorf("ParseHTTPDate allocates %v", n)
	}
}

func FuzzParseHTTPDate(f *testing.F) {
	f.Add([]byte("Sun, 06 Nov 1994 08:49:37 GMT"))
	f.Add([]byte("Sunday, 06-Nov-94 08:49:37 GMT"))
	f.Add([]byte("Sun Nov  6 08:49:37 1994"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tm, ok := ParseHTTPDate(b)
		if !ok {
			return
		}
		again, ok := ParseHTTPDate(AppendHTTPDate(nil, tm))
		if !ok || !again.Equal(tm) {
			t.Fatalf("%q → %v does not round-trip", b, tm)
		}
	})
}

func TestETagMatchStrong(t *testing.T) {
	for _, c := range []struct {
		list, etag string
		want       bool
	}{
		{`"a"`, `"a"`, true},
		{`"b", "a"`, `"a"`, true},
		{`*`, `"a"`, true},
		{`W/"a"`, `"a"`, false},
		{`"a"`, `W/"a"`, false},
		{`"b"`, `"a"`, false},
	} {
		if got := ETagMatchStrong([]byte(c.list), []byte(c.etag)); got != c.want {
			t.Errorf("ETagMatchStrong(%s, %s) = %v", c.list, c.etag, got)
		}
		if c.list == `W/"a"` && !ETagMatch([]byte(c.list), []byte(c.etag)) {
			t.Error("weak comparison must still match")
		}
	}
}
