package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Content-coding negotiation (RFC 9110 §12.5.3) through the real server:
// the acceptable coding with the highest q wins, zstd before br before gzip
// before deflate before identity on equal q, and 406 when the client refuses identity and no
// coding it accepts can be produced for the file.

func TestAcceptEncodingNegotiation(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, nil)
	base := "http://" + ts.addr
	cases := []struct {
		path, ae string
		status   int
		coding   string // Content-Encoding of a 200
	}{
		// press.html is compressible and compresses well.
		{"/press.html", "gzip, deflate", 200, "gzip"},
		{"/press.html", "deflate, gzip", 200, "gzip"},                    // equal q: gzip
		{"/press.html", "gzip;q=0.5, deflate", 200, "deflate"},           // q decides, not our taste
		{"/press.html", "deflate;q=0.9, gzip;q=0.8", 200, "deflate"},     //
		{"/press.html", "gzip;q=0.5, identity", 200, ""},                 // identity listed higher
		{"/press.html", "gzip;q=0.5, *", 200, "zstd"},                    // * covers zstd with q=1
		{"/press.html", "gzip;q=0.5, deflate, br;q=0.4", 200, "deflate"}, //
		{"/press.html", "br, identity;q=0.5, x-gzip;q=0.6", 200, "br"},   //
		{"/press.html", "gzip, deflate, br, zstd", 200, "zstd"},          // equal q: zstd, then br
		{"/press.html", "gzip, deflate, br", 200, "br"},                  //
		{"/press.html", "compress", 200, ""},                             // identity is acceptable by default
		{"/press.html", "gzip;q=0", 200, ""},
		{"/press.html", "gzip, identity;q=0", 200, "gzip"},
		{"/press.html", "*;q=0, deflate", 200, "deflate"},
		{"/press.html", "*;q=0, identity", 200, ""},
		{"/press.html", "identity;q=0", 406, ""},
		{"/press.html", "*;q=0", 406, ""},
		{"/press.html", "br, *;q=0", 200, "br"},
		{"/press.html", "compress, *;q=0", 406, ""},
		{"/press.html", "", 200, ""}, // an empty field asks for no coding
		// a.txt is compressible but too small for compression to pay off.
		{"/a.txt", "gzip", 200, ""},
		{"/a.txt", "gzip, identity;q=0", 406, ""},
		// noext has no compressible type.
		{"/noext", "deflate, *;q=0", 406, ""},
		{"/noext", "deflate", 200, ""},
		// big.bin is beyond the cache and sent with sendfile, identity only.
		{"/big.bin", "gzip", 200, ""},
		{"/big.bin", "identity;q=0, gzip", 406, ""},
		// Errors are not negotiated.
		{"/missing.html", "identity;q=0", 404, ""},
	}
	awaitBrotli(t, base+"/press.html")
	for _, tc := range cases {
		r := get(t, base+tc.path, "Accept-Encoding", tc.ae)
		got := r.Header.Get("Content-Encoding")
		if r.StatusCode != tc.status || tc.status == 200 && got != tc.coding {
			t.Errorf("%s with Accept-Encoding %q: %d %q; want %d %q", tc.path, tc.ae, r.StatusCode, got, tc.status, tc.coding)
			continue
		}
		if tc.status == 406 {
			if v := r.Header.Get("Vary"); v != "Accept-Encoding" {
				t.Errorf("%s with %q: 406 without Vary: Accept-Encoding (%q)", tc.path, tc.ae, v)
			}
			if b := body(r); !strings.Contains(b, "406 Not Acceptable") {
				t.Errorf("%s with %q: 406 body %q", tc.path, tc.ae, b)
			}
		}
	}
}

// With compression off for the site only identity can be produced, so a
// client that refuses it gets 406 from the site's own error page, and the
// connection stays usable.
func TestAcceptEncodingCompressionOff(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := filepath.Join(dir, "406.html")
	if err := os.WriteFile(page, []byte("custom 406 page"), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := startTestSite(t, func(s *Site) {
		s.HTTP.Compress = false
		s.ErrorPages = []ErrorPage{{Code: 406, File: page}}
	})
	base := "http://" + ts.addr
	if r := get(t, base+"/press.html", "Accept-Encoding", "gzip"); r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" {
		t.Errorf("compression off, gzip accepted: %d %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	r := get(t, base+"/press.html", "Accept-Encoding", "gzip, deflate, identity;q=0")
	if r.StatusCode != 406 || body(r) != "custom 406 page" {
		t.Errorf("compression off, identity refused: %d", r.StatusCode)
	}
	out := raw(t, ts.addr, "HEAD /press.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: *;q=0\r\n\r\n"+
		"GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !strings.HasPrefix(out, "HTTP/1.1 406 ") || strings.Contains(out, "custom 406 page") || !strings.HasSuffix(out, "\r\n\r\n0123456789") {
		t.Errorf("HEAD refused, then a GET on the same connection:\n%s", out)
	}
}

// Weighing q-values keeps the cached GET free of allocations, whichever
// variant wins.
func TestNegotiatedGETAllocatesNothing(t *testing.T) {
	h := newHarness(t)
	for _, req := range []string{
		"GET /press.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip;q=0.5, deflate;q=0.9, identity;q=0.1\r\n\r\n",
		"GET /press.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: br;q=1.0, *;q=0.3, identity;q=0.4\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n",
	} {
		b := []byte(req)
		h.do(b) // fills the cache and builds the variant
		if n := testing.AllocsPerRun(200, func() { h.do(b) }); n != 0 {
			t.Errorf("%q: %v allocations per request", req, n)
		}
	}
}

// awaitBrotli asks for url in br until it comes in br: the variant is built
// off the loop, and the answers meanwhile use the next best coding.
func awaitBrotli(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := get(t, url, "Accept-Encoding", "br, gzip")
		got := r.Header.Get("Content-Encoding")
		body(r)
		if got == "br" {
			return
		}
		if got != "gzip" {
			t.Fatalf("%s while br is built: %q, want gzip", url, got)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still no br after 10s", url)
		}
		time.Sleep(5 * time.Millisecond) // the build reports to nobody: poll
	}
}
