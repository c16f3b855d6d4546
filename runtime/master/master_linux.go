// Package master supervises a site's worker processes. Go cannot fork, so
// the master re-executes its own binary for each worker and hands it its
// listening sockets as inherited descriptors. The master owns every
// listening socket: workers come and go (a crashed one is replaced, a
// successor binary takes over on reload) and the sockets, with the
// connections queued on them, stay open throughout.
//
// Sockets: one SO_REUSEPORT socket per listen per worker, created by the
// master (or inherited from the previous master on reload); worker i gets
// the i-th socket of every listen, and the kernel spreads connections over
// the sockets of a listen. hetao's accept_mutex is therefore accepted and
// unused.
//
// Descriptors of a worker:
//
//	3  control socket: the worker writes "R\n" when serving (or "E why\n");
//	   the master writes one byte per command ('T' drain, 'I' stop now,
//	   'L' reopen logs, 'C' load the certificates again), and 'K' with the session-ticket keys
//	   (tickets_linux.go); end of file means the master is gone: drain
//	4  the status file, where the worker keeps its session count
//	5… its listening sockets, described by HETAO_LISTEN_FDS="0=5,6;1=7"
//	   (listen index = descriptors)
//
// A successor (SIGUSR2) or a daemon child gets HETAO_READY_FD, a pipe on
// which it writes "R\n" once every worker serves, or "E why\n"; a successor
// also gets HETAO_INHERIT="ip:port=fd,fd;…" naming the sockets it may reuse.
// This package uses the standard library and x/sys/unix only.
package master

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Environment variables the master sets for the processes it starts.
const (
	EnvWorker    = "HETAO_WORKER"     // worker slot
	EnvListenFDs = "HETAO_LISTEN_FDS" // a worker's sockets, by listen index
	EnvInherit   = "HETAO_INHERIT"    // a successor's inherited sockets, by ip:port
	EnvReadyFD   = "HETAO_READY_FD"   // where to say "R\n" once serving
	EnvMetricsFD = "HETAO_METRICS_FD" // a worker's shared counters (runtime/metrics)
)

// Listen is one listening address of the site.
type Listen struct {
	Addr string              // canonical "ip:port" (Addr), matched against inherited sockets
	Open func() (int, error) // a new SO_REUSEPORT socket for it, listening
}

// Config is what the master needs to know about the site.
type Config struct {
	Workers int      // processes; >= 1
	Listens []Listen // in the site's order; workers receive them by index
	Exe     string   // the path of the binary: the successor is what is at it now
	Args    []string // its arguments (argv[1:])

	Credential *syscall.Credential // workers run as this user; nil: as the master
	PidFile    string              // written once serving; "" none
	Elapse     time.Duration       // how long a graceful stop may take

	// Serving names where the site serves ("http://127.0.0.1:9527/ and
	// …"), once its sockets are open; run in the foreground (nobody waits
	// on a ready pipe), the master prints it to standard error with the
	// number of workers and its pid. nil prints nothing.
	Serving func() string

	// MetricsFD is a descriptor every worker gets (HETAO_METRICS_FD), the
	// shared memory of its counters; 0 none.
	MetricsFD int
	// Ops, when set, starts the ops endpoint once the listening sockets
	// are open (an error stops the start); the master keeps h up to date.
	Ops func(h *Health) error

	// ReopenLogs reopens the master's own logs on SIGUSR1, before the
	// workers are told to reopen theirs.
	ReopenLogs func()
	// Started runs once every worker serves (the ACME manager then
	// starts, since a CA's validation needs the workers); nil: nothing.
	Started func()
	// Tell carries commands for every worker from the master's own
	// goroutines ('C': load the certificates again); nil: none.
	Tell   <-chan byte
	Infof  func(format string, args ...any)
	Errorf func(format string, args ...any)
}

// StartTimeout bounds how long workers (and a successor) may take to say
// they serve.
var StartTimeout = 15 * time.Second

type worker struct {
	slot    int
	pid     int
	ctl     *os.File
	ready   bool
	started time.Time
}

type exit struct {
	slot, pid int
	status    string
}

type master struct {
	cfg     Config
	fds     [][]int // per listen: its sockets
	workers []*worker
	status  *statusFile
	exits   chan exit
	readies chan int // slot: said "R"
	fails   chan exitMsg
	respawn chan int
	stop    byte     // 0 running, 'T' draining, 'I' stopping now
	lockFD  int      // the site's lock (pidlock_linux.go); -1 none
	tickets *tickets // session-ticket keys (tickets_linux.go)
	health  *Health  // for the ops endpoint (health_linux.go)
}

type exitMsg struct {
	slot int
	msg  string
}

