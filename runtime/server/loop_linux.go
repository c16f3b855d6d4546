package server

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/metrics"
	"github.com/hetaoc/hetao/runtime/static"
)

// loop is one worker's event loop: its own epoll set, its own listening
// sockets (SO_REUSEPORT), its connections indexed by descriptor, one read
// buffer and one write buffer shared by all of them, a timer heap and a file
// cache. Everything here is touched by the loop's thread only.
type loop struct {
	id    int
	rt    *runtimeState
	epfd  int
	lns   []listener
	conns []*conn // by descriptor
	free  []*conn // closed conns kept for reuse

	events  []unix.EpollEvent
	rbuf    []byte // shared read buffer: a connection keeps only leftovers
	wbuf    []byte // responses of one read batch, written with one write
	h2      h2loop // the loop's HTTP/2 state (h2_linux.go)
	timers  timerHeap
	cache   *static.Cache
	req     http1.Request
	ctx     Ctx
	h1      h1Answer // the answerStream of HTTP/1 requests (h1_linux.go)
	now     int64    // ms, monotonic
	yielded int64    // ms: when the loop last yielded to the scheduler
	clock   clock

	ups       []*upConn // backend connections, by descriptor
	upstreams []upState // by Upstream.id
	phead     []byte    // scratch for a forwarded request head
	resp      http1.Response

	m *metrics.Worker // this loop's counters (runtime/metrics)

	sessions atomic.Int64 // read by the worker's status reporting
	perIP    map[ipAddr]int32
	access   []logs.Buffer // per website id

	inj injector   // connections handed over by TLS terminators
	hs  handshakes // TLS handshakes in progress, abandoned on stop

	tlsOut     []byte // scratch: the ciphertext of one piece (tlsWrite)
	tlsFileBuf []byte // scratch: a piece of a file sent over TLS, made on first use

	stopping atomic.Bool
	wake     int        // eventfd to interrupt epoll_wait
	wakeMu   sync.Mutex // wake is written by stop, from outside the loop, and closed by release
	released bool

	acceptPaused int64 // ms: accepting stopped until then (see pauseAccept); 0 not
}

type listener struct {
	fd int
	ln *Listen
}

const (
	yieldEvery  = 5         // ms between yields to the Go scheduler
	readBufSize = 128 << 10 // one read of a request body
	headRead    = 16 << 10  // one read between bodies: what a pipelining client may have queued
	maxBatchOut = 64 << 10  // answers written at once; further pipelined requests wait for them
	maxEvents   = 256
)

func newLoop(id int, rt *runtimeState) (*loop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	l := &loop{
		id:     id,
		rt:     rt,
		epfd:   epfd,
		events: make([]unix.EpollEvent, maxEvents),
		rbuf:   make([]byte, readBufSize),
		wbuf:   make([]byte, 0, 64<<10),
		access: make([]logs.Buffer, len(rt.websites)),
		m:      metrics.NewWorker(rt.metricsLayout()),
	}
	for i, w := range rt.websites {
		l.access[i].File = w.log
	}
	if rt.site.Limits.MaxConnectionsPerIP >= 0 {
		l.perIP = make(map[ipAddr]int32)
	}
	if l.cache, err = static.NewCache(rt.site.Limits.MaxFileCache); err != nil {
		return nil, err
	}
	if err := l.add(l.cache.FD(), unix.EPOLLIN|unix.EPOLLET); err != nil {
		return nil, err
	}
	if l.wake, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		return nil, os.NewSyscallError("eventfd", err)
	}
	if err := l.add(l.wake, unix.EPOLLIN|unix.EPOLLET); err != nil {
		return nil, err
	}
	l.initUpstreams()
	l.ctx.l = l
	l.h1.l = l
	l.ctx.Req = &l.req
	l.clock.tick(time.Now())
	return l, nil
}

func (l *loop) add(fd int, events uint32) error {
	ev := unix.EpollEvent{Events: events, Fd: int32(fd)}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	return nil
}

// listen adds a listening socket to the loop.
func (l *loop) listen(fd int, ln *Listen) error {
	if ln.TLS != nil {
		return l.listenTLS(fd, ln)
	}
	l.lns = append(l.lns, listener{fd, ln})
	// Level-triggered, one accept per report (as nginx without
	// multi_accept): draining the queue to EAGAIN would cost a failed accept
	// for nearly every connection when they arrive one at a time.
	return l.add(fd, unix.EPOLLIN)
}

