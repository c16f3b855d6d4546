package http1

import (
	"errors"
	"strings"
	"testing"
)

const browserGET = "GET /static/app.js?v=3 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n" +
	"Accept: */*\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=0123456789abcdef; theme=dark\r\n" +
	"If-None-Match: W/\"5e1-18c\"\r\n" +
	"If-Modified-Since: Sat, 06 Jan 2024 10:00:00 GMT\r\n" +
	"\r\n"

// status returns the status Parse gives: 0 for success, -1 for ErrNeedMore.
func status(err error) int {
	if err == nil {
		return 0
	}
	if err == ErrNeedMore {
		return -1
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return -2
}

func TestParseBrowser(t *testing.T) {
	var r Request
	n, err := r.Parse([]byte(browserGET+"GET / HTTP/1.1\r\n"), nil)
	if err != nil || n != len(browserGET) || r.HeadLen != n {
		t.Fatalf("Parse = %d, %v; want %d", n, err, len(browserGET))
	}
	check := func(name string, got []byte, want string) {
		t.Helper()
		if string(got) != want || got == nil && want != "" {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if r.Method != MethodGET || r.Minor != 1 || !r.KeepAlive || r.Chunked || r.ContentLength != -1 || r.Expect100 {
		t.Errorf("got %+v", r)
	}
	check("MethodRaw", r.MethodRaw, "GET")
	check("Target", r.Target, "/static/app.js?v=3")
	check("Path", r.Path, "/static/app.js")
	check("Query", r.Query, "v=3")
	check("Host", r.Host, "www.example.com")
	check("AcceptEncoding", r.AcceptEncoding, "gzip, deflate, br, zstd")
	check("IfNoneMatch", r.IfNoneMatch, `W/"5e1-18c"`)
	check("IfModifiedSince", r.IfModifiedSince, "Sat, 06 Jan 2024 10:00:00 GMT")
	check("Connection", r.Connection, "keep-alive")
	check("UserAgent", r.UserAgent, "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
	check("Header(Cookie)", r.Header("Cookie"), "session=0123456789abcdef; theme=dark")
	if len(r.Headers) != 10 || string(r.Headers[2].Name) != "Accept" {
		t.Errorf("Headers = %q", r.Headers)
	}
	if r.Range != nil || r.IfRange != nil || r.Upgrade != nil {
		t.Errorf("absent fields set: %q %q %q", r.Range, r.IfRange, r.Upgrade)
	}
}

func TestParseAllocs(t *testing.T) {
	var r Request
	buf := []byte(browserGET)
	r.Parse(buf, nil)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.Parse(buf, nil); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Parse allocates %v times per request", allocs)
	}
	bad := []byte("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n")
	allocs = testing.AllocsPerRun(100, func() { r.Parse(bad, nil) })
	if allocs != 0 {
		t.Fatalf("Parse allocates %v times on the error path", allocs)
	}
}

type parseCase struct {
	name string
	in   string
	want int // 0 ok, -1 ErrNeedMore, else status
	lim  *Limits
	chk  func(*Request) bool
}

var parseCases = []parseCase{
	{name: "minimal 1.1", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool {
		return r.KeepAlive && string(r.Host) == "a" && string(r.Path) == "/" && r.Query == nil
	}},
	{name: "1.0 no host", in: "GET / HTTP/1.0\r\n\r\n", chk: func(r *Request) bool { return !r.KeepAlive && r.Host == nil && r.Minor == 0 }},
	{name: "HTTP/1.2 as 1.1", in: "GET / HTTP/1.2\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Minor == 1 && r.KeepAlive && string(r.Host) == "a" }},
	{name: "HTTP/1.9 without Host", in: "GET / HTTP/1.9\r\n\r\n", want: 400},
	{name: "1.0 keep-alive", in: "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", chk: func(r *Request) bool { return r.KeepAlive }},
	{name: "1.0 keep-alive list", in: "GET / HTTP/1.0\r\nConnection: foo , KEEP-ALIVE\r\n\r\n", chk: func(r *Request) bool { return r.KeepAlive }},
	{name: "1.1 close list", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, close\r\n\r\n", chk: func(r *Request) bool { return !r.KeepAlive }},
	{name: "1.1 close second line", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n", chk: func(r *Request) bool {
		return !r.KeepAlive && string(r.Connection) == "keep-alive"
	}},
	{name: "1.1 closer not close", in: "GET / HTTP/1.1\r\nHost: a\r\nConnection: closer\r\n\r\n", chk: func(r *Request) bool { return r.KeepAlive }},
	{name: "bare LF", in: "GET /x HTTP/1.1\nHost: a\n\n", chk: func(r *Request) bool { return r.HeadLen == 25 }},
	{name: "leading empty lines", in: "\r\n\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Method == MethodGET && r.HeadLen == 32 }},
	{name: "query empty", in: "GET /a? HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Query != nil && len(r.Query) == 0 && string(r.Path) == "/a" }},
	{name: "lower get is other", in: "get / HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Method == MethodOther && string(r.MethodRaw) == "get" }},
	{name: "unknown method", in: "PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Method == MethodOther }},
	{name: "all methods", in: "PATCH / HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return r.Method == MethodPATCH }},
	{name: "OWS trimmed", in: "GET / HTTP/1.1\r\nHost: \t a \t\r\nX:\r\nY:  \r\n\r\n", chk: func(r *Request) bool {
		return string(r.Host) == "a" && len(r.Headers[1].Value) == 0 && len(r.Headers[2].Value) == 0
	}},
	{name: "obs-text value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"},
	{name: "empty host", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", chk: func(r *Request) bool { return r.Host != nil && len(r.Host) == 0 }},
	{name: "host with port", in: "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n"},
	{name: "content-length", in: "POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 0012\r\n\r\n", chk: func(r *Request) bool { return r.ContentLength == 12 }},
	{name: "chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n", chk: func(r *Request) bool { return r.Chunked && r.ContentLength == -1 }},
	{name: "chunked empty elements", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked ,\r\n\r\n", chk: func(r *Request) bool { return r.Chunked }},
	{name: "expect", in: "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 5\r\n\r\n", chk: func(r *Request) bool { return r.Expect100 }},
	{name: "expect 1.0 ignored", in: "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", chk: func(r *Request) bool { return !r.Expect100 }},
	{name: "absolute-form", in: "GET http://Example.com:80/p/q?x=1 HTTP/1.1\r\nHost: other\r\n\r\n", chk: func(r *Request) bool {
		return string(r.Host) == "Example.com:80" && string(r.Path) == "/p/q" && string(r.Query) == "x=1"
	}},
	{name: "absolute-form no path", in: "GET https://h?q HTTP/1.1\r\nHost: h\r\n\r\n", chk: func(r *Request) bool {
		return string(r.Host) == "h" && string(r.Path) == "/" && string(r.Query) == "q"
	}},
	{name: "asterisk", in: "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", chk: func(r *Request) bool { return string(r.Path) == "*" }},
	{name: "connect", in: "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", chk: func(r *Request) bool { return r.Path == nil }},
	{name: "range fields", in: "GET / HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\nIf-Range: \"x\"\r\nUpgrade: websocket\r\n\r\n", chk: func(r *Request) bool {
		return string(r.Range) == "bytes=0-1" && string(r.IfRange) == `"x"` && string(r.Upgrade) == "websocket"
	}},

	{name: "empty", in: "", want: -1},
	{name: "only CRLFs", in: "\r\n\r\n", want: -1},
	{name: "partial", in: "GET / HTTP/1.1\r\nHost: a\r\n\r", want: -1},
	{name: "HTTP/0.9", in: "GET /\r\n\r\n", want: 400},
	{name: "two spaces", in: "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "trailing space", in: "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", want: 400},
	{name: "tab separator", in: "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "bad method", in: "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "control in target", in: "GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "DEL in target", in: "GET /a\x7fb HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "relative target", in: "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "asterisk GET", in: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "authority GET", in: "GET a.example:443 HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "connect origin", in: "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "connect no port", in: "CONNECT a.example HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "userinfo", in: "GET http://u@h/ HTTP/1.1\r\nHost: h\r\n\r\n", want: 400},
	{name: "absolute empty host", in: "GET http:///p HTTP/1.1\r\nHost: h\r\n\r\n", want: 400},
	{name: "HTTP/2.0", in: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", want: 505},
	{name: "HTTP/0.9 version", in: "GET / HTTP/0.9\r\n\r\n", want: 505},
	{name: "lower http", in: "GET / http/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "HTTP/1.10", in: "GET / HTTP/1.10\r\nHost: a\r\n\r\n", want: 400},
	{name: "HTTP/1", in: "GET / HTTP/1\r\nHost: a\r\n\r\n", want: 400},
	{name: "bare CR line", in: "GET / HTTP/1.1\rHost: a\r\n\r\n", want: 400},
	{name: "bare CR leading", in: "\rGET / HTTP/1.1\r\nHost: a\r\n\r\n", want: 400},
	{name: "no host", in: "GET / HTTP/1.1\r\nX: a\r\n\r\n", want: 400},
	{name: "two hosts", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", want: 400},
	{name: "bad host", in: "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", want: 400},
	{name: "host with space", in: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", want: 400},
	{name: "host dot dot", in: "GET / HTTP/1.1\r\nHost: ..\r\n\r\n", want: 400},
	{name: "host empty label", in: "GET / HTTP/1.1\r\nHost: a..example\r\n\r\n", want: 400},
	{name: "absolute host dot dot", in: "GET http://../p HTTP/1.1\r\nHost: h\r\n\r\n", want: 400},
	{name: "host trailing dot", in: "GET / HTTP/1.1\r\nHost: example.com.\r\n\r\n"},
	{name: "space before colon", in: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", want: 400},
	{name: "empty name", in: "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", want: 400},
	{name: "no colon", in: "GET / HTTP/1.1\r\nHost: a\r\nfoo\r\n\r\n", want: 400},
	{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", want: 400},
	{name: "space before first field", in: "GET / HTTP/1.1\r\n Host: a\r\n\r\n", want: 400},
	{name: "NUL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n", want: 400},
	{name: "CR in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n", want: 400},
	{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", want: 400},
	{name: "CL letters", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5a\r\n\r\n", want: 400},
	{name: "CL empty", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", want: 400},
	{name: "CL sign", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", want: 400},
	{name: "CL list", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", want: 400},
	{name: "CL twice same", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", want: 400},
	{name: "CL twice different", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", want: 400},
	{name: "CL huge", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", want: 413},
	{name: "CL over limit", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n", want: 413, lim: &Limits{MaxBody: 10}},
	{name: "CL at limit", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n", lim: &Limits{MaxBody: 10}},
	{name: "TE and CL", in: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", want: 400},
	{name: "CL and TE", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", want: 400},
	{name: "TE 1.0", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", want: 400},
	{name: "TE not final", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", want: 400},
	{name: "TE gzip only", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", want: 400},
	{name: "TE twice chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", want: 400},
	{name: "TE gzip chunked", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", want: 501},
	{name: "TE split lines", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n", want: 400},
	{name: "TE empty", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", want: 400},
	{name: "TE junk", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", want: 400},
	{name: "TE chunked with a parameter", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", want: 400},
	{name: "TE chunked with a spaced parameter", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked ; x\r\n\r\n", want: 400},
	{name: "TE chunked-false", in: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", want: 400},
	{name: "too many headers", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n", want: 431, lim: &Limits{MaxHeaders: 2}},
	{name: "headers at limit", in: "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n\r\n", lim: &Limits{MaxHeaders: 2}},
	{name: "long request line", in: "GET /" + strings.Repeat("a", 100) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "long line incomplete", in: "GET /" + strings.Repeat("a", 100), want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "long method incomplete", in: strings.Repeat("G", 65), want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line within limit", in: "GET /" + strings.Repeat("a", 50), want: -1, lim: &Limits{MaxHeadBytes: 64}},
	{name: "long head", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 100) + "\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "long head incomplete", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 100), want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "head exactly at limit", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", lim: &Limits{MaxHeadBytes: 27}},
	{name: "head one over limit", in: "GET / HTTP/1.1\r\nHost: a\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 26}},
	{name: "hard cap", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 70000), want: 431},
	{name: "hard cap over a larger limit", in: "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 70000), want: 431, lim: &Limits{MaxHeadBytes: 1 << 20}},
	{name: "hard cap on the request line", in: "GET /" + strings.Repeat("a", 70000), want: 414, lim: &Limits{MaxHeadBytes: 1 << 20}},
	{name: "too many empty lines", in: strings.Repeat("\r\n", 40), want: 414, lim: &Limits{MaxHeadBytes: 64}},
	// MaxHeadBytes bounds the whole head; 414 is for a request line that
	// alone, without its CRLF, is longer. "GET /" + k + " HTTP/1.1" is 14+k.
	{name: "line of limit-2, CRLF at limit", in: "GET /" + strings.Repeat("a", 48) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit-1", in: "GET /" + strings.Repeat("a", 49) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit-1 LF", in: "GET /" + strings.Repeat("a", 49) + " HTTP/1.1\nHost: a\n\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit", in: "GET /" + strings.Repeat("a", 50) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit LF", in: "GET /" + strings.Repeat("a", 50) + " HTTP/1.1\nHost: a\n\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit+1", in: "GET /" + strings.Repeat("a", 51) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit+1 LF", in: "GET /" + strings.Repeat("a", 51) + " HTTP/1.1\nHost: a\n\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit after an empty line", in: "\r\nGET /" + strings.Repeat("a", 48) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 431, lim: &Limits{MaxHeadBytes: 64}},
	{name: "line of limit+1 after an empty line", in: "\r\nGET /" + strings.Repeat("a", 49) + " HTTP/1.1\r\nHost: a\r\n\r\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "empty lines up to the limit", in: strings.Repeat("\r\n", 32) + "GET / HTTP/1.1\r\n\r\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "empty lines up to limit-1, CR", in: strings.Repeat("\n", 63) + "\r\nGET / HTTP/1.1\r\n\r\n", want: 414, lim: &Limits{MaxHeadBytes: 64}},
	{name: "whole head at limit", in: "GET /" + strings.Repeat("a", 37) + " HTTP/1.1\r\nHost: a\r\n\r\n", lim: &Limits{MaxHeadBytes: 64}},
}

func TestParseCases(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			n, err := r.Parse([]byte(tc.in), tc.lim)
			if got := status(err); got != tc.want {
				t.Fatalf("Parse(%q) = %d, %v; want status %d", tc.in, n, err, tc.want)
			}
			if err == nil && n != len(tc.in) {
				t.Fatalf("n = %d, want %d", n, len(tc.in))
			}
			if err == nil && tc.chk != nil && !tc.chk(&r) {
				t.Fatalf("unexpected request %+v", r)
			}
			checkPrefixes(t, []byte(tc.in), tc.lim, n, err)
		})
	}
}

// checkPrefixes asserts that every prefix of in gives ErrNeedMore or the
// result of the whole input.
func checkPrefixes(t *testing.T, in []byte, lim *Limits, n int, err error) {
	t.Helper()
	var r Request
	step := 1 + len(in)/1024 // sample the prefixes of the hard-cap case
	for p := 0; p < len(in); p += step {
		pn, perr := r.Parse(in[:p], lim)
		if perr == ErrNeedMore {
			continue
		}
		if err == nil && p >= n && perr == nil && pn == n {
			continue
		}
		if err != nil && perr == err {
			continue
		}
		t.Fatalf("prefix %d of %q: %d, %v; whole: %d, %v", p, in, pn, perr, n, err)
	}
}

func TestParsePipelined(t *testing.T) {
	buf := []byte("POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello" +
		"GET /b HTTP/1.1\r\nHost: a\r\n\r\n" +
		"GET /c HTTP/1.0\r\n\r\n")
	var r Request
	var paths []string
	for len(buf) > 0 {
		n, err := r.Parse(buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, string(r.Path))
		buf = buf[n+max(int(r.ContentLength), 0):]
	}
	if strings.Join(paths, " ") != "/a /b /c" {
		t.Fatalf("paths = %q", paths)
	}
}

func TestMethodString(t *testing.T) {
	for m := MethodOther; m <= MethodCONNECT; m++ {
		if m != MethodOther && lookupMethod([]byte(m.String())) != m {
			t.Errorf("%v does not round-trip", m)
		}
	}
	if Method(200).String() != "OTHER" {
		t.Error("out of range method")
	}
}

func TestHeadEnd(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", -1},
		{"\r\n\r\n\n", -1},
		{"GET / HTTP/1.0\r\n\r\n", 18},
		{"GET / HTTP/1.0\n\nbody", 16},
		{"\r\nGET / HTTP/1.0\r\n\r\n", 20},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r", -1},
		{"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET", 27},
	}
	for _, tc := range cases {
		if got := HeadEnd([]byte(tc.in), 0); got != tc.want {
			t.Errorf("HeadEnd(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	// Fed one byte at a time, resuming each time, it finds the end of every
	// case Parse accepts, exactly where Parse does.
	for _, tc := range parseCases {
		var r Request
		n, err := r.Parse([]byte(tc.in), tc.lim)
		if err != nil {
			continue
		}
		got, scanned := -1, 0
		for k := 1; k <= len(tc.in) && got < 0; k++ {
			if got = HeadEnd([]byte(tc.in[:k]), scanned); got < 0 {
				scanned = k
			}
		}
		if got != n {
			t.Errorf("%s: HeadEnd byte by byte = %d, Parse = %d", tc.name, got, n)
		}
	}
}

// Repeated list-valued fields are one list (RFC 9110 §5.3); once the
// request's scratch buffer has grown, combining allocates nothing.
func TestRepeatedListFieldsCombine(t *testing.T) {
	req := "GET / HTTP/1.1\r\nHost: x\r\n" +
		"Accept-Encoding: br\r\nIf-None-Match: \"a\"\r\nAccept-Encoding: gzip;q=0.5\r\n" +
		"If-Match: \"m1\"\r\nIf-None-Match: \"b\", \"c\"\r\nIf-Match: \"m2\"\r\n\r\n"
	var r Request
	if _, err := r.Parse([]byte(req), nil); err != nil {
		t.Fatal(err)
	}
	if got := string(r.AcceptEncoding); got != "br, gzip;q=0.5" {
		t.Errorf("Accept-Encoding %q", got)
	}
	if got := string(r.IfNoneMatch); got != `"a", "b", "c"` {
		t.Errorf("If-None-Match %q", got)
	}
	if got := string(r.HeaderList("if-match")); got != `"m1", "m2"` {
		t.Errorf("If-Match %q", got)
	}
	if r.HeaderList("x-none") != nil {
		t.Error("HeaderList of an absent field is not nil")
	}
	allocs := testing.AllocsPerRun(100, func() {
		r.Parse([]byte(req), nil)
		r.HeaderList("If-Match")
	})
	if allocs > 1 { // the []byte conversion of req
		t.Errorf("%v allocations per parse", allocs)
	}
}