// Run opens (or inherits) the listening sockets, starts the workers, tells
// whoever waits (HETAO_READY_FD, systemd) that the site serves, then
// supervises until SIGTERM (graceful), SIGINT (fast) or a successful
// reload. An error means the site never started.
func Run(cfg Config) error {
	if cfg.Workers < 1 {
		cfg.Workers = 1
	}
	if cfg.Infof == nil {
		cfg.Infof = func(string, ...any) {}
	}
	if cfg.Errorf == nil {
		cfg.Errorf = func(string, ...any) {}
	}
	signal.Ignore(syscall.SIGPIPE, syscall.SIGHUP)
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)

	m := &master{
		cfg:     cfg,
		exits:   make(chan exit, 16),
		readies: make(chan int, 16),
		fails:   make(chan exitMsg, 16),
		respawn: make(chan int, 16),
	}
	m.health = newHealth(cfg.Workers)
	ready := readyPipe()
	var err error
	if m.lockFD, err = lock(cfg.PidFile, cfg.Errorf); err != nil {
		ready.fail(err)
		return err
	}
	if m.lockFD >= 0 {
		defer unix.Close(m.lockFD)
	}
	if err := m.openSockets(); err != nil {
		ready.fail(err)
		return err
	}
	if cfg.Ops != nil {
		if err := cfg.Ops(m.health); err != nil {
			m.closeSockets()
			ready.fail(err)
			return err
		}
	}
	if m.status, err = createStatus(statusPath(cfg.PidFile), cfg.Workers); err != nil {
		cfg.Errorf("status file: %v", err)
	}
	m.tickets = inheritTickets(cfg.Errorf)
	if _, err := m.tickets.rotate(time.Now()); err != nil {
		ready.fail(err)
		return err
	}
	m.workers = make([]*worker, cfg.Workers)
	if err := m.startAll(); err != nil {
		// Workers that did start may already hold connections taken from
		// inherited sockets: let them finish.
		m.closeSockets()
		m.stopAll('T', cfg.Elapse+2*time.Second)
		m.status.close()
		ready.fail(err)
		return err
	}
	if cfg.PidFile != "" {
		if err := WritePid(cfg.PidFile, os.Getpid()); err != nil {
			cfg.Errorf("pid file: %v", err)
		}
	}
	m.status.master(os.Getpid(), cfg.Workers, "")
	m.status.publish()
	m.health.serving.Store(true)
	// systemd first: once the old master hears "R" it drains and exits,
	// and by then systemd must know the main pid moved here.
	notifySystemd(fmt.Sprintf("MAINPID=%d\nREADY=1", os.Getpid()))
	if ready.f == nil && cfg.Serving != nil {
		plural := "s"
		if cfg.Workers == 1 {
			plural = ""
		}
		fmt.Fprintf(os.Stderr, "serving %s, %d worker%s, pid %d\n", cfg.Serving(), cfg.Workers, plural, os.Getpid())
	}
	ready.ok()
	cfg.Infof("master %d serving with %d worker process(es)", os.Getpid(), cfg.Workers)
	if cfg.Started != nil {
		cfg.Started()
	}
	return m.supervise(sigs)
}

