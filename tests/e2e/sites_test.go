package e2e

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const twoListens = `// two listens, three websites, custom index and error pages
{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @A@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www1",
			"index" : "/index.html,/default.htm",
			"access_log" : "log/a.log"
		},
		"website" : {
			"domain" : "b.example",
			"wwwroot" : "www2",
			"index" : "/default.htm"
		}
	},
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @B@,
		"website" : { "domain" : "c.example", "wwwroot" : "www3", "index" : "/index.html" }
	},
	"http_options" : { "compress_on" : @GZ@ },
	"error_pages" : { "error_page_404" : "errors/404.html" }
}
`

func twoListensSite(t *testing.T, gz int) (a, b int, dir string) {
	a, b = freePort(t), freePort(t)
	dir = siteDir(t, map[string]string{
		"hetao.conf":            conf(twoListens, "A", a, "B", b, "GZ", gz),
		"www1/index.html":       "<h1>one</h1>",
		"www1/docs/default.htm": "<h1>docs default</h1>",
		"www1/press.html":       strings.Repeat("<p>the 3.3 KB press page of hetao, compressible</p>\n", 64),
		"www2/default.htm":      "<h1>two</h1>",
		"www3/index.html":       "<h1>three</h1>",
		"errors/404.html":       "custom not found",
	})
	start(t, dir, build(t, dir), a, b)
	return a, b, dir
}

func TestTwoListensThreeWebsites(t *testing.T) {
	t.Parallel()
	a, b, dir := twoListensSite(t, 1)
	urlA, urlB := fmt.Sprintf("http://127.0.0.1:%d", a), fmt.Sprintf("http://127.0.0.1:%d", b)
	cases := []struct {
		url, host string
		status    int
		body      string
	}{
		{urlA + "/", "", 200, "<h1>one</h1>"},
		{urlA + "/", "anything.example", 200, "<h1>one</h1>"},
		{urlA + "/docs/", "", 200, "<h1>docs default</h1>"}, // index of the requested directory
		{urlA + "/", "B.Example", 200, "<h1>two</h1>"},
		{urlA + "/", "b.example:80", 200, "<h1>two</h1>"},
		{urlA + "/nope.html", "", 404, "custom not found"},
		{urlB + "/", "c.example", 200, "<h1>three</h1>"},
		{urlB + "/", "b.example", 421, ""}, // listen B has no such website and no default
	}
	for _, c := range cases {
		r := get(t, c.url, "Host", c.host)
		if r.status != c.status || (c.body != "" && r.body != c.body) {
			t.Errorf("GET %s Host %q: %d %q, want %d %q", c.url, c.host, r.status, r.body, c.status, c.body)
		}
	}
	r := get(t, urlA+"/press.html", "Accept-Encoding", "gzip")
	if r.header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("compress_on 1: no gzip (%v)", r.header)
	}
	zr, err := gzip.NewReader(strings.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	want, _ := os.ReadFile(filepath.Join(dir, "www1/press.html"))
	if string(plain) != string(want) {
		t.Error("gzip body differs from the file")
	}
}

func TestCompressionOff(t *testing.T) {
	t.Parallel()
	a, _, _ := twoListensSite(t, 0)
	r := get(t, fmt.Sprintf("http://127.0.0.1:%d/press.html", a), "Accept-Encoding", "gzip, deflate")
	if r.status != 200 || r.header.Get("Content-Encoding") != "" || !strings.HasPrefix(r.body, "<p>the 3.3 KB") {
		t.Errorf("compress_on 0: %d %v", r.status, r.header)
	}
}

func TestFileChangedOnDiskIsServedFresh(t *testing.T) {
	t.Parallel()
	a, _, dir := twoListensSite(t, 1)
	url := fmt.Sprintf("http://127.0.0.1:%d/", a)
	if r := get(t, url); r.body != "<h1>one</h1>" {
		t.Fatalf("before: %q", r.body)
	}
	if err := os.WriteFile(filepath.Join(dir, "www1/index.html"), []byte("<h1>edited</h1>"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for get(t, url).body != "<h1>edited</h1>" {
		if time.Now().After(deadline) {
			t.Fatal("the edited file is not served")
		}
		time.Sleep(5 * time.Millisecond) // inotify is asynchronous; no readiness signal exists for it
	}
	// A new index file earlier in the list takes over the directory.
	os.Remove(filepath.Join(dir, "www1/index.html"))
	os.WriteFile(filepath.Join(dir, "www1/default.htm"), []byte("fallback"), 0o644)
	deadline = time.Now().Add(3 * time.Second)
	for get(t, url).body != "fallback" {
		if time.Now().After(deadline) {
			t.Fatal("index change not seen")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const layout2016 = `/* hetao 0.2-era layout: one listen with a port list, server + servers */
{
	"worker_processes" : 1,
	"cpu_affinity" : 0,
	"error_log" : "log/error.log",
	"log_level" : ERROR,
	"limits" : { "max_http_session_count" : 1000 },
	"listen" : { "ip" : "127.0.0.1", "port" : "@A@,@B@" },
	"server" : {
		"domain" : "",
		"wwwroot" : "www",
		"index" : "/index.html,/index.htm",
		"access_log" : "log/access.log"
	},
	"servers" : {
		"server" : { "domain" : "x.example", "wwwroot" : "x", "index" : "/index.htm", "access_log" : "log/x.log" }
	},
	"tcp_options" : { "nodelay" : 1, "nolinger" : -1 },
	"http_options" : { "compress_on" : 1, "timeout" : 60, "forward_disable" : 60 }
}
`

func TestLayout2016(t *testing.T) {
	t.Parallel()
	a, b := freePort(t), freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(layout2016, "A", a, "B", b),
		"www/index.html": "main site",
		"x/index.htm":    "x site",
	})
	start(t, dir, build(t, dir), a, b)
	for _, port := range []int{a, b} {
		url := fmt.Sprintf("http://127.0.0.1:%d/", port)
		if r := get(t, url); r.body != "main site" {
			t.Errorf("port %d default: %q", port, r.body)
		}
		if r := get(t, url, "Host", "x.example"); r.body != "x site" {
			t.Errorf("port %d x.example: %q", port, r.body)
		}
	}
	logDeadline := time.Now().Add(2 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "log/x.log"))
		if strings.Count(string(b), `"GET / HTTP/1.1" 200`) == 2 {
			break
		}
		if time.Now().After(logDeadline) {
			t.Fatalf("x.log: %q", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
