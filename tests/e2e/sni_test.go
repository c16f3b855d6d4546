package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const sniConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"ssl" : { "certificate_file" : "certs/default.pem", "certificate_key_file" : "certs/default.key" },
		"website" : { "domain" : "a.example", "wwwroot" : "a", "index" : "/index.html",
			"ssl" : { "certificate_file" : "certs/a.pem", "certificate_key_file" : "certs/a.key" } },
		"website" : { "domain" : "b.example", "wwwroot" : "b", "index" : "/index.html",
			"ssl" : { "certificate_file" : "certs/b.pem", "certificate_key_file" : "certs/b.key" } },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } }
}
`

// TestSNI: two websites with their own certificates on one TLS listen;
// each name gets its certificate and its pages, an unknown or absent name
// the listen's certificate.
func TestSNI(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	files := map[string]string{
		"hetao.conf":   conf(sniConf, "PORT", port),
		"a/index.html": "site a", "b/index.html": "site b", "www/index.html": "default site",
	}
	for _, n := range []string{"default", "a", "b"} {
		names := []string{n + ".example"}
		files["certs/"+n+".pem"], files["certs/"+n+".key"], _ = sitetest.CertPEM(t, "cert "+n, names...)
	}
	dir := siteDir(t, files)
	start(t, dir, build(t, dir), port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for _, tc := range []struct{ name, cert, body string }{
		{"a.example", "cert a", "site a"},
		{"b.example", "cert b", "site b"},
		{"unknown.example", "cert default", "default site"},
	} {
		tr := &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true, ServerName: tc.name},
		}
		req, _ := http.NewRequest("GET", "https://"+addr+"/", nil)
		req.Host = tc.name
		resp, err := (&http.Client{Transport: tr, Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		tr.CloseIdleConnections()
		if cn := resp.TLS.PeerCertificates[0].Subject.CommonName; cn != tc.cert || string(b) != tc.body {
			t.Errorf("SNI %s: certificate %q and %q, want %q and %q", tc.name, cn, b, tc.cert, tc.body)
		}
	}
	// The same through openssl s_client -servername, as an operator checks.
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: s_client part skipped")
	}
	for _, tc := range []struct {
		args []string
		cert string
	}{
		{[]string{"-servername", "a.example"}, "cert a"},
		{[]string{"-servername", "b.example"}, "cert b"},
		{[]string{"-servername", "c.example"}, "cert default"},
		{[]string{"-noservername"}, "cert default"},
	} {
		cmd := exec.Command("openssl", append([]string{"s_client", "-connect", addr}, tc.args...)...)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("openssl s_client %v: %v\n%s", tc.args, err, out)
		}
		if !strings.Contains(string(out), "subject=CN="+tc.cert+"\n") && !strings.Contains(string(out), "subject=CN = "+tc.cert+"\n") {
			t.Errorf("openssl s_client %v: want subject CN %q in\n%s", tc.args, tc.cert, out)
		}
	}
}