// openSockets takes the inherited sockets of every configured address and
// opens what is missing, so that each listen has at least one socket per
// worker. Inherited sockets no listen wants are closed.
func (m *master) openSockets() error {
	inherited := parseInherit(os.Getenv(EnvInherit))
	os.Unsetenv(EnvInherit)
	for _, ln := range m.cfg.Listens {
		if len(inherited[ln.Addr]) == 0 {
			if err := probeFree(ln.Addr); err != nil {
				return err
			}
		}
	}
	m.fds = make([][]int, len(m.cfg.Listens))
	for i, ln := range m.cfg.Listens {
		fds := inherited[ln.Addr]
		delete(inherited, ln.Addr)
		for _, fd := range fds {
			unix.CloseOnExec(fd)
		}
		if len(fds) > 0 {
			m.cfg.Infof("listen %s: reusing %d inherited socket(s)", ln.Addr, len(fds))
		}
		for len(fds) < m.cfg.Workers {
			fd, err := ln.Open()
			if err != nil {
				m.closeSockets()
				return err
			}
			fds = append(fds, fd)
		}
		m.fds[i] = fds
	}
	for addr, fds := range inherited {
		m.cfg.Infof("listen %s: no longer configured, closing its inherited socket(s)", addr)
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	return nil
}

func (m *master) closeSockets() {
	for _, fds := range m.fds {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}
	m.fds = nil
}

// socketsOf returns the sockets worker slot serves: the slot-th of every
// listen, plus every further one congruent to it when a listen has more
// sockets than there are workers (inherited from a larger site), so that
// no socket with queued connections is left unserved.
func (m *master) socketsOf(slot int) [][]int {
	out := make([][]int, len(m.fds))
	for i, fds := range m.fds {
		for j := slot; j < len(fds); j += m.cfg.Workers {
			out[i] = append(out[i], fds[j])
		}
	}
	return out
}

// startAll starts every worker and waits until each says it serves.
func (m *master) startAll() error {
	for slot := range m.workers {
		if err := m.spawn(slot); err != nil {
			return err
		}
	}
	deadline := time.After(StartTimeout)
	for n := 0; n < len(m.workers); {
		select {
		case slot := <-m.readies:
			m.workers[slot].ready = true
			m.health.up.Add(1)
			n++
		case f := <-m.fails:
			return fmt.Errorf("worker %d: %s", f.slot, f.msg)
		case e := <-m.exits:
			return fmt.Errorf("worker %d (pid %d) %s before serving", e.slot, e.pid, e.status)
		case <-deadline:
			return fmt.Errorf("workers not serving after %v", StartTimeout)
		}
	}
	return nil
}

// spawn starts the worker process of slot.
func (m *master) spawn(slot int) error {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socketpair", err)
	}
	files := []uintptr{0, 1, 2, uintptr(pair[1]), uintptr(m.status.fd())}
	var extra []string
	if m.cfg.MetricsFD > 0 {
		extra = append(extra, EnvMetricsFD+"="+strconv.Itoa(len(files)))
		files = append(files, uintptr(m.cfg.MetricsFD))
	}
	var desc []string
	for i, fds := range m.socketsOf(slot) {
		var s []string
		for _, fd := range fds {
			s = append(s, strconv.Itoa(len(files)))
			files = append(files, uintptr(fd))
		}
		desc = append(desc, strconv.Itoa(i)+"="+strings.Join(s, ","))
	}
	env := append(childEnv(), EnvWorker+"="+strconv.Itoa(slot), EnvListenFDs+"="+strings.Join(desc, ";"))
	env = append(env, extra...)
	// /proc/self/exe, not cfg.Exe: a worker replacing a crashed one must be
	// this master's binary even when a new one was installed at cfg.Exe.
	pid, err := syscall.ForkExec("/proc/self/exe", append([]string{m.cfg.Exe}, m.cfg.Args...), &syscall.ProcAttr{
		Env:   env,
		Files: files,
		Sys:   &syscall.SysProcAttr{Credential: m.cfg.Credential},
	})
	unix.Close(pair[1])
	if err != nil {
		unix.Close(pair[0])
		return fmt.Errorf("starting worker %d: %w", slot, err)
	}
	w := &worker{slot: slot, pid: pid, ctl: os.NewFile(uintptr(pair[0]), "worker-control"), started: time.Now()}
	m.workers[slot] = w
	w.ctl.Write(m.tickets.message()) // read before it serves
	m.status.worker(slot, pid, 0)
	go m.watch(w)
	return nil
}

// watch reads what a worker says and reports its readiness and its exit.
func (m *master) watch(w *worker) {
	buf := make([]byte, 512)
	var said []byte
	for {
		n, err := w.ctl.Read(buf)
		said = append(said, buf[:n]...)
		if i := strings.IndexByte(string(said), '\n'); i >= 0 {
			line := string(said[:i])
			said = said[i+1:]
			if line == "R" {
				m.readies <- w.slot
			} else if strings.HasPrefix(line, "E ") {
				m.fails <- exitMsg{w.slot, line[2:]}
			}
		}
		if err != nil {
			break
		}
	}
	st := "exited"
	if p, err := os.FindProcess(w.pid); err == nil {
		if ps, err := p.Wait(); err == nil {
			st = describe(ps)
		}
	}
	m.exits <- exit{w.slot, w.pid, st}
}

func describe(ps *os.ProcessState) string {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "killed by " + ws.Signal().String()
	}
	return fmt.Sprintf("exited with status %d", ps.ExitCode())
}

