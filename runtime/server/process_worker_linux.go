package server

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/master"
	"github.com/hetaoc/hetao/runtime/metrics"
)

// runWorker is a worker process: one event loop on the listening sockets
// the master passed down, until the master says stop (or goes away).
func runWorker(site *Site, w *master.Worker) int {
	signal.Ignore(syscall.SIGPIPE, syscall.SIGHUP, syscall.SIGUSR2)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	in, err := startOnFDs(site, w.Slot, w.Listens, firstTicketKeys(w), w.MetricsFD)
	if err != nil {
		w.Fail(err)
		logs.Errorf("worker %d: %v", w.Slot, err)
		return 1
	}
	w.Ready()
	w.Sessions(0)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	drain := func() int {
		if !in.Stop(time.Duration(in.rt.elapse) * time.Millisecond) {
			logs.Warnf("worker %d: connections still open after elapse; exiting", w.Slot)
		}
		return 0
	}
	for {
		select {
		case <-in.Done():
			return 0
		case <-tick.C:
			w.Sessions(in.Sessions())
		case keys := <-w.Tickets:
			in.rt.setTicketKeys(keys)
		case c := <-w.Commands:
			switch c {
			case 'T':
				return drain()
			case 'I':
				return 0
			case 'L':
				reopenLogs(in.rt)
			case 'C':
				in.rt.reloadCerts()
			}
		case s := <-sigs:
			switch s {
			case syscall.SIGTERM:
				return drain()
			case syscall.SIGINT:
				return 0
			case syscall.SIGUSR1:
				reopenLogs(in.rt)
			}
		}
	}
}

// startOnFDs is Start for a worker process: one loop, serving listening
// sockets it inherited (listen index → descriptors) instead of binding.
func startOnFDs(site *Site, slot int, fds map[int][]int, keys [][32]byte, metricsFD int) (*Instance, error) {
	rt, err := prepare(site, true)
	if err != nil {
		return nil, err
	}
	rt.setTicketKeys(keys)
	raiseNoFile(site.Limits.MaxSessions, rt.log)
	in := &Instance{rt: rt, loops: make([]*loop, 1), done: make(chan struct{})}
	if in.loops[0], err = newLoop(slot, rt); err != nil {
		return nil, err
	}
	l := in.loops[0]
	if metricsFD >= 0 {
		if l.m, err = metrics.Attach(metricsFD, slot, rt.metricsLayout()); err != nil {
			in.close()
			return nil, err
		}
	}
	for i, ln := range site.Listens {
		if len(fds[i]) == 0 {
			in.close()
			return nil, fmt.Errorf("listen %s:%d: no socket passed down by the master", ln.IP, ln.Port)
		}
		for _, fd := range fds[i] {
			if ln.Port == 0 {
				ln.Port = sockPort(fd)
			}
			if err := l.listen(fd, ln); err != nil {
				in.close()
				return nil, err
			}
		}
	}
	cpu := -1
	if site.CPUAffinity {
		cpu = slot % runtime.NumCPU()
	}
	go func() {
		l.run(cpu)
		rt.release()
		close(in.done)
	}()
	logs.Infof("worker %d serving", slot)
	return in, nil
}

// Sessions is the number of connections the instance's loops hold, a
// snapshot read from outside the loops.
func (in *Instance) Sessions() int {
	n := 0
	for _, l := range in.loops {
		n += int(l.sessions.Load())
	}
	return n
}
