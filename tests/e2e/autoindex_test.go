package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const autoindexConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "autoindex" : 1,
			"location" : { "prefix" : "/private/", "autoindex" : 0 } } }
}
`

var autoindexFiles = map[string]string{
	"www/<script>alert(1)<\\script>.txt": "x",
	"www/a.txt":                          "0123456789",
	"www/.env":                           "SECRET=1",
	"www/.git/config":                    "[core]",
	"www/sub/b.txt":                      "b",
	"www/withindex/index.html":           "the index",
	"www/private/c.txt":                  "c",
}

// checkListing asks base for the listing of its root, in HTML and JSON.
func checkListing(t *testing.T, base string) {
	t.Helper()
	r := get(t, base+"/")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("listing: %d %q", r.status, r.header.Get("Content-Type"))
	}
	if strings.Contains(r.body, "<script>") || !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;\\script&gt;.txt") {
		t.Errorf("a file named <script> is not escaped:\n%s", r.body)
	}
	if strings.Contains(r.body, ".env") || strings.Contains(r.body, ".git") {
		t.Errorf("hidden files listed:\n%s", r.body)
	}
	if i, j := strings.Index(r.body, ">sub/<"), strings.Index(r.body, ">a.txt<"); i < 0 || j < 0 || i > j {
		t.Errorf("not sorted directories first:\n%s", r.body)
	}
	if !strings.Contains(r.body, ">10<") {
		t.Errorf("size of a.txt missing:\n%s", r.body)
	}
	j := get(t, base+"/", "Accept", "application/json")
	var entries []struct {
		Name, Type string
		Size       int64
	}
	if err := json.Unmarshal([]byte(j.body), &entries); err != nil || j.header.Get("Content-Type") != "application/json" {
		t.Fatalf("JSON listing: %v %q\n%s", err, j.header.Get("Content-Type"), j.body)
	}
	got := fmt.Sprint(entries)
	if want := "[{private directory 0} {sub directory 0} {withindex directory 0} {<script>alert(1)<\\script>.txt file 1} {a.txt file 10}]"; got != want {
		t.Errorf("JSON listing %s, want %s", got, want)
	}
	if r := get(t, base+"/sub/"); r.status != 200 || !strings.Contains(r.body, ">b.txt<") || !strings.Contains(r.body, `href="../"`) {
		t.Errorf("/sub/: %d\n%s", r.status, r.body)
	}
	if r := get(t, base+"/sub"); r.status != 301 || r.header.Get("Location") != "/sub/" {
		t.Errorf("/sub: %d %q", r.status, r.header.Get("Location"))
	}
	if r := get(t, base+"/withindex/"); r.body != "the index" {
		t.Errorf("a directory with an index: %d %q", r.status, r.body)
	}
	if r := get(t, base+"/.git/"); r.status != 404 {
		t.Errorf("/.git/: %d, want 404", r.status)
	}
}

// TestAutoindex: a website with autoindex lists a directory without an
// index file, escaped, sorted, hidden names left out, in HTML or JSON; a
// location can turn it off.
func TestAutoindex(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	files := map[string]string{"hetao.conf": conf(autoindexConf, "PORT", port)}
	for k, v := range autoindexFiles {
		files[k] = v
	}
	dir := siteDir(t, files)
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	checkListing(t, base)
	if r := get(t, base+"/private/"); r.status != 404 {
		t.Errorf("/private/ without autoindex: %d, want 404", r.status)
	}
}

// TestMinihetaoListsAFolder: minihetao serves a folder as python -m
// http.server does, listing included.
func TestMinihetaoListsAFolder(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "minihetao")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/hetaoc/hetao/cmd/minihetao").CombinedOutput(); err != nil {
		t.Fatalf("building minihetao: %v\n%s", err, out)
	}
	dir := siteDir(t, autoindexFiles)
	port := freePort(t)
	sitetest.Start(t, dir, bin, []int{port}, "-l", "127.0.0.1", "-p", fmt.Sprint(port), filepath.Join(dir, "www"))
	checkListing(t, fmt.Sprintf("http://127.0.0.1:%d", port))
}
