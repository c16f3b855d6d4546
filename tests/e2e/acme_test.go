package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// findTool looks for a tool in PATH, then in $GOPATH/bin (where `go
// install` puts Pebble).
func findTool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// pebbleCA writes a CA and a certificate for 127.0.0.1 signed by it, for
// Pebble's own HTTPS; it returns the CA's PEM file and the pair's files.
func pebbleCA(t *testing.T, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA for Pebble's API"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "pebble"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	caFile, certFile, keyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "pebble.pem"), filepath.Join(dir, "pebble.key")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644)
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return caFile, certFile, keyFile
}

// startProcess runs a tool in its own process group, killed at cleanup.
func startProcess(t *testing.T, env []string, name string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return cmd
}

// waitPort polls until something accepts on 127.0.0.1:port.
func waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on port %d", port)
		}
		time.Sleep(10 * time.Millisecond) // polling a port: no signal to wait on
	}
}

// startPebble starts pebble-challtestsrv (every name resolves to
// 127.0.0.1) and Pebble on port api, validating TLS-ALPN-01 on tlsPort and
// HTTP-01 on httpPort, issuing certificates valid for 9 s.
func startPebble(t *testing.T, pebble, challsrv, work, cert, key string, api, tlsPort, httpPort int) {
	t.Helper()
	dns := unheldPort(t)
	cfg, _ := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress": fmt.Sprintf("127.0.0.1:%d", api), "managementListenAddress": fmt.Sprintf("127.0.0.1:%d", unheldPort(t)),
		"certificate": cert, "privateKey": key, "httpPort": httpPort, "tlsPort": tlsPort,
		"profiles": map[string]any{"default": map[string]any{"description": "short-lived", "validityPeriod": 9}},
	}})
	cfgFile := filepath.Join(work, "pebble.json")
	os.WriteFile(cfgFile, cfg, 0o644)
	startProcess(t, nil, challsrv, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dns), "-defaultIPv6", "",
		"-management", fmt.Sprintf("127.0.0.1:%d", unheldPort(t)), "-doh", "", "-http01", "", "-https01", "", "-tlsalpn01", "")
	startProcess(t, []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0"}, pebble,
		"-config", cfgFile, "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dns))
	waitPort(t, api)
}

const acmeConf = `{
	"worker_processes" : 2,
	"error_log" : "log/error.log",
	"log_level" : "INFO",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"ssl" : { "acme" : { "email" : "admin@a.example", "directory" : "https://127.0.0.1:@PEBBLE@/dir",
			"storage" : "acme", "ca_file" : "@CA@" } },
		"website" : { "domain" : "a.example", "wwwroot" : "www" },
		"website" : { "domain" : "b.example", "wwwroot" : "www" },
		"website" : { "domain" : "", "wwwroot" : "www" } }
}
`

