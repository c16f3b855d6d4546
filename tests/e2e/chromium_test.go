package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"html"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const chromiumConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTPS@,
		"ssl" : { "certificate_file" : "certs/server.pem", "certificate_key_file" : "certs/server.key" },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } },
	"http_options" : { "compress_on" : 1 }
}
`

// chromiumBin finds Debian's chromium (or Google's build under its names).
func chromiumBin() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestHTTP2Chromium: headless Chromium loads a page with 30 assets (10
// style sheets, 20 scripts) from a built site over TLS; the page's last
// script writes what the Resource Timing API saw into the DOM, which
// --dump-dom prints. Every entry, the page included, came over "h2", and
// every asset in a compressed variant (encoded size below the decoded).
// Chromium is not installed by .ci/run: Debian's package and its
// dependencies are some 350 MB installed (/usr/lib/chromium alone 348 MB),
// more than all the other tools together: the test runs where it is
// installed and skips elsewhere.
func TestHTTP2Chromium(t *testing.T) {
	bin := chromiumBin()
	if bin == "" {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	t.Parallel()
	cert, key, _ := sitetest.CertPEM(t, "hetao e2e")
	port := freePort(t)
	files := map[string]string{
		"hetao.conf":       conf(chromiumConf, "HTTPS", port),
		"certs/server.pem": cert,
		"certs/server.key": key,
	}
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><title>h2</title>\n")
	for i := range 10 {
		name := fmt.Sprintf("s%02d.css", i)
		files["www/"+name] = strings.Repeat(fmt.Sprintf(".c%d-x { color: #%06x; margin: 0 auto; }\n", i, i), 80)
		fmt.Fprintf(&page, "<link rel=stylesheet href=/%s>\n", name)
	}
	page.WriteString("</head><body>\n")
	for i := range 20 {
		name := fmt.Sprintf("j%02d.js", i)
		files["www/"+name] = strings.Repeat(fmt.Sprintf("window.v%d = (window.v%d || 0) + 1; // some text to compress\n", i, i), 60)
		fmt.Fprintf(&page, "<script src=/%s></script>\n", name)
	}
	// Sync scripts and the style sheets before them have all loaded when
	// this one runs.
	page.WriteString(`<pre id=r></pre><script>
var out = [];
for (const e of performance.getEntries()) {
	if (e.entryType != "navigation" && e.entryType != "resource") continue;
	out.push([new URL(e.name).pathname, e.nextHopProtocol, e.encodedBodySize, e.decodedBodySize].join(" "));
}
document.getElementById("r").textContent = "BEGIN\n" + out.join("\n") + "\nEND";
</script></body></html>
`)
	files["www/index.html"] = page.String()
	dir := siteDir(t, files)
	start(t, dir, build(t, dir), port)
	url := fmt.Sprintf("https://127.0.0.1:%d/", port)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--user-data-dir="+t.TempDir(), "--ignore-certificate-errors",
		"--dump-dom", url)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(?s)BEGIN\n(.*)\nEND`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no timing entries in the page chromium dumped:\n%s", out)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(html.UnescapeString(string(m[1])), "\n") {
		var path, proto string
		var enc, dec int
		if _, err := fmt.Sscan(line, &path, &proto, &enc, &dec); err != nil {
			t.Fatalf("entry %q: %v", line, err)
		}
		seen[path] = true
		if proto != "h2" {
			t.Errorf("%s came over %q, want h2", path, proto)
		}
		if path != "/" && !(enc > 0 && enc < dec) {
			t.Errorf("%s: %d bytes for %d decoded, want a compressed variant", path, enc, dec)
		}
	}
	for name := range files {
		if p, ok := strings.CutPrefix(name, "www"); ok && p != "/index.html" && !seen[p] {
			t.Errorf("no timing entry for %s", p)
		}
	}
	if !seen["/"] || len(seen) != 31 {
		t.Errorf("%d entries, want the page and its 30 assets", len(seen))
	}

	// Which codings: Chromium's Accept-Encoding gets the site's best
	// pre-built variant (zstd), one with gzip only the gzip variant.
	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	for _, c := range [][2]string{{"gzip, deflate, br, zstd", "zstd"}, {"gzip", "gzip"}} {
		req, _ := http.NewRequest("GET", url+"j00.js", nil)
		req.Header.Set("Accept-Encoding", c[0])
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.ProtoMajor != 2 || resp.Header.Get("Content-Encoding") != c[1] {
			t.Errorf("j00.js with Accept-Encoding %q: %s, Content-Encoding %q, want HTTP/2 and %s",
				c[0], resp.Proto, resp.Header.Get("Content-Encoding"), c[1])
		}
	}
}
