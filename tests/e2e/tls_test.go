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
	"testing"
	"time"
)

// certPEM makes a self-signed certificate for 127.0.0.1.
func certPEM(t *testing.T) (cert, key string, pool *x509.CertPool) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "hetao e2e"},
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
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})), pool
}

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
	cert, key, pool := certPEM(t)
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
