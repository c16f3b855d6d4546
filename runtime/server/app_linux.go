package server

import (
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// dialApp "connects" to the app of st, which has one backend (j): a
// socketpair whose loop end is registered like a backend socket, already
// connected, and whose other end goes to the app's http.Server, started
// the first time in this process. It never fails for the app's sake (only
// for want of descriptors), so the app is never disabled.
func (l *loop) dialApp(st *upState, j int) *upConn {
	u := st.u
	u.appOnce.Do(func() { u.App.StartApp(l.rt.appConfig(u)) })
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		l.rt.logErrorOnce("socketpair for an app: %v", err)
		return nil
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil
	}
	f := os.NewFile(uintptr(fds[1]), u.Name)
	nc, err := net.FileConn(f) // a duplicate in Go's poller
	f.Close()
	if err != nil {
		l.rt.logErrorOnce("socketpair for an app: %v", err)
		unix.Close(fds[0])
		return nil
	}
	up := &upConn{fd: fds[0], st: st, b: j, state: upHead}
	if !l.register(up) {
		nc.Close()
		return nil
	}
	u.App.ServeConn(nc)
	return up
}

// appConfig is what the app of u takes from the site.
func (rt *runtimeState) appConfig(u *Upstream) AppConfig {
	return AppConfig{
		Name:         u.Name,
		MaxHeadBytes: rt.headCap,
		Timeout:      time.Duration(rt.timeout) * time.Millisecond,
		IdleTimeout:  2 * time.Duration(rt.tune.poolIdle) * time.Millisecond,
		Page500:      rt.errorPage(500),
		Log:          rt.log,
	}
}
