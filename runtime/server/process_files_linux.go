package server

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// defaultPidFile is hetao.pid next to the error log when the site logs
// to a file. Without one (error_log "" or a device such as /dev/stderr)
// it is named after the configuration and its hash, so that two such
// sites never share it ("hetao-0123456789ab.pid"), in the first writable
// of $XDG_RUNTIME_DIR, /run/hetao (root), the binary's directory and the
// temporary directory.
func defaultPidFile(site *Site) string {
	if p, err := Expand(site.ErrorLog); err == nil && p != "" && !strings.HasPrefix(p, "/dev/") && !strings.HasPrefix(p, "/proc/") {
		if abs, err := filepath.Abs(filepath.Join(filepath.Dir(p), "hetao.pid")); err == nil {
			return abs
		}
		return filepath.Join(filepath.Dir(p), "hetao.pid")
	}
	name := strings.TrimSuffix(filepath.Base(site.Conf), filepath.Ext(site.Conf))
	if h := strings.TrimPrefix(site.ConfHash, "sha256:"); len(h) >= 12 {
		name += "-" + h[:12]
	}
	name += ".pid"
	var dirs []string
	if d := os.Getenv("XDG_RUNTIME_DIR"); filepath.IsAbs(d) {
		dirs = append(dirs, d)
	}
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/hetao", 0o755)
		dirs = append(dirs, "/run/hetao")
	}
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	for _, d := range dirs {
		if unix.Access(d, unix.W_OK) == nil {
			return filepath.Join(d, name)
		}
	}
	return filepath.Join(os.TempDir(), name)
}

// servingURLs names the site's listens as URLs, for the line a master in
// the foreground prints: "http://127.0.0.1:9527/ and https://0.0.0.0:443/".
func servingURLs(site *Site) string {
	var urls []string
	for _, ln := range site.Listens {
		scheme, ip := "http", ln.IP
		if ln.TLS != nil {
			scheme = "https"
		}
		if ip == "" {
			ip = "0.0.0.0"
		}
		urls = append(urls, fmt.Sprintf("%s://%s/", scheme, net.JoinHostPort(ip, strconv.Itoa(ln.Port))))
	}
	s := strings.Join(urls, " and ")
	if site.Ops != nil {
		s += fmt.Sprintf(" (health and metrics on http://%s/)", net.JoinHostPort(site.Ops.IP, strconv.Itoa(site.Ops.Port)))
	}
	return s
}
