package server

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Static answers: the slash redirect stays local, preconditions, an unknown
// method, list fields on several lines, a future If-Modified-Since.

func TestSlashRedirectIsLocal(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	out := raw(t, ts.addr, "GET //evil.example/../sub HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.Contains(out, "\r\nLocation: /sub/\r\n") {
		t.Errorf("slash redirect:\n%s", out)
	}
}

func TestPreconditionsAndUnknownMethod(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	etag := get(t, "http://"+ts.addr+"/a.txt").Header.Get("ETag")
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Match", `"nope"`); r.StatusCode != 412 {
		t.Errorf("If-Match mismatch: %d", r.StatusCode)
	}
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Match", etag); r.StatusCode != 200 {
		t.Errorf("If-Match match: %d", r.StatusCode)
	}
	if r := get(t, "http://"+ts.addr+"/a.txt", "If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT"); r.StatusCode != 412 {
		t.Errorf("If-Unmodified-Since in the past: %d", r.StatusCode)
	}
	if out := raw(t, ts.addr, "BREW /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(out, "HTTP/1.1 501") {
		t.Errorf("unknown method: %.40q", out)
	}
}

// Accept-Encoding and If-None-Match sent as several field lines count as
// one list each, as RFC 9110 §5.3 says.
func TestRepeatedListFieldLines(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	ask := func(lines string) string {
		return raw(t, ts.addr, "GET /press.html HTTP/1.1\r\nHost: x\r\n"+lines+"Connection: close\r\n\r\n")
	}
	if r := ask("Accept-Encoding: compress\r\nAccept-Encoding: gzip\r\n"); !strings.Contains(r, "Content-Encoding: gzip") {
		t.Errorf("gzip on a second Accept-Encoding line not used:\n%.200s", r)
	}
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nAccept-Encoding: identity;q=0\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 406") {
		t.Errorf("identity;q=0 on a second line ignored:\n%.200s", r)
	}
	first := ask("")
	i := strings.Index(first, "ETag: ")
	if i < 0 {
		t.Fatalf("no ETag:\n%s", first)
	}
	etag := first[i+6 : i+strings.Index(first[i:], "\r\n")]
	if r := ask("If-None-Match: \"zz\"\r\nIf-None-Match: " + etag + "\r\n"); !strings.HasPrefix(r, "HTTP/1.1 304") {
		t.Errorf("the ETag on a second If-None-Match line: \n%.200s", r)
	}
}

// An If-Modified-Since in the future is ignored (nginx: 200), and a Host
// with an empty label is a bad request (nginx: 400).
func TestFutureIfModifiedSinceAndDotDotHost(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	future := time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(time.Hour).Add(-time.Hour).UTC().Format(http.TimeFormat)
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "+future+"\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 200") {
		t.Errorf("future If-Modified-Since:\n%.120s", r)
	}
	if r := raw(t, ts.addr, "GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Modified-Since: "+past+"\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 304") {
		t.Errorf("If-Modified-Since now:\n%.120s", r)
	}
	if r := raw(t, ts.addr, "GET / HTTP/1.1\r\nHost: ..\r\n\r\n"); !strings.HasPrefix(r, "HTTP/1.1 400") {
		t.Errorf("Host ..:\n%.120s", r)
	}
}
