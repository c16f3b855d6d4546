// Package e2e builds real site binaries with hetaoc from configuration
// files, starts them and checks what they serve with real clients.
package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var hetaoc string // the hetaoc binary built once for the package

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hetaoc-e2e")
	if err != nil {
		panic(err)
	}
	hetaoc = filepath.Join(dir, "hetaoc")
	cmd := exec.Command("go", "build", "-o", hetaoc, "github.com/hetaoc/hetao/cmd/hetaoc")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building hetaoc:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort returns a TCP port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// siteDir writes files (path → content) into a new directory; a config in
// it is compiled relative to it.
func siteDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// build compiles dir/hetao.conf into dir/site.
func build(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "site")
	cmd := exec.Command(hetaoc, "build", "hetao.conf", "-o", bin)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hetaoc build: %v\n%s", err, out)
	}
	return bin
}

// site is a running site binary.
type site struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
}

// start runs bin in dir and waits until every port accepts connections.
func start(t testing.TB, dir, bin string, ports ...int) *site {
	t.Helper()
	s := &site{cmd: exec.Command(bin), stderr: new(bytes.Buffer)}
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = s.stderr, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { s.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		<-exited
	})
	for _, port := range ports {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-exited:
				t.Fatalf("site exited: %s", s.stderr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("site not listening on %s: %s", addr, s.stderr)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return s
}

type response struct {
	status int
	header http.Header
	body   string
}

var client = &http.Client{
	Transport:     &http.Transport{DisableCompression: true},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout:       10 * time.Second,
}

// get fetches url; hdr holds header name/value pairs, "Host" included.
func get(t testing.TB, url string, hdr ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

// conf fills @NAME@ placeholders.
func conf(text string, kv ...any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		text = strings.ReplaceAll(text, "@"+kv[i].(string)+"@", fmt.Sprint(kv[i+1]))
	}
	return text
}
