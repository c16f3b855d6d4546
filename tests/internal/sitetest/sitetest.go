// Package sitetest is the harness shared by the test packages that build
// real site binaries with hetaoc and run them: it builds hetaoc once per
// package, writes site directories, compiles their hetao.conf, starts the
// binary in its own process group and kills the whole group at cleanup.
package sitetest

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Hetaoc is the hetaoc binary Main built for the test package.
var Hetaoc string

// Main builds hetaoc into a temporary directory, runs the package's tests
// and removes it: func TestMain(m *testing.M) { os.Exit(sitetest.Main(m)) }.
//
// Unless -parallel is given, it lets 4×GOMAXPROCS (at least 8) parallel
// tests run at once instead of GOMAXPROCS: these tests spend their time
// waiting for the processes they start, not computing, and the CPU-bound
// part, building sites, is bounded apart (Build).
func Main(m *testing.M) int {
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0))))
	}
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

// FreePort returns a port for a site to listen on, and holds it until the
// test ends. Between picking a port and the site binding it lie a build
// and a start (seconds on a loaded machine), in which another test
// process could take a port that was merely free: so the port is kept
// bound (not listening) by a socket with SO_REUSEADDR and SO_REUSEPORT.
// The site binds its own SO_REUSEPORT sockets beside it (same user), and
// its address-in-use probe passes it (not listening); the kernel gives
// the port to no one else: neither as an ephemeral port nor to a bind
// without SO_REUSEPORT. For a program that does not set SO_REUSEPORT
// (nginx, pebble, a Go listener), use UnheldPort.
func FreePort(t testing.TB) int {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(os.NewSyscallError("socket", err))
	}
	for _, opt := range []int{unix.SO_REUSEADDR, unix.SO_REUSEPORT} {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, opt, 1); err != nil {
			unix.Close(fd)
			t.Fatal(os.NewSyscallError("setsockopt", err))
		}
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		unix.Close(fd)
		t.Fatal(os.NewSyscallError("bind", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		t.Fatal(os.NewSyscallError("getsockname", err))
	}
	t.Cleanup(func() { unix.Close(fd) })
	return sa.(*unix.SockaddrInet4).Port
}

// UnheldPort returns a TCP port nobody listens on right now, for a
// program that binds without SO_REUSEPORT. Another process may take it
// before that program binds it: prefer FreePort for sites.
func UnheldPort(t testing.TB) int {
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
// At most GOMAXPROCS builds run at once: go build is CPU-bound (the
// linker above all), and more would only slow the tests already serving.
func Build(t testing.TB, dir string) string {
	t.Helper()
	builds <- struct{}{}
	defer func() { <-builds }()
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

var builds = make(chan struct{}, runtime.GOMAXPROCS(0))

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
	return StartEnv(t, dir, bin, nil, ports, args...)
}

// StartEnv is Start with env ("NAME=value") added to the environment.
func StartEnv(t testing.TB, dir, bin string, env []string, ports []int, args ...string) *Site {
	t.Helper()
	s := &Site{Dir: dir, Bin: bin, Cmd: exec.Command(bin, args...), Out: new(SyncBuffer), Exited: make(chan struct{})}
	s.Cmd.Dir = dir
	if env != nil {
		s.Cmd.Env = append(os.Environ(), env...)
	}
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
