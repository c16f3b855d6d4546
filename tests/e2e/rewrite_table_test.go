package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

// TestRewriteTableFirstMatch builds a website with enough rewrite rules
// to be compiled into a table (exact literals by hash, the others in a
// list) and proves the first rule in config order wins across literal and
// regexp rules, as the switch of a few rules does: each request's answer
// is compared with the rules applied one by one with Go's regexp.
func TestRewriteTableFirstMatch(t *testing.T) {
	t.Parallel()
	rules := [][2]string{
		{`^/x/1$`, "/r0.html"},                // exact
		{`^/y/`, "/r1.html"},                  // prefix literal
		{`^/z/([0-9]+)$`, "/r2.html"},         // regexp before an exact rule for /z/7
		{`^/z/7$`, "/r3.html"},                // exact, shadowed by rule 2
		{`^/w/7$`, "/r4.html"},                // exact, before the regexp for /w/…
		{`^/w/([0-9]+)$`, "/r5-$1.html"},      // regexp with a group
		{`^/x/1$`, "/r6.html"},                // exact given twice: never
		{`\.php$`, "/r7.html"},                // suffix literal
		{`^/q/a\.php$`, "/r8.html"},           // exact, shadowed by the suffix rule
		{`old`, "/r9.html"},                   // contained literal
		{`^/g/([a-z]+)/([0-9]+)$`, "/$2/(1)"}, // groups swapped
		{`^/y/deep$`, "/r11.html"},            // exact, shadowed by the prefix rule
		{`^/v/1\?a=b$`, "/r12.html"},          // exact, with the query
		{`^/late/([0-9])$`, "/r13.html"},      // regexp after all the exact ones below
	}
	for i := 0; i < 8; i++ {
		rules = append(rules, [2]string{fmt.Sprintf(`^/pad/%d$`, i), fmt.Sprintf("/p%d.html", i)})
	}
	rules = append(rules, [2]string{`^/late/5$`, "/r-late-exact.html"}) // shadowed by rule 13

	var conf strings.Builder
	port := freePort(t)
	fmt.Fprintf(&conf, `{ "error_log" : "log/error.log", "listen" : { "ip" : "127.0.0.1", "port" : %d, "website" : {
	"domain" : "", "wwwroot" : "www"`, port)
	files := map[string]string{}
	for _, r := range rules {
		fmt.Fprintf(&conf, ",\n\t\"rewrite\" : { \"pattern\" : %q, \"new_uri\" : %q }", r[0], r[1])
	}
	conf.WriteString("\n} } }\n")
	files["hetao.conf"] = conf.String()
	urls := []string{"/x/1", "/x/1?a=b", "/y/", "/y/deep", "/z/7", "/z/8", "/w/7", "/w/9", "/q/a.php",
		"/b.php", "/the/old/one", "/g/ab/12", "/v/1?a=b", "/v/1", "/late/5", "/late/6", "/nothing", "/pad/3", "/pad/9"}
	// Every target the rules can give is a file naming itself.
	want := map[string]string{}
	for _, u := range urls {
		subject := u
		for _, r := range rules {
			re := regexp.MustCompile(r[0])
			m := re.FindStringSubmatchIndex(subject)
			if m == nil {
				continue
			}
			tmpl := regexp.MustCompile(`\((\d+)\)`).ReplaceAllString(r[1], "$${$1}")
			target := string(re.ExpandString(nil, tmpl, subject, m))
			path, _, _ := strings.Cut(target, "?")
			files["www"+path] = "served " + path
			want[u] = "served " + path
			break
		}
	}
	dir := siteDir(t, files)
	start(t, dir, build(t, dir), port)
	gen := t.TempDir()
	if out, err := exec.Command(sitetest.Hetaoc, "gen", "--main-only", filepath.Join(dir, "hetao.conf"), "-d", gen).CombinedOutput(); err != nil {
		t.Fatalf("hetaoc gen: %v\n%s", err, out)
	}
	if src, _ := os.ReadFile(filepath.Join(gen, "websites.go")); !strings.Contains(string(src), "server.RewriteTable") {
		t.Fatal("the rules were not compiled into a table")
	}
	for _, u := range urls {
		r := get(t, fmt.Sprintf("http://127.0.0.1:%d%s", port, u))
		switch w, ok := want[u]; {
		case ok && (r.status != 200 || r.body != w):
			t.Errorf("GET %s: %d %q, want %q", u, r.status, r.body, w)
		case !ok && r.status != 404:
			t.Errorf("GET %s: %d %q, want 404 (no rule matches)", u, r.status, r.body)
		}
	}
}
