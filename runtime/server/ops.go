package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/logs"

	"github.com/hetaoc/hetao/runtime/master"
	"github.com/hetaoc/hetao/runtime/metrics"
)

// Ops is the operations listen (the ops key): /healthz, /readyz and
// /metrics, served by the master, never by a worker's loop.
type Ops struct {
	IP   string
	Port int
	// Serve answers on ln until it is closed. Generated code sets it to
	// ops.Serve (runtime/ops), so that only sites with an ops listen link
	// net/http and the Prometheus text format.
	Serve func(ln net.Listener, src *OpsSource) error
}

// OpsSource is what the ops endpoint reports: the master's health and
// the sum of the workers' counters, with the names of what they count.
type OpsSource struct {
	Health   *master.Health
	Snapshot func() *metrics.Snapshot
	// Websites names website i's counters ("example.com", "(default
	// :80)"), with one more last for requests no website took.
	Websites []string
	// Backends names backend i's counters: its upstream and its address.
	Backends []OpsBackend
}

// OpsBackend names one backend.
type OpsBackend struct{ Upstream, Addr string }

// count adds the request just answered to the loop's counters. Forwarded
// requests are counted when their backend's answer ends (countProxy).
func (x *Ctx) count() {
	if x.status == 0 {
		return
	}
	id := -1
	if x.Site != nil {
		id = x.Site.id
	}
	x.l.m.Request(id, x.status, x.sent)
}

// countProxy adds a forwarded request: its answer and the backend's
// latency.
func (l *loop) countProxy(up *upConn) {
	id := -1
	if up.site != nil {
		id = up.site.id
	}
	l.m.Request(id, up.status, up.sent)
	if up.st != nil {
		l.m.UpstreamLatency(up.st.m0+up.b, l.now-up.logAt)
	}
}

// gauges publishes the loop's open connections and cache bytes, once a
// second from the loop itself (the cache is the loop's alone).
func (l *loop) gauges() {
	_, bytes, _ := l.cache.Stats()
	l.m.Gauges(l.sessions.Load(), bytes)
	for i := range l.upstreams {
		st := &l.upstreams[i]
		for j := range st.backends {
			l.m.UpstreamDisabled(st.m0+j, st.backends[j].downUntil > l.now)
		}
	}
}

// backendsOf is the number of backends counted for u: an app is one.
func backendsOf(u *Upstream) int {
	if u.App != nil {
		return 1
	}
	return max(len(u.Servers), 1)
}

// metricsLayout is the shape of a worker's counters for this site.
func (rt *runtimeState) metricsLayout() metrics.Layout {
	n := 0
	for _, u := range rt.site.Upstreams {
		n += backendsOf(u)
	}
	return metrics.Layout{Websites: len(rt.websites), Backends: n}
}

// withOps makes the workers' shared counters and has the master serve
// the ops listen once its sockets are open.
func withOps(cfg *master.Config, rt *runtimeState, workers int) error {
	region, err := metrics.Create(rt.metricsLayout(), workers)
	if err != nil {
		return err
	}
	cfg.MetricsFD = region.FD
	ops := rt.site.Ops
	cfg.Ops = func(h *master.Health) error {
		addr := net.JoinHostPort(ops.IP, strconv.Itoa(ops.Port))
		if !h.Successor() {
			// Its predecessor answers there until it has handed over.
			if err := master.ProbeFree(addr); err != nil {
				return fmt.Errorf("ops: %w", err)
			}
		}
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			c.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1) })
			return serr
		}}
		ln, err := lc.Listen(context.Background(), "tcp", addr)
		if err != nil {
			return fmt.Errorf("ops: %w", err)
		}
		if ops.Port == 0 { // ephemeral: say which, for the startup line and tests
			ops.Port = ln.Addr().(*net.TCPAddr).Port
		}
		go func() {
			<-h.HandedOver()
			ln.Close() // the successor answers from now on
		}()
		src := rt.opsSource(h, region)
		go func() {
			if err := ops.Serve(ln, src); err != nil && !errors.Is(err, net.ErrClosed) {
				logs.Errorf("ops %s: %v", addr, err)
			}
		}()
		logs.Infof("ops: health and metrics on http://%s/", ln.Addr())
		return nil
	}
	return nil
}

// opsSource names the counters of rt for the ops endpoint.
func (rt *runtimeState) opsSource(h *master.Health, r *metrics.Region) *OpsSource {
	src := &OpsSource{Health: h, Snapshot: r.Snapshot}
	for _, w := range rt.websites {
		name := w.Domain
		if name == "" {
			name = "(default)"
			for _, ln := range rt.site.Listens {
				if ln.Hosts != nil && ln.Hosts.Default == w {
					name = "(default :" + strconv.Itoa(ln.Port) + ")"
					break
				}
			}
		}
		src.Websites = append(src.Websites, name)
	}
	src.Websites = append(src.Websites, "(none)")
	for _, u := range rt.site.Upstreams {
		if u.App != nil || len(u.Servers) == 0 {
			src.Backends = append(src.Backends, OpsBackend{Upstream: u.Name, Addr: u.Name})
			continue
		}
		for _, s := range u.Servers {
			src.Backends = append(src.Backends, OpsBackend{Upstream: u.Name, Addr: net.JoinHostPort(s.IP, strconv.Itoa(s.Port))})
		}
	}
	return src
}
