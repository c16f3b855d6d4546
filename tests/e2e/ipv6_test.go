package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const ipv6Conf = `{
	"worker_processes" : 2,
	"error_log" : "log/error.log",
	"log_level" : "INFO",
	"listen" : { "ip" : "::", "port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/access.log" },
		"website" : { "domain" : "[::1]:@PORT@", "wwwroot" : "v6", "index" : "/index.html", "access_log" : "log/access.log" } }
}
`

// TestIPv6: a "::" listen serves IPv6 and IPv4 clients, curl's and Go's,
// the access log shows each client's own address, a Host naming the IPv6
// literal finds its website, and a reload hands the IPv6 socket over.
func TestIPv6(t *testing.T) {
	t.Parallel()
	if l, err := net.Listen("tcp6", "[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	} else {
		l.Close()
	}
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(ipv6Conf, "PORT", port),
		"www/index.html": "by name or IPv4",
		"v6/index.html":  "by IPv6 literal",
	})
	bin := build(t, dir)
	start(t, dir, bin, port)
	v4, v6 := fmt.Sprintf("http://127.0.0.1:%d/", port), fmt.Sprintf("http://[::1]:%d/", port)
	if r := get(t, v4); r.body != "by name or IPv4" {
		t.Errorf("via 127.0.0.1: %d %q", r.status, r.body)
	}
	// Go's client sends Host: [::1]:PORT, which is the second website.
	if r := get(t, v6); r.body != "by IPv6 literal" {
		t.Errorf("via [::1]: %d %q", r.status, r.body)
	}
	if _, err := exec.LookPath("curl"); err == nil {
		for url, want := range map[string]string{v4: "by name or IPv4", v6: "by IPv6 literal"} {
			out, err := exec.Command("curl", "-sS", "-g", "--max-time", "5", url).CombinedOutput()
			if err != nil || string(out) != want {
				t.Errorf("curl %s: %v %q, want %q", url, err, out, want)
			}
		}
	}
	logFile := filepath.Join(dir, "log/access.log")
	waitLines := func(n int) []string {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			b, _ := os.ReadFile(logFile)
			if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) >= n && b != nil {
				return lines
			}
			if time.Now().After(deadline) {
				t.Fatalf("access log: %q, want %d lines", b, n)
			}
			time.Sleep(10 * time.Millisecond) // the workers write their logs as they go: polled
		}
	}
	lines := waitLines(2)
	for _, w := range []string{" - 127.0.0.1(", " - ::1("} {
		n := 0
		for _, l := range lines {
			if strings.Contains(l, w) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no access log line with %q:\n%s", w, strings.Join(lines, "\n"))
		}
	}
	if strings.Contains(strings.Join(lines, "\n"), "::ffff:") {
		t.Errorf("an IPv4 client logged IPv4-mapped:\n%s", strings.Join(lines, "\n"))
	}

	// A reload: the successor inherits the "::" socket and serves both.
	cmd := exec.Command(bin, "reload")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if r := get(t, v6); r.body != "by IPv6 literal" {
		t.Errorf("after reload via [::1]: %d %q", r.status, r.body)
	}
	if r := get(t, v4); r.body != "by name or IPv4" {
		t.Errorf("after reload via 127.0.0.1: %d %q", r.status, r.body)
	}
	errLog, _ := os.ReadFile(filepath.Join(dir, "log/error.log"))
	if !strings.Contains(string(errLog), fmt.Sprintf("listen [::]:%d: reusing 2 inherited socket(s)", port)) {
		t.Errorf("the successor did not reuse the IPv6 sockets:\n%s", errLog)
	}
}
