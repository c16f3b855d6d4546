package process

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
)

// runSite runs the site binary with args in its directory and returns its
// combined output and exit code.
func runSite(t *testing.T, dir, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.CombinedOutput()
	return string(out), cmd.ProcessState.ExitCode()
}

// TestSecondCopyRefused: a second copy of a running site exits 1, with
// "already running" when it shares the pid file and "address in use" when
// it does not; so does a site whose port another program holds.
func TestSecondCopyRefused(t *testing.T) {
	t.Parallel()
	s := newSite(t, 2, "www1", nil)
	pid := s.masterPid(t)
	out, code := runSite(t, s.Dir, s.Bin, nil)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("already running, pid %d", pid)) {
		t.Errorf("second copy, same pid file: exit %d\n%s", code, out)
	}
	out, code = runSite(t, s.Dir, s.Bin, nil, "-pid", filepath.Join(s.Dir, "other.pid"))
	if code != 1 || !strings.Contains(out, "address in use") {
		t.Errorf("second copy, another pid file: exit %d\n%s", code, out)
	}
	if _, err := get(clientNoKeepAlive(), s.url("/")); err != nil || s.masterPid(t) != pid {
		t.Errorf("the first copy after the attempts: %v, pid file %d (was %d)", err, s.masterPid(t), pid)
	}

	// Another program on the port: SO_REUSEPORT on both sides would
	// have split its connections with the site.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hetao.conf":      conf(siteConf, "WORKERS", 1, "PORT", port, "ROOT", "www1"),
		"www1/index.html": "one",
	})
	out, code = runSite(t, dir, build(t, dir), nil)
	if code != 1 || !strings.Contains(out, fmt.Sprintf("listen 127.0.0.1:%d: address in use", port)) {
		t.Errorf("site on a held port: exit %d\n%s", code, out)
	}
}

const noLogConf = `{
	"worker_processes" : 1,
	"error_log" : "",
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "" } }
}
`

