package server

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/logs"
)

// Instance is a site running in this process: its loops and listeners.
type Instance struct {
	rt    *runtimeState
	loops []*loop
	done  chan struct{}
}

// Start prepares site and starts its loops, each on its own thread with its
// own listening sockets. A Listen with port 0 gets an ephemeral port, which
// Start writes back into it.
func Start(site *Site) (*Instance, error) {
	rt, err := prepare(site, false)
	if err != nil {
		return nil, err
	}
	raiseNoFile(site.Limits.MaxSessions, rt.log)
	n := site.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	in := &Instance{rt: rt, loops: make([]*loop, n), done: make(chan struct{})}
	for i := range in.loops {
		if in.loops[i], err = newLoop(i, rt); err != nil {
			in.close()
			return nil, err
		}
	}
	for _, ln := range site.Listens {
		for _, l := range in.loops {
			fd, err := listenSocket(ln, site.TCP)
			if err != nil {
				in.close()
				return nil, err
			}
			if ln.Port == 0 { // an ephemeral port: the other loops share it
				ln.Port = sockPort(fd)
			}
			if err := l.listen(fd, ln); err != nil {
				in.close()
				return nil, err
			}
		}
	}
	var wg sync.WaitGroup
	for i, l := range in.loops {
		cpu := -1
		if site.CPUAffinity {
			cpu = i % runtime.NumCPU()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.run(cpu)
		}()
	}
	go func() {
		wg.Wait()
		rt.release()
		close(in.done)
	}()
	rt.log.Infof("started %d worker loop(s)", n)
	return in, nil
}

// close releases what Start acquired before the loops run.
func (in *Instance) close() {
	for _, l := range in.loops {
		if l == nil {
			continue
		}
		for _, ln := range l.lns {
			unix.Close(ln.fd)
		}
		unix.Close(l.epfd)
	}
}

// Stop stops accepting and lets every loop finish the requests in flight;
// it returns when they are done or after timeout, whichever comes first.
func (in *Instance) Stop(timeout time.Duration) bool {
	for _, l := range in.loops {
		l.stop()
	}
	select {
	case <-in.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Done is closed when every loop has returned.
func (in *Instance) Done() <-chan struct{} { return in.done }

func reopenLogs(rt *runtimeState) {
	if err := rt.log.Reopen(); err != nil {
		rt.log.Errorf("reopen error log: %v", err)
	}
	seen := map[*logs.File]bool{}
	for _, w := range rt.websites {
		if w.log != nil && !seen[w.log] {
			seen[w.log] = true
			if err := w.log.Reopen(); err != nil {
				rt.log.Errorf("reopen access log: %v", err)
			}
		}
	}
}

// listenSocket opens one SO_REUSEPORT listening socket for ln with the TCP
// options set on it; accepted sockets inherit them.
func listenSocket(ln *Listen, tcp TCPOptions) (int, error) {
	family, addr, err := listenAddr(ln)
	if err != nil {
		return -1, err
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, os.NewSyscallError("socket", err)
	}
	if err := setV6Only(fd, family, ln.IPv6Only); err != nil {
		unix.Close(fd)
		return -1, err
	}
	opts := []struct{ level, opt, v int }{
		{unix.SOL_SOCKET, unix.SO_REUSEADDR, 1},
		{unix.SOL_SOCKET, unix.SO_REUSEPORT, 1},
		// Accept a connection only once its first bytes are in (or after a
		// second, as nginx's "deferred"): the loop then reads the request
		// right away instead of registering the socket and waiting for it.
		{unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 1},
	}
	if tcp.NoDelay {
		opts = append(opts, struct{ level, opt, v int }{unix.IPPROTO_TCP, unix.TCP_NODELAY, 1})
	}
	for _, o := range opts {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.v); err != nil {
			unix.Close(fd)
			return -1, os.NewSyscallError("setsockopt", err)
		}
	}
	if tcp.Linger >= 0 {
		unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: int32(tcp.Linger)})
	}
	if err := unix.Bind(fd, addr); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("listen %s:%d: %w", ln.IP, ln.Port, err)
	}
	if err := unix.Listen(fd, 4096); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("listen", err)
	}
	return fd, nil
}

// raiseNoFile lifts the open-files limit to the hard limit (as nginx's
// worker_rlimit_nofile) and says so when the configured session count
// cannot fit in it.
func raiseNoFile(sessions int, log *logs.Logger) {
	var r unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &r) != nil {
		return
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		unix.Setrlimit(unix.RLIMIT_NOFILE, &r)
	}
	if sessions > 0 && uint64(sessions)+64 > r.Cur {
		log.Warnf("max_http_session_count %d exceeds the open-files limit %d; connections beyond it will be refused", sessions, r.Cur)
	}
}
