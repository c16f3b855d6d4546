package e2e

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLayout2016Compresses builds the configuration of hetao's own 2016
// document (seed 000 §4, kept in tests/check/testdata/clean_seed_2016_doc:
// mime_types without compress_enable, "compress_on" : 1), served on two
// ports, and fetches press.html as hetao's benchmark did: curl-like and
// Chromium-like clients get it gzipped with Vary: Accept-Encoding, on both
// ports (one website shared by both), and a lower-case accept-encoding
// field counts the same.
func TestLayout2016Compresses(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../check/testdata/clean_seed_2016_doc/hetao.conf")
	if err != nil {
		t.Fatal(err)
	}
	a, b := freePort(t), freePort(t)
	press := strings.Repeat("<p>the 3.3 KB press page of hetao, compressible</p>\n", 64)
	files := map[string]string{"www/press.html": press, "www/index.html": "<h1>hetao</h1>"}
	for _, code := range []string{"400", "401", "403", "404", "408", "500", "503", "505"} {
		files["www/error_pages/error_page_"+code+".html"] = "<h1>" + code + "</h1>"
	}
	dir := siteDir(t, files)
	conf := strings.ReplaceAll(string(src), "$HOME$", dir)
	conf = strings.Replace(conf, `"port" : "9527"`, fmt.Sprintf(`"port" : "%d,%d"`, a, b), 1)
	conf = strings.Replace(conf, `"cpu_affinity" : 1`, `"cpu_affinity" : 0`, 1) // the test shares its cores
	if !strings.Contains(conf, fmt.Sprintf(`"%d,%d"`, a, b)) {
		t.Fatal("the seed's port line moved: update the test")
	}
	os.MkdirAll(dir+"/log", 0o755)
	os.WriteFile(dir+"/hetao.conf", []byte(conf), 0o644)
	start(t, dir, build(t, dir), a, b)

	for _, port := range []int{a, b} {
		url := fmt.Sprintf("http://127.0.0.1:%d/press.html", port)
		for _, ae := range []string{
			"deflate, gzip",           // curl --compressed
			"gzip, deflate, br, zstd", // Chromium
			"gzip",                    // hetao's benchmark (ab -H)
		} {
			r := get(t, url, "Accept-Encoding", ae)
			enc := r.header.Get("Content-Encoding")
			if r.status != 200 || enc == "" || r.header.Get("Vary") != "Accept-Encoding" {
				t.Errorf(":%d Accept-Encoding %q: %d, Content-Encoding %q, Vary %q: want it compressed, varying on Accept-Encoding",
					port, ae, r.status, enc, r.header.Get("Vary"))
				continue
			}
			if !strings.Contains(ae, "br") && enc != "gzip" {
				t.Errorf(":%d Accept-Encoding %q: Content-Encoding %q, want gzip", port, ae, enc)
			}
			if enc == "gzip" {
				zr, err := gzip.NewReader(strings.NewReader(r.body))
				if err != nil {
					t.Fatal(err)
				}
				if plain, _ := io.ReadAll(zr); string(plain) != press {
					t.Errorf(":%d: the gzipped body is not press.html", port)
				}
			}
		}
	}

	// A lower-case field name, as HTTP/2-era clients and proxies send it.
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", a), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /press.html HTTP/1.1\r\nhost: 127.0.0.1\r\naccept-encoding: gzip\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("lower-case accept-encoding: %v", resp.Header)
	}
}
