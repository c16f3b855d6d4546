package e2e

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const httpsConf = `{
	"worker_processes" : 2,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTP@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } },
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTPS@,
		"ssl" : { "certificate_file" : "certs/server.pem", "certificate_key_file" : "certs/server.key" },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/tls.log" } }
}
`

func TestHTTPSBesideHTTP(t *testing.T) {
	t.Parallel()
	cert, key, pool := sitetest.CertPEM(t, "hetao e2e")
	plain, secure := freePort(t), freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":       conf(httpsConf, "HTTP", plain, "HTTPS", secure),
		"certs/server.pem": cert,
		"certs/server.key": key,
		"www/index.html":   "same site, both schemes",
	})
	start(t, dir, build(t, dir), plain, secure)
	if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/", plain)); r.body != "same site, both schemes" {
		t.Errorf("http: %d %q", r.status, r.body)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	for i := 0; i < 5; i++ {
		resp, err := client.Get(fmt.Sprintf("https://127.0.0.1:%d/", secure))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "same site, both schemes" || resp.TLS == nil {
			t.Fatalf("https: %d %q", resp.StatusCode, b)
		}
	}
}
