package static

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

// TestSidecarsComeAndGoWithTheirOriginal: sidecars are found with a file
// kept open, a new sidecar drops the cached original so that it is found,
// a sidecar being sent outlives a dropped original, and both close when
// nothing uses them.
func TestSidecarsComeAndGoWithTheirOriginal(t *testing.T) {
	big := string(bytes.Repeat([]byte("<p>x</p>"), 512))
	r, dir := newRoot(t, map[string]string{"a.html": big, "a.html.gz": "gz", "a.html.bogus": "no"})
	sameTime(t, filepath.Join(dir, "a.html"), filepath.Join(dir, "a.html.gz")) // as gzip -k leaves it
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	f := c.Resolve(r, []byte("/a.html"), mimeOf).Entry.File
	gz := f.Coded(http1.CodingGzip)
	if gz == nil || f.Coded(http1.CodingBrotli) != nil || f.Coded(http1.CodingZstd) != nil {
		t.Fatalf("sidecars %v %v %v, want gzip alone", gz, f.Coded(http1.CodingBrotli), f.Coded(http1.CodingZstd))
	}
	if gz.Size != 2 || !bytes.Contains(gz.Header, []byte("Content-Encoding: gzip\r\n")) || gz.ETag == f.ETag {
		t.Fatalf("gzip sidecar: %d %q %s", gz.Size, gz.Header, gz.ETag)
	}
	// Sending the sidecar; the original is cached, so Swap leaves it open.
	v := f.Swap(http1.CodingGzip)
	v.Hold()
	if f.FD < 0 {
		t.Fatal("cached original closed by Swap")
	}
	// A br sidecar appears: the original is dropped and found again with it.
	os.WriteFile(filepath.Join(dir, "a.html.br"), []byte("br"), 0o644) // newer than a.html
	waitDropped(t, c, r, "/a.html")
	if !fdOpen(v.FD) {
		t.Fatal("sidecar closed under the response sending it")
	}
	fd := v.FD
	v.Release()
	if fdOpen(fd) || f.FD != -1 {
		t.Fatal("dropped original or its sidecar still open after the last response")
	}
	f2 := c.Resolve(r, []byte("/a.html"), mimeOf).Entry.File
	if f2.Coded(http1.CodingBrotli) == nil || f2.Coded(http1.CodingGzip) == nil {
		t.Fatal("new sidecar not found")
	}
	// A sidecar older than its original is not used.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "a.html.br"), old, old)
	waitDropped(t, c, r, "/a.html")
	if f3 := c.Resolve(r, []byte("/a.html"), mimeOf).Entry.File; f3.Coded(http1.CodingBrotli) != nil || f3.Coded(http1.CodingGzip) == nil {
		t.Fatal("stale br sidecar used")
	}
}

// sameTime gives the files the modification time of orig.
func sameTime(t *testing.T, orig string, files ...string) {
	t.Helper()
	st, err := os.Stat(orig)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.Chtimes(f, st.ModTime(), st.ModTime()); err != nil {
			t.Fatal(err)
		}
	}
}
