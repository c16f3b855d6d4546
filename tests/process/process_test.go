package process

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

const siteConf = `{
	"worker_processes" : @WORKERS@,
	"cpu_affinity" : 1,
	"accept_mutex" : 1,
	"error_log" : "log/error.log",
	"log_level" : INFO,
	"user" : "",
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "@ROOT@",
			"index" : "/index.html",
			"access_log" : "log/access.log"
		}
	},
	"http_options" : { "timeout" : 10, "elapse" : 30 }
}
`

// newSite writes a site with two wwwroots (www1 "one", www2 "two"),
// serving root, builds and starts it.
func newSite(t *testing.T, workers int, root string, extra map[string]string) *site {
	t.Helper()
	port := freePort(t)
	dir := t.TempDir()
	files := map[string]string{
		"hetao.conf":      conf(siteConf, "WORKERS", workers, "PORT", port, "ROOT", root),
		"www1/index.html": "one",
		"www2/index.html": "two",
	}
	for k, v := range extra {
		files[k] = v
	}
	writeFiles(t, dir, files)
	return start(t, dir, build(t, dir), port)
}

func (s *site) url(path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", s.port, path) }

// rebuild changes the site's wwwroot and rebuilds its binary in place.
func (s *site) rebuild(t *testing.T, root string) {
	t.Helper()
	writeFiles(t, s.Dir, map[string]string{"hetao.conf": conf(siteConf, "WORKERS", 2, "PORT", s.port, "ROOT", root)})
	build(t, s.Dir)
}

func TestKillWorkerIsReplaced(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	master := s.masterPid(t)
	var before []int
	eventually(t, 5*time.Second, "two workers", func() bool { before = workers(master); return len(before) == 2 })
	l := startLoad(t, s.url("/"), 2)
	l.waitRequests(t, 200)
	time.Sleep(time.Until(startedAt(t, before[0]).Add(time.Second))) // a worker younger than 1 s is replaced after 1 s

	killed := time.Now()
	syscall.Kill(before[0], syscall.SIGKILL)
	var after []int
	eventually(t, 2*time.Second, "a replacement worker", func() bool {
		after = workers(master)
		return len(after) == 2 && after[0] != before[0] && after[1] != before[0]
	})
	took := time.Since(killed)
	l.waitRequests(t, 500)
	l.end()
	ok, failed := l.report(t)
	t.Logf("replacement worker after %v; %d requests, %d failed", took.Round(time.Millisecond), ok, failed)
	if took > time.Second {
		t.Errorf("replacement took %v, want under a second", took)
	}
	if !alive(before[1]) {
		t.Errorf("the other worker %d died", before[1])
	}
	// Only a request the killed worker had accepted can fail: at most one
	// per client.
	if failed > 2 {
		t.Errorf("%d requests failed around the kill, want at most 2", failed)
	}
}

// startedAt approximates when pid started from its /proc entry.
func startedAt(t *testing.T, pid int) time.Time {
	st, err := os.Stat(fmt.Sprintf("/proc/%d", pid))
	if err != nil {
		t.Fatal(err)
	}
	return st.ModTime()
}

func TestTermFinishesSlowDownload(t *testing.T) {
	t.Parallel()
	const size = 20 << 20
	big := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	s := newSite(t, 2, "www1", map[string]string{"www1/big.bin": string(big)})
	master := s.masterPid(t)
	// An idle keep-alive connection: answered once, then quiet. (One that
	// never sent a byte is not accepted before its request arrives, as
	// listeners defer accepting; the kernel resets it with the listener.)
	idle, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	fmt.Fprintf(idle, "HEAD /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(idle), &http.Request{Method: "HEAD"}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("HEAD on the idle connection: %v", err)
	}

	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.(*net.TCPConn).SetReadBuffer(64 << 10)
	fmt.Fprintf(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReaderSize(c, 64<<10)
	var length int
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(strings.ToLower(line), "content-length:") {
			fmt.Sscan(strings.TrimSpace(line[15:]), &length)
		}
		if line == "\r\n" {
			break
		}
	}
	if length != size {
		t.Fatalf("Content-Length %d, want %d", length, size)
	}
	termAt := time.Now()
	syscall.Kill(master, syscall.SIGTERM)
	// New connections are refused once every process closed the sockets.
	eventually(t, 5*time.Second, "listeners closed", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", s.port), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	// The idle keep-alive connection is closed by the draining worker.
	idle.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := idle.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle connection: read %d, %v; want EOF", n, err)
	}
	// The client reads slowly: 128 KiB every 10 ms.
	got, buf := 0, make([]byte, 128<<10)
	sum := bytes.Buffer{}
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for got < size {
		n, err := io.ReadFull(r, buf[:min(len(buf), size-got)])
		sum.Write(buf[:n])
		got += n
		if err != nil {
			t.Fatalf("download cut after %d of %d bytes: %v", got, size, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !bytes.Equal(sum.Bytes(), big) {
		t.Fatal("download corrupted")
	}
	select {
	case <-s.Exited:
	case <-time.After(10 * time.Second):
		t.Fatal("master still running after the download finished")
	}
	if code := s.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("master exit status %d, want 0", code)
	}
	t.Logf("20 MB slow download finished %v after TERM; master exited 0", time.Since(termAt).Round(time.Millisecond))
}

func TestReopenLogs(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	c := clientNoKeepAlive()
	accessLog := filepath.Join(s.Dir, "log/access.log")
	for i := 0; i < 10; i++ {
		if _, err := get(c, s.url(fmt.Sprintf("/?before=%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, 5*time.Second, "access log lines", func() bool {
		b, _ := os.ReadFile(accessLog)
		return bytes.Count(b, []byte("?before=")) == 10
	})
	if err := os.Rename(accessLog, accessLog+".1"); err != nil {
		t.Fatal(err)
	}
	out, err := s.run(t, "reopen")
	if err != nil {
		t.Fatalf("site reopen: %v\n%s", err, out)
	}
	eventually(t, 5*time.Second, "a new access log", func() bool {
		_, err := os.Stat(accessLog)
		return err == nil
	})
	// Once every worker has reopened, each request lands in the new file.
	n := 0
	eventually(t, 5*time.Second, "new lines in the new access log", func() bool {
		for i := 0; i < 4; i++ {
			if _, err := get(c, s.url(fmt.Sprintf("/?after=%d", n))); err != nil {
				t.Fatal(err)
			}
			n++
		}
		b, _ := os.ReadFile(accessLog)
		return bytes.Contains(b, []byte(fmt.Sprintf("?after=%d ", n-1)))
	})
	// Nothing lost: every request is in one of the two files.
	eventually(t, 5*time.Second, "every line in one of the logs", func() bool {
		old, _ := os.ReadFile(accessLog + ".1")
		cur, _ := os.ReadFile(accessLog)
		all := append(old, cur...)
		return bytes.Count(all, []byte("?before=")) == 10 && bytes.Count(all, []byte("?after=")) == n
	})
	old, _ := os.ReadFile(accessLog + ".1")
	if !bytes.Contains(old, []byte("?before=9 ")) {
		t.Errorf("old lines not in the renamed file")
	}
}

func TestReloadServesRebuiltBinary(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	old := s.masterPid(t)
	oldWorkers := workers(old)
	l := startLoad(t, s.url("/"), 4)
	l.waitRequests(t, 200)

	s.rebuild(t, "www2")
	begin := time.Now()
	syscall.Kill(old, syscall.SIGUSR2)
	var pid int
	eventually(t, 15*time.Second, "a new master in the pid file", func() bool {
		pid = s.masterPid(t)
		return pid != old
	})
	serving := time.Since(begin)
	eventually(t, 10*time.Second, "the old master gone", func() bool { return !alive(old) })
	for _, w := range oldWorkers {
		if alive(w) {
			t.Errorf("old worker %d still running", w)
		}
	}
	if body, err := get(clientNoKeepAlive(), s.url("/")); err != nil || body != "two" {
		t.Errorf("after reload: %q, %v; want \"two\"", body, err)
	}
	l.waitRequests(t, 200)
	l.end()
	ok, failed := l.report(t)
	t.Logf("reload: new master %d serving after %v, old gone after %v; %d requests %v, %d failed",
		pid, serving.Round(time.Millisecond), time.Since(begin).Round(time.Millisecond), ok, l.bodies, failed)
	if failed != 0 {
		t.Errorf("%d requests failed during the reload", failed)
	}
	if n := len(workers(pid)); n != 2 {
		t.Errorf("new master has %d workers, want 2", n)
	}
}

func TestFiveReloadsUnderLoad(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	l := startLoad(t, s.url("/"), 4)
	l.waitRequests(t, 100)
	for i := 0; i < 5; i++ {
		old := s.masterPid(t)
		begin := time.Now()
		out, err := s.run(t, "reload")
		if err != nil {
			t.Fatalf("reload %d: %v\n%s", i+1, err, out)
		}
		if alive(old) {
			t.Fatalf("reload %d: old master %d still running", i+1, old)
		}
		t.Logf("reload %d: %s in %v", i+1, strings.TrimSpace(out), time.Since(begin).Round(time.Millisecond))
		l.waitRequests(t, 100)
	}
	l.end()
	ok, failed := l.report(t)
	t.Logf("five reloads: %d requests, %d failed", ok, failed)
	if failed != 0 {
		t.Errorf("%d requests failed across five reloads", failed)
	}
}

func TestReloadFailureKeepsServing(t *testing.T) {
	t.Parallel()
	s := newSite(t, 1, "www1", nil)
	old := s.masterPid(t)
	// The new binary's wwwroot does not exist: it cannot start.
	s.rebuild(t, "www1")
	os.Rename(filepath.Join(s.Dir, "www1"), filepath.Join(s.Dir, "www1.moved"))
	out, err := s.run(t, "reload")
	if err == nil {
		t.Fatalf("reload succeeded without a wwwroot:\n%s", out)
	}
	if !strings.Contains(out, "keeps serving") {
		t.Errorf("reload output: %s", out)
	}
	if !alive(old) || s.masterPid(t) != old {
		t.Fatalf("old master %d gone after a failed reload", old)
	}
	if _, err := get(clientNoKeepAlive(), s.url("/")); err != nil {
		t.Errorf("old site not serving after a failed reload: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(s.Dir, "log/error.log"))
	if !bytes.Contains(b, []byte("reload failed")) || !bytes.Contains(b, []byte("www1")) {
		t.Errorf("error log does not say why the reload failed:\n%s", b)
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hetao.conf":      conf(siteConf, "WORKERS", 2, "PORT", port, "ROOT", "www1"),
		"www1/index.html": "one",
	})
	s := &site{Site: &sitetest.Site{Dir: dir, Bin: build(t, dir)}, port: port}
	t.Cleanup(func() { // the daemon is in its own session: kill it by pid
		if b, err := os.ReadFile(filepath.Join(dir, "log/hetao.pid")); err == nil {
			var pid int
			fmt.Sscan(string(b), &pid)
			for _, w := range workers(pid) {
				syscall.Kill(w, syscall.SIGKILL)
			}
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	if out, _ := s.run(t, "-h"); !strings.Contains(out, "reload") || !strings.Contains(out, "status") || !strings.Contains(out, "-pid") {
		t.Errorf("site -h does not list the commands:\n%s", out)
	}
	if out, err := s.run(t, "status"); err == nil || !strings.Contains(out, "not running") {
		t.Errorf("status before start: %v\n%s", err, out)
	}
	out, err := s.run(t, "start")
	if err != nil || !strings.HasPrefix(out, "site started, pid ") {
		t.Fatalf("start: %v\n%s", err, out)
	}
	pid := s.masterPid(t)
	if !strings.Contains(out, fmt.Sprint(pid)) {
		t.Errorf("start printed %q, pid file says %d", out, pid)
	}
	if body, err := get(clientNoKeepAlive(), s.url("/")); err != nil || body != "one" {
		t.Fatalf("GET after start: %q %v", body, err)
	}
	if out, err := s.run(t, "start"); err == nil || !strings.Contains(out, "already running") {
		t.Errorf("second start: %v\n%s", err, out)
	}
	// A held connection shows in status within about a second.
	c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	eventually(t, 5*time.Second, "status with a session", func() bool {
		out, err := s.run(t, "status")
		return err == nil && strings.Contains(out, fmt.Sprintf("master pid %d", pid)) &&
			strings.Count(out, "worker ") == 2 && strings.Contains(out, "sessions 1")
	})
	out, _ = s.run(t, "status")
	t.Logf("status:\n%s", out)
	if out, err := s.run(t, "reopen"); err != nil {
		t.Errorf("reopen: %v\n%s", err, out)
	}
	c.Close()
	out, err = s.run(t, "reload")
	if err != nil || !strings.Contains(out, "site reloaded") {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if alive(pid) {
		t.Errorf("old master %d still running after reload", pid)
	}
	pid = s.masterPid(t)
	out, err = s.run(t, "stop")
	if err != nil || !strings.Contains(out, "site stopped") {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	if alive(pid) {
		t.Errorf("master %d running after stop", pid)
	}
	if _, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
		t.Errorf("still accepting connections after stop")
	}
}

func TestUnknownUser(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hetao.conf":      strings.Replace(conf(siteConf, "WORKERS", 1, "PORT", port, "ROOT", "www1"), `"user" : ""`, `"user" : "no-such-user-hetao"`, 1),
		"www1/index.html": "one",
	})
	s := &site{Site: &sitetest.Site{Dir: dir, Bin: build(t, dir)}, port: port}
	out, err := s.run(t)
	if err == nil || !strings.Contains(out, `user "no-such-user-hetao"`) {
		t.Errorf("start with an unknown user: %v\n%s", err, out)
	}
}

func TestWorkersDropToUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	port := freePort(t)
	dir := t.TempDir()
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755) // nobody must reach the wwwroot
	}
	writeFiles(t, dir, map[string]string{
		"hetao.conf":      strings.Replace(conf(siteConf, "WORKERS", 2, "PORT", port, "ROOT", "www1"), `"user" : ""`, `"user" : "nobody"`, 1),
		"www1/index.html": "one",
	})
	s := start(t, dir, build(t, dir), port)
	if body, err := get(clientNoKeepAlive(), s.url("/")); err != nil || body != "one" {
		t.Fatalf("GET: %q %v", body, err)
	}
	master := s.masterPid(t)
	if uid := uidOf(t, master); uid != "0" {
		t.Errorf("master uid %s, want 0 (it keeps root to bind on reload)", uid)
	}
	ws := workers(master)
	if len(ws) != 2 {
		t.Fatalf("%d workers", len(ws))
	}
	for _, w := range ws {
		if uid := uidOf(t, w); uid == "0" {
			t.Errorf("worker %d runs as root", w)
		}
	}
	// USR1 still works: the master creates the new log for the workers.
	accessLog := filepath.Join(dir, "log/access.log")
	os.Rename(accessLog, accessLog+".1")
	if out, err := s.run(t, "reopen"); err != nil {
		t.Fatalf("reopen: %v\n%s", err, out)
	}
	eventually(t, 5*time.Second, "lines in the reopened log", func() bool {
		get(clientNoKeepAlive(), s.url("/?after"))
		b, _ := os.ReadFile(accessLog)
		return bytes.Contains(b, []byte("?after"))
	})
}

func uidOf(t *testing.T, pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			return f[1]
		}
	}
	return ""
}

func TestMasterKilledWorkersExit(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	master := s.masterPid(t)
	var ws []int
	eventually(t, 5*time.Second, "two workers", func() bool { ws = workers(master); return len(ws) == 2 })
	syscall.Kill(master, syscall.SIGKILL)
	// The control socket's end of file tells each worker to drain and exit.
	eventually(t, 5*time.Second, "the orphaned workers gone", func() bool {
		return !alive(ws[0]) && !alive(ws[1])
	})
}
