package process

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const resumeConf = `{
	"worker_processes" : 2,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"ssl" : { "certificate_file" : "certs/site.pem", "certificate_key_file" : "certs/site.key" },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html" } }
}
`

// getResumed makes one HTTPS request on a new TCP connection, with the
// sessions of cfg's cache, and reports whether the session was resumed.
// The body is read to its end so that a TLS 1.3 ticket, sent after the
// handshake, reaches the cache.
func getResumed(t *testing.T, addr string, cfg *tls.Config) bool {
	t.Helper()
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if err != nil || !strings.HasSuffix(string(b), "resumed or not") {
		t.Fatalf("GET over TLS: %v\n%s", err, b)
	}
	return c.ConnectionState().DidResume
}

// TestSessionResumptionAcrossWorkers: with two workers, a session made on
// one resumes on whichever worker the kernel gives the next connection to
// (20 in a row, each on a new connection: all resumed), over TLS 1.2 and
// 1.3, through Go's client and openssl s_client; and after a reload
// (USR2), on the successor's workers.
func TestSessionResumptionAcrossWorkers(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := t.TempDir()
	cert, key, _ := sitetest.CertPEM(t, "hetao resume")
	writeFiles(t, dir, map[string]string{
		"hetao.conf":     conf(resumeConf, "PORT", port),
		"certs/site.pem": cert, "certs/site.key": key,
		"www/index.html": "resumed or not",
	})
	s := start(t, dir, build(t, dir), port)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	eventually(t, 5*time.Second, "two workers", func() bool { return len(workers(s.masterPid(t))) == 2 })

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(cert))
	caches := map[uint16]tls.ClientSessionCache{}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: v, MaxVersion: v,
			ClientSessionCache: tls.NewLRUClientSessionCache(8)}
		caches[v] = cfg.ClientSessionCache
		if getResumed(t, addr, cfg) {
			t.Fatalf("TLS %x: the first connection resumed", v)
		}
		for i := 0; i < 20; i++ {
			if !getResumed(t, addr, cfg) {
				t.Fatalf("TLS %x: connection %d after the first not resumed", v, i+1)
			}
		}
	}

	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed: s_client part skipped")
	} else {
		sess := filepath.Join(dir, "sess.pem")
		sClient := func(args ...string) string {
			cmd := exec.Command("openssl", append([]string{"s_client", "-connect", addr, "-ign_eof", "-sess_out", sess}, args...)...)
			cmd.Stdin = strings.NewReader("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("openssl s_client: %v\n%s", err, out)
			}
			return string(out)
		}
		if out := sClient(); !strings.Contains(out, "\nNew, ") {
			t.Fatalf("openssl: first session not new:\n%s", out)
		}
		for i := 0; i < 20; i++ {
			if out := sClient("-sess_in", sess); !strings.Contains(out, "\nReused, ") {
				t.Fatalf("openssl: connection %d not Reused:\n%s", i+1, out)
			}
		}
	}

	// A reload hands the keys to the successor: the sessions made before
	// it resume on the new workers.
	old := s.masterPid(t)
	if out, err := s.run(t, "reload"); err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if pid := s.masterPid(t); pid == old || alive(old) {
		t.Fatalf("reload: master %d, old %d alive %v", pid, old, alive(old))
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		cfg := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: v, MaxVersion: v, ClientSessionCache: caches[v]}
		for i := 0; i < 4; i++ {
			if !getResumed(t, addr, cfg) {
				t.Fatalf("TLS %x: not resumed after the reload (connection %d)", v, i+1)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "log/error.log")); strings.Contains(string(b), "session-ticket") {
		t.Errorf("error log mentions session-ticket keys:\n%s", b)
	}
}
