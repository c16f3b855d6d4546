package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

// TestLocationTable builds a website with enough exact and prefix
// locations to be found by hash and checks nginx's order is kept: an exact
// URI first, then the first regex that matches, then the longest prefix.
func TestLocationTable(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	files := map[string]string{}
	var b strings.Builder
	fmt.Fprintf(&b, `{ "error_log" : "log/error.log", "listen" : { "ip" : "127.0.0.1", "port" : %d, "website" : {
	"domain" : "", "wwwroot" : "www"`, port)
	loc := func(match, uri, root string) {
		fmt.Fprintf(&b, ",\n\t\"location\" : { %q : %q, \"wwwroot\" : %q }", match, uri, root)
	}
	for i := 0; i < 18; i++ {
		loc("exact", fmt.Sprintf("/e/%d", i), fmt.Sprintf("r/e%d", i))
		files[fmt.Sprintf("r/e%d/e/%d", i, i)] = fmt.Sprintf("exact %d", i)
		loc("prefix", fmt.Sprintf("/p/%d/", i), fmt.Sprintf("r/p%d", i))
		files[fmt.Sprintf("r/p%d/p/%d/x.html", i, i)] = fmt.Sprintf("prefix %d", i)
	}
	loc("prefix", "/p/", "r/short")
	files["r/short/p/99/x.html"] = "short"
	loc("regex", `^/e/`, "r/re")
	files["r/re/e/99"] = "regex e"
	loc("regex", `\.txt$`, "r/rx")
	files["r/rx/p/3/y.txt"] = "regex txt"
	b.WriteString("\n} } }\n")
	files["hetao.conf"] = b.String()
	files["www/index.html"] = "home"
	dir := siteDir(t, files)
	start(t, dir, build(t, dir), port)

	gen := t.TempDir()
	if out, err := exec.Command(sitetest.Hetaoc, "gen", "--main-only", filepath.Join(dir, "hetao.conf"), "-d", gen).CombinedOutput(); err != nil {
		t.Fatalf("hetaoc gen: %v\n%s", err, out)
	}
	if src, _ := os.ReadFile(filepath.Join(gen, "websites.go")); !strings.Contains(string(src), "server.LocationTable") {
		t.Fatal("the locations were not compiled into a table")
	}
	for _, c := range []struct{ path, body string }{
		{"/e/5", "exact 5"},
		{"/e/17", "exact 17"},
		{"/e/99", "regex e"},
		{"/p/3/x.html", "prefix 3"},
		{"/p/13/x.html", "prefix 13"},
		{"/p/99/x.html", "short"},
		{"/p/3/y.txt", "regex txt"},
	} {
		r := get(t, fmt.Sprintf("http://127.0.0.1:%d%s", port, c.path))
		if r.status != 200 || r.body != c.body {
			t.Errorf("GET %s: %d %q, want %q", c.path, r.status, r.body, c.body)
		}
	}
	if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/nothing", port)); r.status != 404 {
		t.Errorf("GET /nothing: %d, want 404", r.status)
	}
}
