package server

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/hetaoc/hetao/runtime/master"
)

// The site binary's commands, which replace hetao.sh. Each finds the master
// through the pid file and waits until what it asked for has happened.

// running returns the pid of the live master named in pidFile.
func running(pidFile string) (int, error) {
	pid, err := master.ReadPid(pidFile)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, fmt.Errorf("not running (no pid file %s)", pidFile)
		}
		return 0, err
	}
	if !master.Alive(pid) {
		return 0, fmt.Errorf("not running (pid %d in %s is gone)", pid, pidFile)
	}
	return pid, master.CheckMaster(pidFile, pid)
}

func cmdFail(err error) int {
	fmt.Fprintf(os.Stderr, "site: %v\n", err)
	return 1
}

// cmdStart runs the site as a daemon (a new session, standard streams on
// /dev/null and the error log) and waits until it serves.
func cmdStart(site *Site, args []string, pidFile string) int {
	if pid, err := running(pidFile); err == nil {
		return cmdFail(fmt.Errorf("already running, pid %d", pid))
	}
	exe, err := os.Executable()
	if err != nil {
		return cmdFail(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return cmdFail(err)
	}
	defer r.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return cmdFail(err)
	}
	defer null.Close()
	stderr := null
	if p, err := Expand(site.ErrorLog); err == nil && p != "" {
		if f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			defer f.Close()
			stderr = f // a panic before the log is set up lands in the error log
		}
	}
	p, err := os.StartProcess(exe, append([]string{exe}, args...), &os.ProcAttr{
		Env:   append(os.Environ(), master.EnvReadyFD+"=3"),
		Files: []*os.File{null, null, stderr, w},
		Sys:   &syscall.SysProcAttr{Setsid: true},
	})
	w.Close()
	if err != nil {
		return cmdFail(err)
	}
	defer p.Release()
	r.SetReadDeadline(time.Now().Add(master.StartTimeout + 5*time.Second))
	line, _ := bufio.NewReader(r).ReadString('\n')
	switch {
	case line == "R\n":
		fmt.Printf("site started, pid %d\n", p.Pid)
		return 0
	case strings.HasPrefix(line, "E "):
		return cmdFail(fmt.Errorf("start failed: %s", strings.TrimSpace(line[2:])))
	}
	p.Kill()
	return cmdFail(fmt.Errorf("start failed: pid %d did not report serving (see the error log)", p.Pid))
}

// cmdStop sends TERM to the master and waits until it is gone.
func cmdStop(site *Site, pidFile string) int {
	pid, err := running(pidFile)
	if err != nil {
		return cmdFail(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return cmdFail(err)
	}
	limit := time.Duration(ms(site.HTTP.Elapse))*time.Millisecond + 10*time.Second
	if !waitFor(limit, func() bool { return !master.Alive(pid) }) {
		return cmdFail(fmt.Errorf("pid %d still running after %v", pid, limit))
	}
	fmt.Printf("site stopped, pid %d\n", pid)
	return 0
}

// cmdReload sends USR2 and waits for the new master to take over the pid
// file and the old one to exit.
func cmdReload(site *Site, pidFile string) int {
	old, err := running(pidFile)
	if err != nil {
		return cmdFail(err)
	}
	sent := time.Now().Add(-time.Millisecond)
	if err := syscall.Kill(old, syscall.SIGUSR2); err != nil {
		return cmdFail(err)
	}
	var pid int
	failed := false
	taken := waitFor(master.StartTimeout+2*time.Second, func() bool {
		if st, err := master.ReadStatus(pidFile); err == nil && st.Master == old && st.ReloadFailed.After(sent) {
			failed = true
			return true
		}
		pid, _ = master.ReadPid(pidFile)
		return pid != old && master.Alive(pid)
	})
	if !taken || failed {
		return cmdFail(fmt.Errorf("reload failed: the running site (pid %d) keeps serving; the error log says why", old))
	}
	limit := time.Duration(ms(site.HTTP.Elapse))*time.Millisecond + 10*time.Second
	if !waitFor(limit, func() bool { return !master.Alive(old) }) {
		return cmdFail(fmt.Errorf("new master pid %d serves, but the old one (pid %d) is still draining after %v", pid, old, limit))
	}
	fmt.Printf("site reloaded, pid %d (was %d)\n", pid, old)
	return 0
}

// cmdReopen sends USR1: every process reopens its logs.
func cmdReopen(pidFile string) int {
	pid, err := running(pidFile)
	if err != nil {
		return cmdFail(err)
	}
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		return cmdFail(err)
	}
	fmt.Printf("site: logs reopened, pid %d\n", pid)
	return 0
}

// cmdStatus lists the master and its workers with their session counts
// (as each worker last wrote it, about once a second). Exit status 3 when
// the site is not running, as LSB init scripts expect.
func cmdStatus(pidFile string) int {
	pid, err := running(pidFile)
	if err != nil {
		fmt.Printf("site: %v\n", err)
		return 3
	}
	fmt.Printf("master pid %d\n", pid)
	st, err := master.ReadStatus(pidFile)
	if err != nil || st.Master != pid {
		fmt.Printf("  (no worker status: %v)\n", err)
		return 0
	}
	for _, w := range st.Workers {
		switch {
		case w.Pid == 0:
			fmt.Printf("worker %d restarting\n", w.Slot)
		case !master.Alive(w.Pid):
			fmt.Printf("worker %d pid %d gone\n", w.Slot, w.Pid)
		default:
			fmt.Printf("worker %d pid %d sessions %d\n", w.Slot, w.Pid, w.Sessions)
		}
	}
	return 0
}

// waitFor polls cond every 20 ms until it holds or limit passes.
func waitFor(limit time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
