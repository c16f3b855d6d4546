package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const http2Conf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"listen" : { "ip" : "127.0.0.1", "port" : @H2C@, "h2c" : 1,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/h2c.log",
			"forward" : { "forward_type" : "api", "forward_rule" : "R", "forward_server" : { "ip" : "127.0.0.1", "port" : @BACKEND@ } } } },
	"listen" : { "ip" : "127.0.0.1", "port" : @HTTPS@,
		"ssl" : { "certificate_file" : "certs/server.pem", "certificate_key_file" : "certs/server.key" },
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/tls.log",
			"forward" : { "forward_type" : "api", "forward_rule" : "R", "forward_server" : { "ip" : "127.0.0.1", "port" : @BACKEND@ } } } }
}
`

// TestHTTP2SiteWithCurl: a built site speaks HTTP/2 to curl over TLS
// (ALPN) and with prior knowledge on its h2c listen, HTTP/1.1 still on the
// latter; a forwarded request and its body go to the HTTP/1.1 backend and
// back over HTTP/2, logged as HTTP/2.0.
func TestHTTP2SiteWithCurl(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	if out, _ := exec.Command(curl, "-V").Output(); !bytes.Contains(out, []byte("HTTP2")) {
		t.Skip("curl without HTTP/2")
	}
	be := newBackend(t, "api", func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "api %s %s %d", r.Method, r.URL.RequestURI(), n)
	})
	_, bport, _ := strings.Cut(be.Listener.Addr().String(), ":")
	cert, key, _ := sitetest.CertPEM(t, "hetao e2e")
	h2c, secure := freePort(t), freePort(t)
	page := strings.Repeat("<p>a page worth compressing</p>\n", 100)
	dir := siteDir(t, map[string]string{
		"hetao.conf":       conf(http2Conf, "H2C", h2c, "HTTPS", secure, "BACKEND", bport),
		"certs/server.pem": cert,
		"certs/server.key": key,
		"www/index.html":   page,
		"www/big.bin":      strings.Repeat("x", 3<<20),
	})
	s := start(t, dir, build(t, dir), h2c, secure)
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "-k", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_version} %{http_code} %{size_download}"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %v: %v %s", args, err, out)
		}
		return string(out)
	}
	tls := fmt.Sprintf("https://127.0.0.1:%d", secure)
	plain := fmt.Sprintf("http://127.0.0.1:%d", h2c)
	if got, want := run("--http2", tls+"/"), fmt.Sprintf("2 200 %d", len(page)); got != want {
		t.Errorf("TLS: %q, want %q", got, want)
	}
	if got := run("--http2", "--compressed", tls+"/"); !regexp.MustCompile(`^2 200 [1-9][0-9]{1,3}$`).MatchString(got) {
		t.Errorf("TLS gzip: %q", got)
	}
	if got := run("--http2", tls+"/big.bin"); got != fmt.Sprintf("2 200 %d", 3<<20) {
		t.Errorf("TLS large file: %q", got)
	}
	// The loop seals TLS 1.3 records itself (runtime/server/tlsseal_linux.go):
	// each suite's keys open at curl, and TLS 1.2 stays with crypto/tls.
	for _, suite := range []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"} {
		if got := run("--http2", "--tlsv1.3", "--tls13-ciphers", suite, tls+"/big.bin"); got != fmt.Sprintf("2 200 %d", 3<<20) {
			t.Errorf("TLS 1.3 %s large file: %q", suite, got)
		}
	}
	if got := run("--http2", "--tls-max", "1.2", tls+"/big.bin"); got != fmt.Sprintf("2 200 %d", 3<<20) {
		t.Errorf("TLS 1.2 large file: %q", got)
	}
	if got := run("--http2-prior-knowledge", plain+"/big.bin"); got != fmt.Sprintf("2 200 %d", 3<<20) {
		t.Errorf("h2c large file: %q", got)
	}
	if got := run("--http1.1", plain+"/"); got != fmt.Sprintf("1.1 200 %d", len(page)) {
		t.Errorf("HTTP/1.1 on the h2c listen: %q", got)
	}
	if got, want := run("--http2", tls+"/x.api"), fmt.Sprintf("2 200 %d", len("api GET /x.api 0")); got != want {
		t.Errorf("forward over HTTP/2: %q, want %q", got, want)
	}
	if got, want := run("--http2-prior-knowledge", plain+"/x.api"), fmt.Sprintf("2 200 %d", len("api GET /x.api 0")); got != want {
		t.Errorf("forward over h2c: %q, want %q", got, want)
	}
	upload := filepath.Join(dir, "www/big.bin")
	if got, want := run("--http2", "--data-binary", "@"+upload, tls+"/up.api"), fmt.Sprintf("2 200 %d", len(fmt.Sprint("api POST /up.api ", 3<<20))); got != want {
		t.Errorf("forward a 3 MiB POST over HTTP/2: %q, want %q", got, want)
	}
	resp, err := http.Get(plain + "/")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("net/http on the h2c listen: %v %v", resp, err)
	}
	resp.Body.Close()
	syscall.Kill(s.Cmd.Process.Pid, syscall.SIGTERM) // the access log is complete once it exits
	<-s.Exited
	log, err := os.ReadFile(filepath.Join(dir, "log/tls.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"GET /x.api HTTP/2.0" 200 16 `, fmt.Sprintf(`"POST /up.api HTTP/2.0" 200 %d `, len(fmt.Sprint("api POST /up.api ", 3<<20)))} {
		if !strings.Contains(string(log), want) {
			t.Errorf("access log lacks %q:\n%s", want, log)
		}
	}
}
