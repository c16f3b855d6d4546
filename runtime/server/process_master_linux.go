package server

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/master"
)

// runSite runs the site in the foreground: as a worker when the master
// started this process as one, else as the master of site.Workers worker
// processes. pidFile "" writes none.
func runSite(site *Site, args []string, pidFile string) error {
	if w := master.AsWorker(); w != nil {
		os.Exit(runWorker(site, w))
	}
	if code, ok := master.AsInit(pidFile); ok {
		os.Exit(code)
	}
	err := runMaster(site, args, pidFile)
	if err != nil {
		master.Fail(err) // a reloading master or `site start` logs why
	}
	return err
}

func runMaster(site *Site, args []string, pidFile string) error {
	cred, err := credential(site.User)
	if err != nil {
		return err
	}
	// ACME first: the certificates (or their stand-ins) must be there
	// for prepare to load them (tls_acme.go).
	acmeCfg, acmeLog, err := prepareACME(site, cred)
	if err != nil {
		return err
	}
	// The master checks the whole site (paths, logs, roots, error pages)
	// before anything starts, so a bad site fails here with a clear error.
	rt, err := prepare(site, true)
	if err != nil {
		return err
	}
	for _, line := range acmeLog {
		logs.Infof("%s", line)
	}
	chownLogs(rt, cred)
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	n := site.Workers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	cfg := master.Config{
		Workers:    n,
		Exe:        exe,
		Args:       args,
		Credential: cred,
		PidFile:    pidFile,
		Elapse:     time.Duration(rt.elapse) * time.Millisecond,
		ReopenLogs: func() { reopenLogs(rt); chownLogs(rt, cred) },
		Serving:    func() string { return servingURLs(site) },
		Infof:      logs.Infof,
		Errorf:     logs.Errorf,
	}
	if site.Ops != nil {
		if err := withOps(&cfg, rt, n); err != nil {
			return err
		}
	}
	for _, ln := range site.Listens {
		cfg.Listens = append(cfg.Listens, master.Listen{
			Addr: master.Addr(ln.IP, ln.Port),
			Open: func() (int, error) {
				fd, err := listenSocket(ln, site.TCP)
				if err == nil && ln.Port == 0 { // ephemeral: the next sockets share it
					ln.Port = sockPort(fd)
				}
				return fd, err
			},
		})
	}
	if acmeCfg != nil {
		tell := make(chan byte, 1)
		cfg.Tell = tell
		acmeCfg.Infof, acmeCfg.Errorf = logs.Infof, logs.Errorf
		acmeCfg.Changed = func() {
			select {
			case tell <- 'C':
			default: // one already waiting says it all
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		cfg.Started = func() { go site.ACMEClient.Run(ctx, *acmeCfg) }
	}
	return master.Run(cfg)
}

// credential resolves the configured user; "" keeps the current one.
func credential(name string) (*syscall.Credential, error) {
	if name == "" {
		return nil, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("user %q: %v (set \"user\" to an existing user, or \"\" to keep the current one)", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if uid == os.Geteuid() && gid == os.Getegid() {
		return nil, nil
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("user %q: only root can switch the workers to another user (running as uid %d)", name, os.Geteuid())
	}
	var groups []uint32
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil {
				groups = append(groups, uint32(n))
			}
		}
	}
	// The child calls setgroups, setgid, then setuid before exec.
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}, nil
}

// chownLogs gives the log files the master created to the workers' user,
// so the workers can append to them and reopen them after a rotation.
func chownLogs(rt *runtimeState, cred *syscall.Credential) {
	if cred == nil {
		return
	}
	var paths []string
	if p, err := Expand(rt.site.ErrorLog); err == nil && p != "" {
		paths = append(paths, p)
	}
	for _, w := range rt.websites {
		if w.log != nil {
			paths = append(paths, w.log.Path)
		}
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
			continue // /dev/stderr and the like stay as they are
		}
		if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
			logs.Errorf("chown %s: %v", p, err)
		}
	}
}
