package e2e

import (
	"fmt"
	"testing"
)

const headersConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"headers" : { "Strict-Transport-Security" : "max-age=63072000", "X-Frame-Options" : "DENY" },
			"cache" : { "html" : "no-cache", "css js woff2" : "max-age=31536000, immutable", "image/svg+xml" : "max-age=86400", "*" : "max-age=60" },
			"redirect" : { "domain" : "old.example", "new_domain" : "new.example" },
			"location" : {
				"prefix" : "/api/",
				"headers" : { "Access-Control-Allow-Origin" : "*", "X-Frame-Options" : "" },
				"cache" : { "json" : "no-store" }
			}
		}
	}
}
`

// TestHeadersAndCache: the configured fields on files, error pages and
// redirects, Cache-Control exact per type, a location's fields merged over
// its website's.
func TestHeadersAndCache(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":        conf(headersConf, "PORT", port),
		"www/index.html":    "home",
		"www/app.css":       "a{}",
		"www/app.js":        "1",
		"www/f.woff2":       "w",
		"www/logo.svg":      "<svg/>",
		"www/data.bin":      "b",
		"www/api/x.json":    "{}",
		"www/api/page.html": "p",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cases := []struct {
		path, host         string
		status             int
		cache, frame, cors string
	}{
		{"/", "", 200, "no-cache", "DENY", ""},
		{"/index.html", "", 200, "no-cache", "DENY", ""},
		{"/app.css", "", 200, "max-age=31536000, immutable", "DENY", ""},
		{"/app.js", "", 200, "max-age=31536000, immutable", "DENY", ""},
		{"/f.woff2", "", 200, "max-age=31536000, immutable", "DENY", ""},
		{"/logo.svg", "", 200, "max-age=86400", "DENY", ""},
		{"/data.bin", "", 200, "max-age=60", "DENY", ""},
		{"/missing", "", 404, "", "DENY", ""},
		{"/", "old.example", 301, "", "DENY", ""},
		{"/api/x.json", "", 200, "no-store", "", "*"},
		{"/api/page.html", "", 200, "no-cache", "", "*"},
		{"/api/none", "", 404, "", "", "*"},
	}
	for _, c := range cases {
		var r response
		if c.host != "" {
			r = get(t, base+c.path, "Host", c.host)
		} else {
			r = get(t, base+c.path)
		}
		if r.status != c.status {
			t.Errorf("GET %s: %d, want %d", c.path, r.status, c.status)
		}
		if got := r.header.Values("Cache-Control"); c.cache == "" && len(got) != 0 || c.cache != "" && (len(got) != 1 || got[0] != c.cache) {
			t.Errorf("GET %s: Cache-Control %q, want %q", c.path, got, c.cache)
		}
		if got := r.header.Get("X-Frame-Options"); got != c.frame {
			t.Errorf("GET %s: X-Frame-Options %q, want %q", c.path, got, c.frame)
		}
		if got := r.header.Get("Access-Control-Allow-Origin"); got != c.cors {
			t.Errorf("GET %s: Access-Control-Allow-Origin %q, want %q", c.path, got, c.cors)
		}
		if got := r.header.Get("Strict-Transport-Security"); got != "max-age=63072000" {
			t.Errorf("GET %s: Strict-Transport-Security %q", c.path, got)
		}
	}
}
