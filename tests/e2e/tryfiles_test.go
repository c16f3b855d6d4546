package e2e

import (
	"fmt"
	"testing"
)

const tryFilesConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"try_files" : "$uri $uri.html $uri/ /index.html",
			"location" : { "prefix" : "/api/", "try_files" : "$uri =404" },
			"location" : { "prefix" : "/gone/", "try_files" : "$uri =410" }
		}
	}
}
`

// TestTryFiles: an SPA deep link gets index.html with 200, clean URLs find
// their .html file and a directory its index, and a location's own
// try_files ends in a status.
func TestTryFiles(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":          conf(tryFilesConf, "PORT", port),
		"www/index.html":      "spa shell",
		"www/about.html":      "about page",
		"www/docs/index.html": "docs index",
		"www/app.js":          "js",
		"www/api/data.json":   "{}",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cases := []struct {
		path   string
		status int
		body   string
	}{
		{"/settings/profile/42", 200, "spa shell"}, // a deep link of the app
		{"/app.js", 200, "js"},                     // $uri
		{"/about", 200, "about page"},              // $uri.html
		{"/docs", 200, "docs index"},               // $uri/
		{"/docs/", 200, "docs index"},
		{"/", 200, "spa shell"},
		{"/api/data.json", 200, "{}"},
		{"/api/missing", 404, ""}, // the location's own =404
		{"/gone/x", 410, ""},
	}
	for _, c := range cases {
		r := get(t, base+c.path)
		if r.status != c.status || c.body != "" && r.body != c.body {
			t.Errorf("GET %s: %d %q, want %d %q", c.path, r.status, r.body, c.status, c.body)
		}
	}
	// POST is still refused, as for any file.
	resp, err := client.Post(base+"/settings", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
}
