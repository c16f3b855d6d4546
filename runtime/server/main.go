package server

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Main runs a compiled site with the site binary's command line and returns
// the process exit code. Generated mains are one line:
//
//	func main() { os.Exit(server.Main(site, os.Args[1:])) }
func Main(site *Site, args []string) int {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() { siteUsage(os.Stderr, site) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "site: unknown command %q\n", fs.Arg(0))
		siteUsage(os.Stderr, site)
		return 2
	}
	return exitCode(serve(site))
}

func siteUsage(w io.Writer, site *Site) {
	fmt.Fprintf(w, `usage: %s
  Runs the site compiled from %s in the foreground.
  Signals: TERM graceful stop, INT fast stop, USR1 reopen logs.
`, filepath.Base(os.Args[0]), site.Conf)
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
	return exitCode(serve(site))
}

func exitCode(err error) int {
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		return 1
	}
	return 0
}
