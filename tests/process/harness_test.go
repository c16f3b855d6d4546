// Package process builds real site binaries with hetaoc and checks the
// master/worker process model: crash restart, graceful stop, log reopening,
// reload onto a rebuilt binary, and the site binary's commands.
package process

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

func TestMain(m *testing.M) { os.Exit(sitetest.Main(m)) }

var (
	freePort   = sitetest.FreePort
	writeFiles = sitetest.WriteFiles
	build      = sitetest.Build
	conf       = sitetest.Conf
)

// site is a site binary running in the foreground in its own process
// group, serving on port.
type site struct {
	*sitetest.Site
	port int
}

// start runs bin in dir, waits until it serves on port and has written its
// pid file.
func start(t testing.TB, dir, bin string, port int) *site {
	t.Helper()
	s := &site{Site: sitetest.Start(t, dir, bin, []int{port}), port: port}
	eventually(t, 5*time.Second, "the pid file", func() bool {
		_, err := os.Stat(filepath.Join(dir, "log/hetao.pid"))
		return err == nil
	})
	return s
}

func waitServing(t testing.TB, port int, exited chan struct{}) {
	t.Helper()
	sitetest.WaitServing(t, port, exited)
}

// eventually polls cond every 10 ms until it holds, failing after limit.
func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *site) masterPid(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Dir, "log/hetao.pid"))
	if err != nil {
		t.Fatalf("pid file: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// run runs a command of the site binary and returns its output.
func (s *site) run(t testing.TB, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(s.Bin, args...)
	cmd.Dir = s.Dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// workers lists the worker processes of master: its children that the
// master started as workers (HETAO_WORKER in their initial environment).
func workers(master int) []int {
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || ppid(pid) != master {
			continue
		}
		env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if bytes.Contains(env, []byte("HETAO_WORKER=")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// ppid is the parent of pid, or 0 when it is gone or a zombie.
func ppid(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 2 || f[0] == "Z" {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

func alive(pid int) bool { return ppid(pid) != 0 }

// get fetches a path and returns the body; any error or non-200 fails.
func get(c *http.Client, url string) (string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b), nil
}

// load runs clients against url until stopped: one with keep-alive
// connections, one opening a connection per request. It counts requests
// and failures and keeps the first few errors.
type load struct {
	ok, failed atomic.Int64
	stop       chan struct{}
	wg         sync.WaitGroup
	mu         sync.Mutex
	errs       []string
	bodies     map[string]int
}

func startLoad(t testing.TB, url string, clients int) *load {
	l := &load{stop: make(chan struct{}), bodies: map[string]int{}}
	for i := 0; i < clients; i++ {
		tr := &http.Transport{DisableCompression: true, DisableKeepAlives: i%2 == 1}
		c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer tr.CloseIdleConnections()
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				body, err := get(c, url)
				l.mu.Lock()
				if err != nil {
					l.failed.Add(1)
					if len(l.errs) < 5 {
						l.errs = append(l.errs, err.Error())
					}
				} else {
					l.ok.Add(1)
					l.bodies[body]++
				}
				l.mu.Unlock()
			}
		}()
	}
	t.Cleanup(l.end)
	return l
}

func (l *load) end() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// waitRequests waits until n more requests have succeeded.
func (l *load) waitRequests(t testing.TB, n int64) {
	t.Helper()
	want := l.ok.Load() + n
	eventually(t, 10*time.Second, fmt.Sprintf("%d requests", n), func() bool { return l.ok.Load() >= want })
}

func (l *load) report(t testing.TB) (ok, failed int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) > 0 {
		t.Logf("load errors: %q", l.errs)
	}
	return l.ok.Load(), l.failed.Load()
}

func clientNoKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}, Timeout: 10 * time.Second}
}