// supervise is the master's loop once the site serves.
func (m *master) supervise(sigs chan os.Signal) error {
	var succ chan error
	rotation := time.NewTimer(time.Until(m.tickets.next()))
	defer rotation.Stop()
	for {
		select {
		case c := <-m.cfg.Tell:
			m.tell(c)
		case <-rotation.C:
			if changed, err := m.tickets.rotate(time.Now()); err != nil {
				m.cfg.Errorf("%v", err)
			} else if changed {
				m.tellTickets()
			}
			rotation.Reset(max(time.Until(m.tickets.next()), time.Second))
		case s := <-sigs:
			switch s {
			case syscall.SIGTERM:
				m.health.draining.Store(true)
				m.cfg.Infof("SIGTERM: graceful stop")
				// Once the workers close theirs too, the sockets are gone and
				// new connections are refused instead of queueing unserved.
				m.closeSockets()
				m.stopAll('T', m.cfg.Elapse+2*time.Second)
				m.cleanup()
				return nil
			case syscall.SIGINT:
				m.health.draining.Store(true)
				m.cfg.Infof("SIGINT: fast stop")
				m.closeSockets()
				m.stopAll('I', time.Second)
				m.cleanup()
				return nil
			case syscall.SIGUSR1:
				m.cfg.Infof("SIGUSR1: reopening logs")
				if m.cfg.ReopenLogs != nil {
					m.cfg.ReopenLogs()
				}
				m.tell('L')
			case syscall.SIGUSR2:
				if succ != nil {
					m.cfg.Errorf("SIGUSR2: a successor is already starting")
					continue
				}
				succ = make(chan error, 1)
				go func() { succ <- m.startSuccessor() }()
			}
		case err := <-succ:
			succ = nil
			if err != nil {
				m.cfg.Errorf("reload failed, the running site keeps serving: %v", err)
				m.status.master(os.Getpid(), m.cfg.Workers, fmt.Sprintf("reload-failed %d", time.Now().UnixMilli()))
				continue
			}
			m.cfg.Infof("successor serving; draining the old workers")
			m.health.draining.Store(true)
			close(m.health.handed)
			m.closeSockets()
			m.stopAll('T', m.cfg.Elapse+2*time.Second)
			m.status.close()
			return nil
		case e := <-m.exits:
			w := m.workers[e.slot]
			if w == nil || w.pid != e.pid {
				continue
			}
			m.workers[e.slot] = nil
			if w.ready {
				m.health.up.Add(-1)
			}
			m.health.restarts.Add(1)
			m.cfg.Errorf("worker %d (pid %d) %s; starting a new one", e.slot, e.pid, e.status)
			m.status.worker(e.slot, 0, 0)
			if wait := time.Second - time.Since(w.started); wait > 0 {
				time.AfterFunc(wait, func() { m.respawn <- e.slot })
			} else {
				m.respawn <- e.slot
			}
		case slot := <-m.respawn:
			if m.workers[slot] != nil {
				continue
			}
			if err := m.spawn(slot); err != nil {
				m.cfg.Errorf("%v; retrying in a second", err)
				time.AfterFunc(time.Second, func() { m.respawn <- slot })
			}
		case slot := <-m.readies:
			if w := m.workers[slot]; w != nil && !w.ready {
				w.ready = true
				m.health.up.Add(1)
			}
		case f := <-m.fails:
			m.cfg.Errorf("worker %d: %s", f.slot, f.msg)
		}
	}
}

// tellTickets gives every worker the current session-ticket keys.
func (m *master) tellTickets() {
	msg := m.tickets.message()
	for _, w := range m.workers {
		if w != nil {
			w.ctl.Write(msg)
		}
	}
}

// tell sends a one-byte command to every worker.
func (m *master) tell(cmd byte) {
	for _, w := range m.workers {
		if w != nil {
			w.ctl.Write([]byte{cmd})
		}
	}
}

// stopAll tells every worker to stop ('T' drain, 'I' now) and waits for
// them, killing those still running after timeout.
func (m *master) stopAll(cmd byte, timeout time.Duration) {
	m.stop = cmd
	m.tell(cmd)
	deadline := time.After(timeout)
	for m.running() > 0 {
		select {
		case e := <-m.exits:
			if w := m.workers[e.slot]; w != nil && w.pid == e.pid {
				w.ctl.Close()
				m.workers[e.slot] = nil
			}
		case <-m.readies:
		case <-m.fails:
		case <-m.respawn:
		case <-deadline:
			for _, w := range m.workers {
				if w != nil {
					m.cfg.Errorf("worker %d (pid %d) still running after %v; killing it", w.slot, w.pid, timeout)
					unix.Kill(w.pid, unix.SIGKILL)
				}
			}
			deadline = time.After(time.Second)
			timeout = time.Second
		}
	}
}

func (m *master) running() int {
	n := 0
	for _, w := range m.workers {
		if w != nil {
			n++
		}
	}
	return n
}

// cleanup removes the pid and status files if they are still this
// master's.
func (m *master) cleanup() {
	m.closeSockets()
	if m.cfg.PidFile != "" {
		if pid, err := ReadPid(m.cfg.PidFile); err == nil && pid == os.Getpid() {
			os.Remove(m.cfg.PidFile)
			m.status.remove()
		}
	}
	m.status.close()
}

// childEnv is this process's environment without the variables of this
// protocol (a user's own HETAO_… variables for $VAR$ paths stay).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case EnvWorker, EnvListenFDs, EnvInherit, EnvReadyFD, EnvLockFD, EnvTicketFD, EnvMetricsFD, EnvReloads:
		default:
			env = append(env, kv)
		}
	}
	return env
}