// TestACMEWithPebble: a site with no certificate for its two domains,
// started while its CA (Pebble) is down, serves self-signed stand-ins and
// retries; once Pebble is up it obtains a certificate for each through a
// real TLS-ALPN-01 validation of the listen, serves them without a
// restart, and renews them when Pebble's short-lived certificates are due.
func TestACMEWithPebble(t *testing.T) {
	t.Parallel()
	pebble, challsrv := findTool("pebble"), findTool("pebble-challtestsrv")
	if pebble == "" || challsrv == "" {
		t.Skip("pebble or pebble-challtestsrv not installed (go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3 and .../cmd/pebble-challtestsrv@v2.10.3)")
	}
	port, api := freePort(t), unheldPort(t)
	work := t.TempDir()
	caFile, pebCert, pebKey := pebbleCA(t, work)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(acmeConf, "PORT", port, "PEBBLE", api, "CA", caFile),
		"www/index.html": "acme site",
	})
	start(t, dir, build(t, dir), port)

	// Pebble is down: stand-ins are served, and the failure is logged.
	standIn := func(name string) *x509.Certificate {
		t.Helper()
		c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{InsecureSkipVerify: true, ServerName: name})
		if err != nil {
			t.Fatalf("TLS to %s: %v", name, err)
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0]
	}
	for _, d := range []string{"a.example", "b.example"} {
		if c := standIn(d); !certfiles.IsStandIn(c) || c.VerifyHostname(d) != nil {
			t.Fatalf("%s before the CA answers: %v %v, want a stand-in", d, c.Subject, c.DNSNames)
		}
	}
	errLog := filepath.Join(dir, "log/error.log")
	waitLog := func(what string, limit time.Duration) string {
		t.Helper()
		deadline := time.Now().Add(limit)
		for {
			b, _ := os.ReadFile(errLog)
			if strings.Contains(string(b), what) {
				return string(b)
			}
			if time.Now().After(deadline) {
				t.Fatalf("error log lacks %q after %v:\n%s", what, limit, b)
			}
			time.Sleep(20 * time.Millisecond) // the master logs as it goes: polled
		}
	}
	waitLog("ACME a.example: no certificate yet; serving a self-signed stand-in", 5*time.Second)
	waitLog("connection refused; retrying in", 5*time.Second)

	// Pebble up, with short-lived certificates (9 s) and names resolving
	// to 127.0.0.1; it validates TLS-ALPN-01 on the site's port.
	startPebble(t, pebble, challsrv, work, pebCert, pebKey, api, port, unheldPort(t))
	issued := func(name string) *x509.Certificate {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			c := standIn(name)
			if !certfiles.IsStandIn(c) {
				if err := c.VerifyHostname(name); err != nil || !strings.Contains(c.Issuer.CommonName, "Pebble") {
					t.Fatalf("%s: certificate from %q for %v: %v", name, c.Issuer.CommonName, c.DNSNames, err)
				}
				return c
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(errLog)
				t.Fatalf("%s: still the stand-in after 30 s\n%s", name, b)
			}
			time.Sleep(50 * time.Millisecond) // the master obtains in the background: polled
		}
	}
	a := issued("a.example")
	issued("b.example")
	log := waitLog("ACME b.example: certificate obtained", time.Second)
	if !strings.Contains(log, "ACME a.example: certificate obtained") {
		t.Errorf("error log:\n%s", log)
	}
	for _, f := range []string{"acme/a.example.key", "acme/a.example.crt", "acme/account.key"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", f, err, st.Mode().Perm())
		}
	}

	// Renewal: a third of the 9 s left, a new certificate is served.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := standIn("a.example")
		if c.SerialNumber.Cmp(a.SerialNumber) != 0 && !certfiles.IsStandIn(c) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a.example not renewed by %v (expires %v)", time.Now(), a.NotAfter)
		}
		time.Sleep(100 * time.Millisecond) // renewal is due at a time: polled
	}
}

const acmeHTTP01Conf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : "INFO",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"ssl" : { "acme" : { "directory" : "https://127.0.0.1:@PEBBLE@/dir", "storage" : "acme", "ca_file" : "@CA@" } },
		"website" : { "domain" : "h.example", "wwwroot" : "www" } },
	"listen" : { "ip" : "127.0.0.1", "port" : 80,
		"website" : { "domain" : "", "wwwroot" : "www", "redirect" : { "new_domain" : "https://h.example" } } }
}
`

// TestACMEHTTP01WithPebble: with a plain listen on port 80, a CA that
// cannot reach the TLS listen (TLS-ALPN-01 fails) validates HTTP-01 on
// port 80 at the next attempt, answered before the website's redirect of
// every request.
func TestACMEHTTP01WithPebble(t *testing.T) {
	t.Parallel()
	pebble, challsrv := findTool("pebble"), findTool("pebble-challtestsrv")
	if pebble == "" || challsrv == "" {
		t.Skip("pebble or pebble-challtestsrv not installed (go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3 and .../cmd/pebble-challtestsrv@v2.10.3)")
	}
	if l, err := net.Listen("tcp", "127.0.0.1:80"); err != nil {
		t.Skipf("port 80 not available here (%v): HTTP-01 needs it", err)
	} else {
		l.Close()
	}
	port, api := freePort(t), unheldPort(t)
	work := t.TempDir()
	caFile, pebCert, pebKey := pebbleCA(t, work)
	startPebble(t, pebble, challsrv, work, pebCert, pebKey, api, unheldPort(t), 80) // TLS-ALPN-01 to a dead port
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(acmeHTTP01Conf, "PORT", port, "PEBBLE", api, "CA", caFile),
		"www/index.html": "acme site",
	})
	start(t, dir, build(t, dir), port, 80)
	if r := get(t, "http://127.0.0.1:80/x"); r.status != 301 {
		t.Errorf("port 80 without a challenge: %d, want the redirect", r.status)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := tls.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port), &tls.Config{InsecureSkipVerify: true, ServerName: "h.example"})
		if err != nil {
			t.Fatal(err)
		}
		leaf := c.ConnectionState().PeerCertificates[0]
		c.Close()
		if !certfiles.IsStandIn(leaf) && strings.Contains(leaf.Issuer.CommonName, "Pebble") {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "log/error.log"))
			t.Fatalf("no certificate after 30 s:\n%s", b)
		}
		time.Sleep(50 * time.Millisecond) // the master obtains in the background: polled
	}
	b, _ := os.ReadFile(filepath.Join(dir, "log/error.log"))
	if !strings.Contains(string(b), "tls-alpn-01 challenge failed") {
		t.Errorf("TLS-ALPN-01 was expected to fail first:\n%s", b)
	}
}
