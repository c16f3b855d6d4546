// Package sitetest is the harness shared by the test packages that build
// real site binaries with hetaoc and run them: it builds hetaoc once per
// package, writes site directories, compiles their hetao.conf, starts the
// binary in its own process group and kills the whole group at cleanup.
package sitetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Hetaoc is the hetaoc binary Main built for the test package.
var Hetaoc string

// Main builds hetaoc into a temporary directory, runs the package's tests
// and removes it: func TestMain(m *testing.M) { os.Exit(sitetest.Main(m)) }.
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "hetaoc-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	Hetaoc = filepath.Join(dir, "hetaoc")
	cmd := exec.Command("go", "build", "-o", Hetaoc, "github.com/hetaoc/hetao/cmd/hetaoc")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building hetaoc:", err)
		return 1
	}
	return m.Run()
}

// FreePort returns a TCP port nobody listens on right now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// WriteFiles writes files (path → content) into dir.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Dir writes files into a new temporary directory and returns it.
func Dir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	WriteFiles(t, dir, files)
	return dir
}

// Build compiles dir/hetao.conf into dir/site. The binary is built beside
// and renamed over the old one, as an operator replaces a running binary.
func Build(t testing.TB, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "site")
	cmd := exec.Command(Hetaoc, "build", "hetao.conf", "-o", bin+".new")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hetaoc build: %v\n%s", err, out)
	}
	if err := os.Rename(bin+".new", bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Conf fills @NAME@ placeholders.
func Conf(text string, kv ...any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		text = strings.ReplaceAll(text, "@"+kv[i].(string)+"@", fmt.Sprint(kv[i+1]))
	}
	return text
}

// Site is a site binary running in the foreground in its own process group.
type Site struct {
	Dir, Bin string
	Cmd      *exec.Cmd
	Out      *SyncBuffer
	Exited   chan struct{}
}

// SyncBuffer collects a process's output for several goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start runs bin (with args) in dir and waits until every port accepts
// connections. Cleanup kills the whole process group: master, workers and
// any successor; on failure it logs the output and the error log.
func Start(t testing.TB, dir, bin string, ports []int, args ...string) *Site {
	t.Helper()
	s := &Site{Dir: dir, Bin: bin, Cmd: exec.Command(bin, args...), Out: new(SyncBuffer), Exited: make(chan struct{})}
	s.Cmd.Dir = dir
	s.Cmd.Stdout, s.Cmd.Stderr = s.Out, s.Out
	s.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.Cmd.Wait(); close(s.Exited) }()
	pgid := s.Cmd.Process.Pid
	t.Cleanup(func() {
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.Exited
		if t.Failed() {
			t.Logf("site output:\n%s", s.Out)
			if b, err := os.ReadFile(filepath.Join(dir, "log/error.log")); err == nil {
				t.Logf("error log:\n%s", b)
			}
		}
	})
	for _, port := range ports {
		WaitServing(t, port, s.Exited)
	}
	return s
}

// WaitServing polls until port accepts a connection; it fails when exited
// closes first or after 15 seconds.
func WaitServing(t testing.TB, port int, exited chan struct{}) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-exited:
			t.Fatalf("the site exited before serving on %s", addr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing serves on %s", addr)
		}
		time.Sleep(10 * time.Millisecond) // polling a port: no signal to wait on
	}
}
