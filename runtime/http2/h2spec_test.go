package http2

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// h2specPath finds h2spec (go install github.com/summerwind/h2spec/cmd/h2spec@latest).
func h2specPath() string {
	if p, err := exec.LookPath("h2spec"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "h2spec")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// TestH2spec runs the conformance suite against the engine behind a plain
// TCP stand-in transport (h2c with prior knowledge): every test passes.
func TestH2spec(t *testing.T) {
	bin := h2specPath()
	if bin == "" {
		t.Skip("h2spec not installed (go install github.com/summerwind/h2spec/cmd/h2spec@latest)")
	}
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go serveTCP(ln, func() Handler { return &echoHandler{} })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	out, _ := exec.Command(bin, "-h", "127.0.0.1", "-p", port, "-o", "1").CombinedOutput()
	m := regexp.MustCompile(`(\d+) tests, (\d+) passed, (\d+) skipped, (\d+) failed`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("h2spec output not understood:\n%s", out)
	}
	if string(m[4]) != "0" {
		t.Errorf("h2spec: %s\n%s", m[0], out)
	}
	t.Logf("h2spec: %s\n%s", m[0], out)
}
