package master

import (
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// As PID 1 (a container's entrypoint, `unshare -fp`), the site cannot be
// its own master: on reload the old master exits once its successor
// serves, and when PID 1 exits the kernel ends the whole namespace, the
// successor with it. So PID 1 stays a thin parent: it starts the master
// as its child (the same binary and arguments, HETAO_INIT_CHILD set),
// passes every signal it is sent on to the current master, reaps every
// process that ends (orphans are reparented to PID 1), and exits with the
// last master's status once no process is left. A successor outlives
// the old master as an orphan, so it becomes PID 1's child and the
// current master: the container keeps running across reloads.

// EnvInitChild marks the master that PID 1 started.
const EnvInitChild = "HETAO_INIT_CHILD"

// AsInit runs the thin parent when this process is PID 1 and not already
// its child, and returns the exit code; ok is false otherwise.
func AsInit(pidFile string) (code int, ok bool) {
	if _, child := os.LookupEnv(EnvInitChild); child {
		os.Unsetenv(EnvInitChild)
		return 0, false
	}
	if os.Getpid() != 1 {
		return 0, false
	}
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGQUIT, unix.SIGHUP, unix.SIGUSR1, unix.SIGUSR2)
	exe, err := os.Executable()
	if err != nil {
		exe = "/proc/self/exe"
	}
	env := append(childEnv(), EnvInitChild+"=1")
	pid, err := syscall.ForkExec("/proc/self/exe", append([]string{exe}, os.Args[1:]...), &syscall.ProcAttr{
		Env: env, Files: []uintptr{0, 1, 2},
	})
	if err != nil {
		os.Stderr.WriteString("site: pid 1: starting the master: " + err.Error() + "\n")
		return 1, true
	}
	var master atomic.Int64 // the master PID 1 started, until it ends
	master.Store(int64(pid))
	go func() {
		for s := range sigs {
			if s == unix.SIGHUP {
				continue // PID 1 keeps its terminal's hangup to itself
			}
			if p := currentMaster(int(master.Load()), pidFile); p > 0 {
				unix.Kill(p, s.(syscall.Signal))
			}
		}
	}()
	code = 0
	for {
		var ws unix.WaitStatus
		p, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil { // ECHILD: nothing left
			return code, true
		}
		// The last process to end, the last master, gives the status.
		code = ws.ExitStatus()
		if ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		if p == pid {
			master.Store(0)
		}
	}
}

// currentMaster is the master to pass a signal to: the one PID 1 started
// while it runs, then the pid in the pid file (the successor that took
// over), else any child of PID 1 (a site without a pid file).
func currentMaster(started int, pidFile string) int {
	if started > 0 && Alive(started) {
		return started
	}
	if pidFile != "" {
		if pid, err := ReadPid(pidFile); err == nil && Alive(pid) {
			return pid
		}
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == 1 {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) >= 2 && f[0] != "Z" && f[1] == "1" {
			return pid
		}
	}
	return 0
}