// run is the loop; it returns when the loop is stopped and drained.
func (l *loop) run(cpu int) {
	if cpu >= 0 {
		// Pinning is a property of the thread: keep the loop on it.
		runtime.LockOSThread()
		var set unix.CPUSet
		set.Set(cpu)
		unix.SchedSetaffinity(0, &set)
	}
	wait, n := 1000, 0
	for {
		// Under load events are always ready: take them without telling the
		// scheduler; block (as an ordinary system call) only when idle. A
		// loop that found one event or none last time is not under load:
		// polling first would mostly cost a call that finds nothing.
		var err error
		if n > 1 {
			n = sysPoll(l.epfd, l.events)
		} else {
			n = 0
		}
		if n == 0 {
			n, err = unix.EpollWait(l.epfd, l.events, wait)
		}
		if err != nil && err != unix.EINTR {
			l.rt.log.Errorf("epoll_wait: %v", err)
			return
		}
		l.tick()
		for i := 0; i < n; i++ {
			ev := &l.events[i]
			fd := int(ev.Fd)
			if c := l.connOf(fd); c != nil {
				l.event(c, ev.Events)
				continue
			}
			if up := l.upOf(fd); up != nil {
				l.upEvent(up, ev.Events)
				continue
			}
			switch {
			case fd == l.cache.FD():
				l.cache.HandleEvents()
			case fd == l.wake:
				var b [8]byte
				unix.Read(l.wake, b[:])
				l.takeInjected()
			case l.stopping.Load():
				// A stopping loop accepts nothing more: a worker's sockets
				// are shared with its successor's, which takes what waits.
			default:
				for _, ln := range l.lns {
					if ln.fd == fd {
						l.accept(ln)
					}
				}
			}
		}
		l.flushLogs()
		if l.now-l.yielded >= yieldEvery {
			// A goroutine that never passes through the scheduler looks
			// stuck to the runtime's monitor thread, which then preempts it
			// every 10 ms and polls every 20 µs (7% of a busy worker).
			// Yielding now and then keeps the monitor asleep.
			l.yielded = l.now
			runtime.Gosched()
		}
		wait = l.expire(l.now)
		if p := l.resumeAccept(); p >= 0 && (wait < 0 || p < wait) {
			wait = p
		}
		if wait < 0 || wait > 1000 {
			wait = 1000 // the Date header and the log clock tick every second
		}
		if l.stopping.Load() {
			if l.drainStep() {
				l.flushLogs()
				l.release()
				return
			}
			if wait > 100 {
				wait = 100
			}
		}
	}
}

func (l *loop) connOf(fd int) *conn {
	if fd < len(l.conns) {
		return l.conns[fd]
	}
	return nil
}

// tick advances the loop clock and, once a second, the cached dates.
func (l *loop) tick() {
	t := time.Now()
	l.now = t.UnixMilli()
	if t.Unix() != l.clock.sec {
		l.clock.tick(t)
		l.cache.Tick(t) // the cache's clock; closes files unused for a minute
		l.gauges()
	}
}

func (l *loop) flushLogs() {
	for i := range l.access {
		l.access[i].Flush()
	}
}

// stop asks the loop to close its listeners and finish its connections.
func (l *loop) stop() {
	l.stopping.Store(true)
	l.wakeUp()
}

// wakeUp interrupts the loop's epoll_wait from another goroutine; after
// release (the eventfd closed, its number maybe reused) it does nothing.
func (l *loop) wakeUp() {
	l.wakeMu.Lock()
	if !l.released {
		var one = [8]byte{1}
		unix.Write(l.wake, one[:])
	}
	l.wakeMu.Unlock()
}

// release closes what the drained loop still holds: pooled backend
// connections, the file cache (its inotify instance and open files), the
// wake-up eventfd and the epoll set. A worker process exits anyway; a site
// started and stopped within one process (tests, embedding) must not leak.
func (l *loop) release() {
	for i := range l.upstreams {
		for j := range l.upstreams[i].backends {
			for _, up := range append([]*upConn(nil), l.upstreams[i].backends[j].idle...) {
				l.upClose(up)
			}
		}
	}
	l.cache.Close()
	l.wakeMu.Lock()
	l.released = true
	unix.Close(l.wake)
	l.wakeMu.Unlock()
	unix.Close(l.epfd)
}

// drainStep closes listeners and idle connections; it reports whether the
// loop has nothing left to do.
func (l *loop) drainStep() bool {
	for _, ln := range l.lns {
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, ln.fd, nil)
		unix.Close(ln.fd)
	}
	l.lns = nil
	l.hs.stop(time.Duration(l.rt.tune.fresh) * time.Millisecond)
	for _, c := range l.conns {
		if c != nil && c.h2 != nil {
			l.h2Stop(c) // GOAWAY: its streams finish, then it closes
			continue
		}
		if c != nil && c.goneAway {
			continue // lingers until the client, told by GOAWAY, closes (or linger ends)
		}
		// An idle connection that has had an answer is closed at once; one
		// accepted just before the stop gets a moment to send its request,
		// which would otherwise be reset unread. A TLS connection with part
		// of a record read is receiving a request: it is not idle.
		if c != nil && c.idle() && !c.tlsPartial() && (c.served || l.now-(c.idleAt-l.rt.timeout) > l.rt.tune.fresh) {
			l.close(c)
		}
	}
	return l.sessions.Load() == 0
}

// clock caches what is formatted once per second: the Date header line and
// the log time stamp.
type clock struct {
	sec  int64
	date []byte // "Date: Mon, 02 Jan 2006 15:04:05 GMT\r\n"
	log  []byte // "2006-01-02 15:04:05" local time
	clf  []byte // "02/Jan/2006:15:04:05 -0700" (combined)
	iso  []byte // RFC 3339 (json)
}

func (k *clock) tick(t time.Time) {
	k.sec = t.Unix()
	k.date = append(k.date[:0], "Date: "...)
	k.date = http1.AppendHTTPDate(k.date, t)
	k.date = append(k.date, "\r\n"...)
	k.logTimes(t)
}
