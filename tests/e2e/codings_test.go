package e2e

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/hetaoc/hetao/tests/internal/sitetest"
	"github.com/klauspost/compress/zstd"
)

const codingsConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTPS@,
		"ssl" : { "certificate_file" : "certs/server.pem", "certificate_key_file" : "certs/server.key" },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } }
}
`

// TestBrotliAndZstdOverHTTPS: a page asked for as a browser asks gets zstd,
// one asked for in br gets br once it is built, and each decodes to the
// file's bytes.
func TestBrotliAndZstdOverHTTPS(t *testing.T) {
	t.Parallel()
	cert, key, pool := sitetest.CertPEM(t, "hetao e2e")
	port := freePort(t)
	page := strings.Repeat("<p>A page of the site, in words that repeat as real pages do.</p>\n", 300)
	dir := siteDir(t, map[string]string{
		"hetao.conf":       conf(codingsConf, "HTTPS", port),
		"certs/server.pem": cert,
		"certs/server.key": key,
		"www/index.html":   page,
	})
	start(t, dir, build(t, dir), port)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableCompression: true}, Timeout: 10 * time.Second}
	fetch := func(ae string) (string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", fmt.Sprintf("https://127.0.0.1:%d/", port), nil)
		req.Header.Set("Accept-Encoding", ae)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%q: %d %v", ae, resp.StatusCode, err)
		}
		return resp.Header.Get("Content-Encoding"), b
	}
	decoders := map[string]func([]byte) ([]byte, error){
		"zstd": func(b []byte) ([]byte, error) {
			d, err := zstd.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			defer d.Close()
			return io.ReadAll(d)
		},
		"br": func(b []byte) ([]byte, error) { return io.ReadAll(brotli.NewReader(bytes.NewReader(b))) },
		"gzip": func(b []byte) ([]byte, error) {
			r, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			return io.ReadAll(r)
		},
	}
	check := func(ae, coding string, body []byte) {
		t.Helper()
		plain, err := decoders[coding](body)
		if err != nil || string(plain) != page {
			t.Errorf("%q: %s body of %d bytes does not decode to the file (%v)", ae, coding, len(body), err)
		}
		if len(body) >= len(page) {
			t.Errorf("%q: %s body of %d bytes for a %d-byte file", ae, coding, len(body), len(page))
		}
	}
	// What Chromium sends over HTTPS.
	chrome := "gzip, deflate, br, zstd"
	if coding, body := fetch(chrome); coding != "zstd" {
		t.Errorf("%q: Content-Encoding %q, want zstd", chrome, coding)
	} else {
		check(chrome, coding, body)
	}
	// br is built off the loop; gzip meanwhile.
	deadline := time.Now().Add(10 * time.Second)
	for {
		coding, body := fetch("br, gzip")
		if coding != "br" && coding != "gzip" {
			t.Fatalf("Content-Encoding %q", coding)
		}
		check("br, gzip", coding, body)
		if coding == "br" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no br after 10s")
		}
		time.Sleep(10 * time.Millisecond) // the build reports to nobody: poll
	}
	if coding, body := fetch("gzip, deflate, br"); coding != "br" {
		t.Errorf("Content-Encoding %q, want br", coding)
	} else {
		check("gzip, deflate, br", coding, body)
	}
}