// TestDefaultPidFilesIndependent: two sites without an error log get pid
// files of their own, and `stop` on one leaves the other serving; `stop`
// refuses a pid file nobody holds and a pid that runs another binary.
func TestDefaultPidFilesIndependent(t *testing.T) {
	t.Parallel()
	rundir := t.TempDir()
	env := []string{"XDG_RUNTIME_DIR=" + rundir}
	type daemon struct {
		dir, bin string
		port     int
	}
	var sites [2]daemon
	for i := range sites {
		d := daemon{dir: t.TempDir(), port: freePort(t)}
		writeFiles(t, d.dir, map[string]string{"hetao.conf": conf(noLogConf, "PORT", d.port), "www/index.html": "hi"})
		d.bin = build(t, d.dir)
		sites[i] = d
		out, code := runSite(t, d.dir, d.bin, env, "start")
		if code != 0 {
			t.Fatalf("start site %d: exit %d\n%s", i, code, out)
		}
	}
	t.Cleanup(func() {
		for _, d := range sites {
			runSite(t, d.dir, d.bin, env, "stop")
		}
	})
	pids, _ := filepath.Glob(filepath.Join(rundir, "hetao-*.pid"))
	if len(pids) != 2 {
		t.Fatalf("pid files in $XDG_RUNTIME_DIR: %q, want two", pids)
	}
	if out, code := runSite(t, sites[0].dir, sites[0].bin, env, "stop"); code != 0 {
		t.Fatalf("stop site 0: exit %d\n%s", code, out)
	}
	if _, err := get(clientNoKeepAlive(), fmt.Sprintf("http://127.0.0.1:%d/", sites[1].port)); err != nil {
		t.Fatalf("site 1 after stopping site 0: %v", err)
	}
	if out, code := runSite(t, sites[0].dir, sites[0].bin, env, "status"); code != 3 {
		t.Errorf("status of the stopped site: exit %d\n%s", code, out)
	}

	// A pid file left behind by a killed master names a pid the system
	// may have reused: without the lock held, stop does not believe it.
	sleeper := exec.Command("sleep", "30")
	if err := sleeper.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	pidFile := filepath.Join(t.TempDir(), "hetao.pid")
	os.WriteFile(pidFile, []byte(fmt.Sprintf("%d\n", sleeper.Process.Pid)), 0o644)
	lock, err := os.OpenFile(strings.TrimSuffix(pidFile, ".pid")+".lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	out, code := runSite(t, sites[0].dir, sites[0].bin, env, "-pid", pidFile, "stop")
	if code != 1 || !strings.Contains(out, "stale") {
		t.Errorf("stop with a stale pid file: exit %d\n%s", code, out)
	}
	// Held, but the pid runs another program: not this site's master.
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	out, code = runSite(t, sites[0].dir, sites[0].bin, env, "-pid", pidFile, "stop")
	if code != 1 || !strings.Contains(out, "not this site's binary") {
		t.Errorf("stop with a pid of another program: exit %d\n%s", code, out)
	}
	if sleeper.ProcessState != nil || syscall.Kill(sleeper.Process.Pid, 0) != nil {
		t.Errorf("stop signalled a process that is not the site")
	}
}

// TestReloadAsPID1: run as PID 1 of its own pid namespace (a container's
// entrypoint), the site keeps serving across three reloads under load
// with no failed request, and the namespace lives on; TERM to PID 1
// stops the site and ends it with status 0.
func TestReloadAsPID1(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root for a pid namespace (unshare -fp)")
	}
	for _, tool := range []string{"unshare", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s (util-linux) is not installed", tool)
		}
	}
	port := freePort(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"hetao.conf":      conf(siteConf, "WORKERS", 2, "PORT", port, "ROOT", "www1"),
		"www1/index.html": "one",
	})
	bin := build(t, dir)
	s := &site{Site: sitetest.Start(t, dir, "unshare", []int{port}, "-fp", "--mount-proc", bin), port: port}
	// unshare forks PID 1 of the namespace: its only child.
	var init int
	eventually(t, 5*time.Second, "PID 1 of the namespace", func() bool {
		ents, _ := os.ReadDir("/proc")
		for _, e := range ents {
			var pid int
			if _, err := fmt.Sscan(e.Name(), &pid); err == nil && ppid(pid) == s.Cmd.Process.Pid {
				init = pid
				return true
			}
		}
		return false
	})
	// Workers answer before the master has heard them all and written
	// its pid file, which reload reads.
	eventually(t, 10*time.Second, "the pid file", func() bool {
		_, err := os.Stat(filepath.Join(dir, "log/hetao.pid"))
		return err == nil
	})
	l := startLoad(t, s.url("/"), 4)
	l.waitRequests(t, 100)
	for i := 0; i < 3; i++ {
		// As `podman exec site /site reload` would: inside the namespace.
		cmd := exec.Command("nsenter", "-t", fmt.Sprint(init), "-p", "-m", bin, "reload")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("reload %d as PID 1: %v\n%s", i+1, err, out)
		}
		t.Logf("reload %d: %s", i+1, strings.TrimSpace(string(out)))
		if !alive(init) {
			t.Fatalf("PID 1 ended with reload %d", i+1)
		}
		l.waitRequests(t, 100)
	}
	l.end()
	ok, failed := l.report(t)
	t.Logf("three reloads as PID 1: %d requests, %d failed", ok, failed)
	if failed != 0 {
		t.Errorf("%d requests failed across three reloads as PID 1", failed)
	}
	syscall.Kill(init, syscall.SIGTERM)
	select {
	case <-s.Exited:
	case <-time.After(10 * time.Second):
		t.Fatal("TERM to PID 1 did not end the site")
	}
	if code := s.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("unshare exited %d after TERM, want 0\n%s", code, s.Out)
	}
}
