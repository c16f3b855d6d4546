package e2e

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

const sidecarConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"limits" : { "max_file_cache" : 4096 },
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } }
}
`

// TestPrecompressedSidecars: a file above max_file_cache is sent from the
// .zst, .br or .gz beside it, the one the client weighs highest, and each
// decodes to the file; a sidecar older than the file is not used.
func TestPrecompressedSidecars(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	page := strings.Repeat("<p>A large page, above the memory cache limit of this site.</p>\n", 2000)
	var gz, br, zs bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	gw.Write([]byte(page))
	gw.Close()
	bw := brotli.NewWriterLevel(&br, brotli.BestCompression)
	bw.Write([]byte(page))
	bw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write([]byte(page))
	zw.Close()
	dir := siteDir(t, map[string]string{
		"hetao.conf":         conf(sidecarConf, "PORT", port),
		"www/press.html":     page,
		"www/press.html.gz":  gz.String(),
		"www/press.html.br":  br.String(),
		"www/press.html.zst": zs.String(),
		"www/stale.html":     page,
		"www/stale.html.gz":  gz.String(),
	})
	// As gzip -k, brotli and zstd leave them: the original's time.
	st, err := os.Stat(filepath.Join(dir, "www/press.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"gz", "br", "zst"} {
		os.Chtimes(filepath.Join(dir, "www/press.html."+s), st.ModTime(), st.ModTime())
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(filepath.Join(dir, "www/stale.html.gz"), old, old)
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	decode := map[string]func([]byte) ([]byte, error){
		"": func(b []byte) ([]byte, error) { return b, nil },
		"gzip": func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
		"br": func(b []byte) ([]byte, error) { return io.ReadAll(brotli.NewReader(bytes.NewReader(b))) },
		"zstd": func(b []byte) ([]byte, error) {
			d, err := zstd.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			defer d.Close()
			return io.ReadAll(d)
		},
	}
	for _, c := range []struct{ path, ae, coding string }{
		{"/press.html", "gzip, deflate, br, zstd", "zstd"},
		{"/press.html", "gzip, deflate, br", "br"},
		{"/press.html", "gzip", "gzip"},
		{"/press.html", "br;q=0.5, gzip", "gzip"},
		{"/press.html", "deflate", ""},
		{"/press.html", "", ""},
		{"/stale.html", "gzip", ""}, // older than the file
	} {
		r := get(t, base+c.path, "Accept-Encoding", c.ae)
		got := r.header.Get("Content-Encoding")
		if r.status != 200 || got != c.coding {
			t.Errorf("%s with %q: %d %q, want %q", c.path, c.ae, r.status, got, c.coding)
			continue
		}
		if plain, err := decode[got]([]byte(r.body)); err != nil || string(plain) != page {
			t.Errorf("%s with %q: %q body does not decode to the file (%v)", c.path, c.ae, got, err)
		}
		if c.path == "/press.html" && r.header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s with %q: Vary %q", c.path, c.ae, r.header.Get("Vary"))
		}
	}
	// A refused identity with no sidecar the client takes: 406.
	if r := get(t, base+"/press.html", "Accept-Encoding", "deflate, identity;q=0"); r.status != 406 {
		t.Errorf("deflate only: %d, want 406", r.status)
	}
}
