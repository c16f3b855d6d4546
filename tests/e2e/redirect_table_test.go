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

// TestRedirectTable builds a website with enough named redirects to be
// compiled into a hash table and checks that a Host finds its redirect as
// the chain of HostIs tests did: ASCII case-insensitive, exactly or
// without its port, the first in config order when it names two; other
// hosts fall to the catch-all.
func TestRedirectTable(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	var b strings.Builder
	fmt.Fprintf(&b, `{ "error_log" : "log/error.log", "listen" : { "ip" : "127.0.0.1", "port" : %d, "website" : {
	"domain" : "", "wwwroot" : "www"`, port)
	redirect := func(domain, to string, code int) {
		fmt.Fprintf(&b, ",\n\t\"redirect\" : { \"domain\" : %q, \"new_domain\" : %q, \"code\" : %d }", domain, to, code)
	}
	redirect("first.example", "https://one.example/", 301)
	redirect(fmt.Sprintf("first.example:%d", port), "https://two.example/", 302) // later: first.example wins for it
	redirect(fmt.Sprintf("portonly.example:%d", port), "https://three.example/", 307)
	for i := 0; i < 20; i++ {
		redirect(fmt.Sprintf("old%d.example", i), fmt.Sprintf("https://new%d.example/", i), 308)
	}
	redirect("", "https://catchall.example/", 301)
	b.WriteString("\n} } }\n")
	dir := siteDir(t, map[string]string{"hetao.conf": b.String(), "www/index.html": "home"})
	start(t, dir, build(t, dir), port)

	gen := t.TempDir()
	if out, err := exec.Command(sitetest.Hetaoc, "gen", "--main-only", filepath.Join(dir, "hetao.conf"), "-d", gen).CombinedOutput(); err != nil {
		t.Fatalf("hetaoc gen: %v\n%s", err, out)
	}
	if src, _ := os.ReadFile(filepath.Join(gen, "websites.go")); !strings.Contains(string(src), "server.RedirectTable") {
		t.Fatal("the redirects were not compiled into a table")
	}
	url := fmt.Sprintf("http://127.0.0.1:%d/a?b=1", port)
	for _, c := range []struct {
		host, location string
		status         int
	}{
		{"first.example", "https://one.example/", 301},
		{fmt.Sprintf("First.Example:%d", port), "https://one.example/", 301},
		{fmt.Sprintf("portonly.example:%d", port), "https://three.example/", 307},
		{"portonly.example", "https://catchall.example/", 301},
		{"OLD7.example", "https://new7.example/", 308},
		{"old19.example.", "https://new19.example/", 308},
		{fmt.Sprintf("old3.example:%d", port), "https://new3.example/", 308},
		{"new.example", "https://catchall.example/", 301},
	} {
		r := get(t, url, "Host", c.host)
		if r.status != c.status || r.header.Get("Location") != c.location {
			t.Errorf("Host %s: %d %q, want %d %q", c.host, r.status, r.header.Get("Location"), c.status, c.location)
		}
	}
}
