package http1

import (
	"bytes"
	"testing"
)

func TestResponseParse(t *testing.T) {
	cases := []struct {
		in      string
		err     error
		status  int
		length  int64
		chunked bool
		close   bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", nil, 200, 5, false, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", nil, 200, -1, true, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n", nil, 200, -1, true, false},
		// Controls in values, which would reach the client (bare CR: a new field there).
		{"HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: evil=1\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nX-A: a\x7fb\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nX-A: a\r\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\rSet-Cookie: evil=1\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nX-A: a\tb \x80\xff\r\nContent-Length: 0\r\n\r\n", nil, 200, 0, false, false},
		{"HTTP/1.1 200 OK\r\nX-A: a\r\n\tfolded\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 999 Nine\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 600 X\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 599 X\r\nContent-Length: 0\r\n\r\n", nil, 599, 0, false, false},
		{"HTTP/1.1 099 X\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.0 200 OK\r\n\r\n", nil, 200, -1, false, true},
		{"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", nil, 200, 0, false, false},
		{"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", nil, 204, -1, false, true},
		{"HTTP/1.1 404\r\n\r\n", nil, 404, -1, false, false},
		{"HTTP/1.1 200 OK\nContent-Length: 2\n\nok", nil, 200, 2, false, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/2.0 200 OK\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 20 OK\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\n folded\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"garbage\r\n\r\n", ErrBadResponse, 0, 0, false, false},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", ErrNeedMore, 0, 0, false, false},
	}
	var r Response
	for _, c := range cases {
		n, err := r.Parse([]byte(c.in), 0)
		if err != c.err {
			t.Errorf("%q: err %v, want %v", c.in, err, c.err)
			continue
		}
		if err != nil {
			continue
		}
		if r.Status != c.status || r.ContentLength != c.length || r.Chunked != c.chunked || r.Close != c.close {
			t.Errorf("%q: %d len %d chunked %v close %v", c.in, r.Status, r.ContentLength, r.Chunked, r.Close)
		}
		if n != bytes.Index([]byte(c.in+"\r\n\r\n"), []byte("\n\r\n"))+3 && n != bytes.Index([]byte(c.in), []byte("\n\n"))+2 {
			t.Errorf("%q: head length %d", c.in, n)
		}
	}
	// Every prefix of a complete head is incomplete, never an error.
	full := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n"
	for i := 0; i < len(full); i++ {
		if _, err := r.Parse([]byte(full[:i]), 0); err != ErrNeedMore {
			t.Fatalf("prefix %d: %v", i, err)
		}
	}
	// A head beyond the limit is refused, not buffered.
	if _, err := r.Parse([]byte("HTTP/1.1 200 OK\r\nX: "+string(bytes.Repeat([]byte("a"), 100))), 64); err != ErrBadResponse {
		t.Errorf("over the limit: %v", err)
	}
}

func FuzzResponseParse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nbody",
		"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Response
		n, err := r.Parse(b, 0)
		if err != nil {
			if err != ErrNeedMore && err != ErrBadResponse {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if n <= 0 || n > len(b) || r.Status < 100 || r.Status > 599 {
			t.Fatalf("n=%d status=%d", n, r.Status)
		}
		if r.Chunked && r.ContentLength >= 0 {
			t.Fatal("both chunked and a length")
		}
		// The same head with more bytes after it parses the same.
		var r2 Response
		n2, err2 := r2.Parse(append(append([]byte(nil), b...), "junk"...), 0)
		if err2 != nil || n2 != n || r2.Status != r.Status {
			t.Fatalf("suffix changed the result: %d %v", n2, err2)
		}
	})
}
