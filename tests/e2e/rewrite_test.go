package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const rewriteConf = `// rewrite rules: literal, prefix, regexp with groups; the first match wins
{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"access_log" : "log/access.log",
			"rewrite" : { "pattern" : "^/old\\.html$", "new_uri" : "/new.html" },
			"rewrite" : { "pattern" : "^/first/", "new_uri" : "/first.html" },
			"rewrite" : { "pattern" : "^/first/(.+)$", "new_uri" : "/second.html" },
			"rewrite" : { "pattern" : "^/user/([0-9]+)$", "new_uri" : "/users/$1.html?id=$1" },
			"rewrite" : { "pattern" : "^/escape$", "new_uri" : "/../etc/passwd" },
			"rewrite" : { "pattern" : "^/doc$", "new_uri" : "/docs" },
			"rewrite" : { "pattern" : "/(.+)/(.+)", "new_uri" : "/(2)/(1)" }
		}
	}
}
`

func TestRewrite(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":          conf(rewriteConf, "PORT", port),
		"www/index.html":      "home",
		"www/new.html":        "new",
		"www/old.html":        "old, never served",
		"www/first.html":      "first rule",
		"www/second.html":     "second rule",
		"www/users/42.html":   "user 42",
		"www/yyy/xxx":         "swapped",
		"www/docs/index.html": "docs index",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/old.html", 200, "new"},                   // a literal rule
		{"/old.html?v=2", 200, "old, never served"}, // "^/old\.html$" sees the query too
		{"/first/x", 200, "first rule"},             // both first rules match: the first wins
		{"/user/42", 200, "user 42"},                // $1 twice, one in the query
		{"/xxx/yyy", 200, "swapped"},                // hetao's own example
		{"/xxx/./yyy", 200, "swapped"},              // rewrite sees the cleaned path
		{"/%78xx/yyy", 200, "swapped"},              // … decoded
		{"/escape", 400, ""},                        // a new URI that leaves the root
		{"/", 200, "home"},                          // no rule matches
		{"/index.html", 200, "home"},
	}
	for _, c := range cases {
		r := get(t, base+c.path)
		if r.status != c.status || (c.body != "" && r.body != c.body) {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, r.status, r.body, c.status, c.body)
		}
	}
	// A rewritten directory without its slash is redirected, and the
	// access log keeps the request line as received.
	if r := get(t, base+"/doc"); r.status != 301 {
		t.Errorf("GET /doc: %d, want the directory's 301", r.status)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "log/access.log"))
		if strings.Contains(string(b), `"GET /xxx/yyy HTTP/1.1" 200`) && strings.Contains(string(b), `"GET /old.html HTTP/1.1" 200`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("access.log lacks the original request lines:\n%s", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

const redirectConf = `// redirects: bare hosts keep path and query, targets with a path are verbatim
{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"redirect" : { "domain" : "bare.example", "new_domain" : "www.example.com" },
			"redirect" : { "domain" : "scheme.example", "new_domain" : "https://www.example.com", "code" : 302 },
			"redirect" : { "domain" : "path.example", "new_domain" : "https://www.example.com/landing.html", "code" : 307 }
		},
		"website" : {
			"domain" : "moved.example",
			"wwwroot" : "www",
			"redirect" : { "domain" : "", "new_domain" : "http://new.example/", "code" : 308 }
		}
	}
}
`

func TestRedirect(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(redirectConf, "PORT", port),
		"www/index.html": "home",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cases := []struct {
		host, path string
		status     int
		location   string
	}{
		{"bare.example", "/a/b.html?x=1&y=2", 301, "http://www.example.com/a/b.html?x=1&y=2"},
		{"BARE.example:80", "/", 301, "http://www.example.com/"},
		{"scheme.example", "/p?q", 302, "https://www.example.com/p?q"},
		{"path.example", "/anything?q=1", 307, "https://www.example.com/landing.html"},
		{"moved.example", "/x", 308, "http://new.example/"},
		{"other.example", "/", 200, ""},
	}
	for _, c := range cases {
		r := get(t, base+c.path, "Host", c.host)
		if r.status != c.status || r.header.Get("Location") != c.location {
			t.Errorf("GET %s Host %s: %d Location %q, want %d %q", c.path, c.host, r.status, r.header.Get("Location"), c.status, c.location)
		}
	}

	// The connection stays usable after a redirect: a second request on it
	// is answered.
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(conn)
	for i, req := range []struct{ host, path, want string }{
		{"bare.example", "/one", "http://www.example.com/one"},
		{"scheme.example", "/two", "https://www.example.com/two"},
		{"localhost", "/", ""},
	} {
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", req.path, req.host)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("request %d on one connection: %v", i+1, err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != req.want || resp.Close {
			t.Errorf("request %d: %d Location %q close %v, want %q and keep-alive", i+1, resp.StatusCode, loc, resp.Close, req.want)
		}
	}
}

const locationsConf = `// locations: the chosen one rewrites to a file naming it
{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"rewrite" : { "pattern" : "^/alias/", "new_uri" : "/a/b/alias.txt" },
			"location" : { "prefix" : "/a/", "rewrite" : { "pattern" : "^/", "new_uri" : "/prefix.txt" } },
			"location" : { "regex" : "\\.html$", "rewrite" : { "pattern" : "^/", "new_uri" : "/regex1.txt" } },
			"location" : { "exact" : "/a/x.html", "rewrite" : { "pattern" : "^/", "new_uri" : "/exact.txt" } },
			"location" : { "prefix" : "/a/b/", "rewrite" : { "pattern" : "^/", "new_uri" : "/longprefix.txt" } },
			"location" : { "regex" : "^/a/.*\\.(html|htm)$", "rewrite" : { "pattern" : "^/", "new_uri" : "/regex2.txt" } },
			"location" : { "regex" : "^/go/(.+)$", "redirect" : { "domain" : "", "new_domain" : "https://elsewhere.example/", "code" : 302 } },
			"location" : { "exact" : "/moved.txt", "redirect" : { "domain" : "localhost", "new_domain" : "https://moved.example/" } }
		}
	}
}
`

func TestLocations(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":         conf(locationsConf, "PORT", port),
		"www/index.html":     "home",
		"www/prefix.txt":     "prefix /a/",
		"www/longprefix.txt": "prefix /a/b/",
		"www/regex1.txt":     `regex \.html$`,
		"www/regex2.txt":     "regex ^/a/.*",
		"www/exact.txt":      "exact /a/x.html",
		"www/a/plain.txt":    "website's own",
		"www/moved.txt":      "not moved for this host",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cases := []struct {
		path, host string
		status     int
		body       string
		location   string
	}{
		{"/a/x.html", "", 200, "exact /a/x.html", ""}, // exact beats regexes and prefixes
		{"/a/y.html", "", 200, `regex \.html$`, ""},   // a regex beats the prefix; the first regex wins
		{"/a/y.htm", "", 200, "regex ^/a/.*", ""},     // the second regex, over the prefix
		{"/a/b/y.html", "", 200, `regex \.html$`, ""}, // a regex beats the longest prefix too
		{"/a/b/y.txt", "", 200, "prefix /a/b/", ""},   // the longest prefix
		{"/a/y.txt", "", 200, "prefix /a/", ""},       // the shorter prefix
		{"/a", "", 301, "", "/a/"},                    // "/a/" is not a prefix of "/a": the website's directory
		{"/alias/z", "", 200, "prefix /a/b/", ""},     // locations see the website's rewrite
		{"/x.html", "", 200, `regex \.html$`, ""},
		{"/", "", 200, "home", ""}, // no location: the website's own
		{"/go/far", "", 302, "", "https://elsewhere.example/"},
		{"/moved.txt", "localhost", 301, "", "https://moved.example/"}, // a target with a path is verbatim
		{"/moved.txt", "other.example", 200, "not moved for this host", ""},
	}
	for _, c := range cases {
		r := get(t, base+c.path, "Host", c.host)
		if r.status != c.status || (c.body != "" && r.body != c.body) || r.header.Get("Location") != c.location {
			t.Errorf("GET %s Host %q: %d %q Location %q, want %d %q %q", c.path, c.host, r.status, r.body, r.header.Get("Location"), c.status, c.body, c.location)
		}
	}
}

const locationRootsConf = `// locations with document roots of their own
{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"location" : { "prefix" : "/img/", "wwwroot" : "images" },
			"location" : { "exact" : "/", "index" : "/home.html" },
			"location" : { "regex" : "\\.txt$", "wwwroot" : "texts" }
		}
	}
}
`

// TestLocationRoots needs the runtime to open the locations' roots
// (server.Site.Roots); until then hetaoc refuses the configuration and the
// test is skipped.
func TestLocationRoots(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":            conf(locationRootsConf, "PORT", port),
		"www/index.html":        "www index",
		"www/home.html":         "www home",
		"www/sub/index.html":    "www sub",
		"www/img/a.txt":         "www img text",
		"images/img/logo.svg":   "<svg/>",
		"images/img/index.html": "images index",
		"texts/img/a.txt":       "texts img text",
		"texts/b.txt":           "texts b",
	})
	cmd := exec.Command(sitetest.Hetaoc, "build", "hetao.conf", "-o", filepath.Join(dir, "site"))
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "not supported by this hetaoc yet") {
			t.Skipf("hetaoc cannot build it yet: %s", out)
		}
		t.Fatalf("hetaoc build: %v\n%s", err, out)
	}
	start(t, dir, filepath.Join(dir, "site"), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for path, want := range map[string]string{
		"/":             "www home",       // exact "/" with its own index, the website's wwwroot
		"/sub/":         "www sub",        // the website's own index
		"/img/logo.svg": "<svg/>",         // prefix: wwwroot + the whole path, as nginx's root
		"/img/":         "images index",   // the location inherits the website's index
		"/img/a.txt":    "texts img text", // the regex beats the prefix
		"/b.txt":        "texts b",
	} {
		if r := get(t, base+path); r.status != 200 || r.body != want {
			t.Errorf("GET %s: %d %q, want %q", path, r.status, r.body, want)
		}
	}
}
