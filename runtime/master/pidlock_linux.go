package master

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// One copy of a site at a time.
//
// The master holds an exclusive flock on a lock file beside its pid file
// ("hetao.pid" → "hetao.lock") for as long as it runs; a second master
// with the same pid file finds it held and refuses to start ("already
// running, pid N"). A successor inherits the locked descriptor (as
// HETAO_LOCK_FD), so the lock — which belongs to the open file, not to a
// process — passes from the old master to the new one without a gap, and
// is released by the kernel when the last master holding it exits, even
// when killed. The pid file itself is still written (renamed into place)
// only once the site serves.
//
// A listening address held by anything else (another site with another
// pid file, another server) is refused too, before any socket is opened:
// SO_REUSEPORT would otherwise let the kernel split the traffic between
// the two. Addresses a successor inherits are not probed.

// EnvLockFD names the inherited descriptor of the lock (successor only).
const EnvLockFD = "HETAO_LOCK_FD"

// LockPath is the lock file of pidFile.
func LockPath(pidFile string) string {
	return strings.TrimSuffix(pidFile, ".pid") + ".lock"
}

// lock takes the site's lock: the one inherited from the previous master,
// or else a new one on LockPath(pidFile). It returns -1 and no error when
// there is no pid file, or when the lock file cannot be created (a
// read-only directory: the site still runs, without the guard).
func lock(pidFile string, warnf func(string, ...any)) (int, error) {
	if s, ok := os.LookupEnv(EnvLockFD); ok {
		os.Unsetenv(EnvLockFD)
		if fd, err := strconv.Atoi(s); err == nil && fd > 2 {
			unix.CloseOnExec(fd)
			return fd, nil
		}
	}
	if pidFile == "" {
		return -1, nil
	}
	path := LockPath(pidFile)
	if err := os.MkdirAll(dirOf(path), 0o755); err != nil {
		warnf("lock file: %v; running without the guard against a second copy", err)
		return -1, nil
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o644)
	if err != nil {
		warnf("lock file %s: %v; running without the guard against a second copy", path, err)
		return -1, nil
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			break
		}
	}
	if err == unix.EWOULDBLOCK {
		unix.Close(fd)
		if pid, err := ReadPid(pidFile); err == nil {
			return -1, fmt.Errorf("already running, pid %d (%s is locked)", pid, path)
		}
		return -1, fmt.Errorf("already running or starting (%s is locked)", path)
	}
	if err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "flock", Path: path, Err: err}
	}
	return fd, nil
}

// Locked reports whether a master holds the lock of pidFile. A pid file
// whose lock nobody holds is stale (its master was killed). Without a
// lock file (a site that could not create one) it reports true, and the
// caller relies on the pid alone.
func Locked(pidFile string) bool {
	fd, err := unix.Open(LockPath(pidFile), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true
	}
	defer unix.Close(fd)
	err = unix.Flock(fd, unix.LOCK_SH|unix.LOCK_NB)
	if err == nil {
		unix.Flock(fd, unix.LOCK_UN)
		return false
	}
	return true
}

func dirOf(path string) string {
	if i := strings.LastIndexByte(path, '/'); i > 0 {
		return path[:i]
	}
	return "."
}

// errAddrInUse is what a probe reports for a held address.
var errAddrInUse = errors.New("address in use")

// probeFree checks that nothing listens on addr ("ip:port" or
// "[ip6]:port"; port 0 and unparsable addresses are not probed): it binds
// a socket without SO_REUSEPORT, which the kernel refuses beside any
// socket listening there, SO_REUSEPORT or not. SO_REUSEADDR lets the
// probe pass over connections in TIME_WAIT.
func probeFree(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || ap.Port() == 0 {
		return nil
	}
	var sa unix.Sockaddr
	family := unix.AF_INET
	if ap.Addr().Is4() {
		sa = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
	} else {
		family = unix.AF_INET6
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("socket", err)
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt", err)
	}
	if family == unix.AF_INET6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	switch err := unix.Bind(fd, sa); err {
	case nil:
		return nil
	case unix.EADDRINUSE:
		return fmt.Errorf("listen %s: %w: another process listens there (ss -ltnp 'sport = %d' names it)", addr, errAddrInUse, ap.Port())
	default:
		return nil // EADDRNOTAVAIL and the like: the real bind reports it
	}
}

// CheckMaster verifies that pid, read from pidFile, is this site's
// master: its lock is held (a pid file left by a killed master names a
// pid the system may have given to anything since), and the process runs
// this binary (/proc/PID/exe; a binary replaced on disk since it started
// reads "PATH (deleted)" and still counts). It cannot read the link of
// another user's process; then the lock alone decides.
func CheckMaster(pidFile string, pid int) error {
	if !Locked(pidFile) {
		return fmt.Errorf("not running (pid %d in %s is stale: nothing holds %s)", pid, pidFile, LockPath(pidFile))
	}
	self, err := os.Executable()
	if err != nil {
		return nil
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/exe")
	if err != nil {
		return nil
	}
	exe = strings.TrimSuffix(exe, " (deleted)")
	if exe != self {
		return fmt.Errorf("pid %d in %s runs %s, not this site's binary %s: not touching it", pid, pidFile, exe, self)
	}
	return nil
}

// ProbeFree reports an error when something listens on addr.
func ProbeFree(addr string) error { return probeFree(addr) }
