package server

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// Main runs a compiled site with the site binary's command line and returns
// the process exit code. Generated mains are one line:
//
//	func main() { os.Exit(server.Main(site, os.Args[1:])) }
//
// With no command the site runs in the foreground (master and workers, for
// systemd and containers); the commands replace hetao.sh (see siteUsage).
func Main(site *Site, args []string) int {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	pidFile := fs.String("pid", "", "pid file (default: hetao.pid next to the error log, or one named after the configuration in $XDG_RUNTIME_DIR, /run/hetao or beside the binary)")
	version := fs.Bool("version", false, "print the configuration's hash and the hetaoc and Go versions that built this binary")
	fs.Usage = func() { siteUsage(os.Stderr, site, fs) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *version {
		fmt.Printf("%s %s, hetaoc %s, %s\n", site.Conf, site.ConfHash, site.Hetaoc, runtime.Version())
		return 0
	}
	if *pidFile == "" {
		*pidFile = defaultPidFile(site)
	} else if abs, err := filepath.Abs(*pidFile); err == nil {
		*pidFile = abs
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(os.Stderr, "site: one command at a time, not %q\n", fs.Args())
		return 2
	}
	// Workers, the daemon and a successor run with the flags only.
	fore := []string{"-pid", *pidFile}
	switch fs.Arg(0) {
	case "":
		return exitCode(runSite(site, fore, *pidFile))
	case "start":
		return cmdStart(site, fore, *pidFile)
	case "stop":
		return cmdStop(site, *pidFile)
	case "reload":
		return cmdReload(site, *pidFile)
	case "reopen":
		return cmdReopen(*pidFile)
	case "status":
		return cmdStatus(*pidFile)
	}
	fmt.Fprintf(os.Stderr, "site: unknown command %q\n", fs.Arg(0))
	siteUsage(os.Stderr, site, fs)
	return 2
}

func siteUsage(w io.Writer, site *Site, fs *flag.FlagSet) {
	fmt.Fprintf(w, `usage: %s [-pid FILE] [-version] [command]
  Runs the site compiled from %s.

  (none)  run in the foreground: master and worker processes (systemd, containers)
  start   run as a daemon; wait until it serves; print its pid
  stop    graceful stop (TERM) of the running master; wait until it is gone
  reload  start the binary now at this path with the listening sockets inherited
          (USR2); wait until the new master serves and the old one is gone
  reopen  reopen the access and error logs (USR1), after a rotation
  status  the master and its workers, with their pids and sessions

  Signals to the master: TERM graceful stop, INT fast stop, USR1 reopen logs,
  USR2 start the successor. A worker killed is replaced within a second.

  Environment: HETAO_ACCESS_LOG, the access log of every website whose
  configuration names none ("-" standard output; the container image sets it).

`, filepath.Base(os.Args[0]), site.Conf)
	fs.PrintDefaults()
}

// MainMini runs minihetao: the site compiled from templates/minihetao.conf,
// serving the folder named on the command line.
//
//	minihetao [-l ADDR] [-p PORT] DIR
func MainMini(site *Site, args []string) int {
	fs := flag.NewFlagSet("minihetao", flag.ContinueOnError)
	addr := fs.String("l", "", "listen address (default: every IPv4 address)")
	port := fs.Int("p", 0, "listen port (default: the compiled one)")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: minihetao [-l ADDR] [-p PORT] DIR\n  Serves the folder DIR over HTTP with no configuration.\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	dir, err := filepath.Abs(fs.Arg(0))
	if err == nil {
		var st os.FileInfo
		if st, err = os.Stat(dir); err == nil && !st.IsDir() {
			err = fmt.Errorf("%s is not a directory", dir)
		}
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "minihetao: %v\n", err)
		return 1
	}
	os.Setenv("MINIHETAO_ROOT", dir)
	for _, ln := range site.Listens {
		if *addr != "" {
			ln.IP = *addr
		}
		if *port != 0 {
			ln.Port = *port
		}
	}
	// minihetao runs master and workers in the foreground, as hetao's did,
	// without a pid file; workers re-read the same command line.
	return exitCode(runSite(site, args, ""))
}

func exitCode(err error) int {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		return 1
	}
	return 0
}
