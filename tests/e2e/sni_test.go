package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// namedPEM makes a self-signed certificate with common name cn for the DNS
// names given and 127.0.0.1, and its key, as PEM.
func namedPEM(t *testing.T, cn string, names ...string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     names,
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
}

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
		files["certs/"+n+".pem"], files["certs/"+n+".key"] = namedPEM(t, "cert "+n, names...)
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
