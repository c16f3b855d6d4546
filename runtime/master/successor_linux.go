package master

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// startSuccessor runs the binary now at cfg.Exe with every listening
// socket inherited and waits until it says it serves. On error the
// successor (if it still runs) is killed and the caller keeps serving.
func (m *master) startSuccessor() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	// Raw descriptors, not (*os.File).Fd, which would make them blocking.
	files := []uintptr{0, 1, 2, 0}
	rawW, err := w.SyscallConn()
	if err != nil {
		w.Close()
		return err
	}
	rawW.Control(func(fd uintptr) { files[3] = fd })
	addrs := make([]string, 0, len(m.fds))
	for i := range m.fds {
		var s []string
		for _, fd := range m.fds[i] {
			s = append(s, strconv.Itoa(len(files)))
			files = append(files, uintptr(fd))
		}
		addrs = append(addrs, m.cfg.Listens[i].Addr+"="+strings.Join(s, ","))
	}
	env := append(childEnv(), EnvReadyFD+"=3", EnvInherit+"="+strings.Join(addrs, ";"))
	env = append(env, EnvReloads+"="+strconv.FormatUint(m.health.reloads.Load()+1, 10))
	if m.lockFD >= 0 {
		env = append(env, EnvLockFD+"="+strconv.Itoa(len(files)))
		files = append(files, uintptr(m.lockFD))
	}
	if fd, err := m.tickets.memfd(); err != nil {
		m.cfg.Errorf("session-ticket keys for the successor: %v (its workers make new ones)", err)
	} else {
		defer unix.Close(fd)
		env = append(env, EnvTicketFD+"="+strconv.Itoa(len(files)))
		files = append(files, uintptr(fd))
	}
	pid, err := syscall.ForkExec(m.cfg.Exe, append([]string{m.cfg.Exe}, m.cfg.Args...), &syscall.ProcAttr{
		Env: env, Files: files,
	})
	w.Close()
	if err != nil {
		return fmt.Errorf("starting %s: %w", m.cfg.Exe, err)
	}
	m.cfg.Infof("SIGUSR2: started successor %s, pid %d", m.cfg.Exe, pid)
	p, _ := os.FindProcess(pid)
	exited := make(chan string, 1)
	go func() {
		st := "exited"
		if ps, err := p.Wait(); err == nil {
			st = describe(ps)
		}
		exited <- st
	}()
	r.SetReadDeadline(time.Now().Add(StartTimeout))
	line, rerr := bufio.NewReader(r).ReadString('\n')
	switch {
	case line == "R\n":
		return nil
	case strings.HasPrefix(line, "E "):
		err = fmt.Errorf("successor pid %d: %s", pid, strings.TrimSpace(line[2:]))
	case rerr != nil && os.IsTimeout(rerr):
		err = fmt.Errorf("successor pid %d not serving after %v", pid, StartTimeout)
	default:
		select {
		case st := <-exited:
			return fmt.Errorf("successor pid %d %s before serving", pid, st)
		case <-time.After(time.Second):
			err = fmt.Errorf("successor pid %d closed its ready pipe without serving", pid)
		}
	}
	p.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		p.Kill()
	}
	return err
}

// parseInherit reads HETAO_INHERIT: "ip:port=fd,fd;ip:port=fd".
func parseInherit(s string) map[string][]int {
	out := map[string][]int{}
	for _, part := range strings.Split(s, ";") {
		addr, list, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		for _, f := range strings.Split(list, ",") {
			if fd, err := strconv.Atoi(f); err == nil && fd > 2 {
				out[addr] = append(out[addr], fd)
			}
		}
	}
	return out
}

// ParseListenFDs reads HETAO_LISTEN_FDS: "0=5,6;1=7", listen index →
// descriptors.
func ParseListenFDs(s string) map[int][]int {
	out := map[int][]int{}
	for _, part := range strings.Split(s, ";") {
		idx, list, ok := strings.Cut(part, "=")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		for _, f := range strings.Split(list, ",") {
			if fd, err := strconv.Atoi(f); err == nil && fd > 2 {
				out[i] = append(out[i], fd)
			}
		}
	}
	return out
}

// Addr is the canonical form of a listen address, used to match inherited
// sockets: ip "" and "0.0.0.0" are the same address.
func Addr(ip string, port int) string {
	if ip == "" {
		ip = "0.0.0.0"
	}
	if strings.Contains(ip, ":") && !strings.HasPrefix(ip, "[") { // IPv6
		ip = "[" + ip + "]"
	}
	return ip + ":" + strconv.Itoa(port)
}

// ready is where this process reports that it serves: the pipe named by
// HETAO_READY_FD, if any.
type ready struct{ f *os.File }

func readyPipe() ready {
	s := os.Getenv(EnvReadyFD)
	os.Unsetenv(EnvReadyFD)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return ready{}
	}
	unix.CloseOnExec(fd)
	return ready{os.NewFile(uintptr(fd), "ready")}
}

// Fail tells whoever started this process (a reloading master, `site
// start`) why it cannot serve; it does nothing when nobody waits.
func Fail(err error) { readyPipe().fail(err) }

func (r ready) ok() {
	if r.f != nil {
		r.f.WriteString("R\n")
		r.f.Close()
	}
}

func (r ready) fail(err error) {
	if r.f != nil {
		r.f.WriteString("E " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n")
		r.f.Close()
	}
}

// notifySystemd sends state to $NOTIFY_SOCKET (sd_notify) when systemd
// runs the site with Type=notify; a successor names itself MAINPID.
func notifySystemd(state string) {
	path := os.Getenv("NOTIFY_SOCKET")
	if path == "" {
		return
	}
	if path[0] == '@' {
		path = "\x00" + path[1:]
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	unix.Sendto(fd, []byte(state), 0, &unix.SockaddrUnix{Name: path})
}
