package server

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/hetaoc/hetao/runtime/envvar"
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/static"
)

// EnvAccessLog names the environment variable that gives the access log of
// every website whose configuration names none ("-": standard output). The
// container image hetaoc builds sets it to "-" (gen/image).
const EnvAccessLog = "HETAO_ACCESS_LOG"

// runtimeState is what a site becomes when it starts: paths expanded, files
// opened, limits converted. It is shared read-only by the loops.
type runtimeState struct {
	site       *Site
	websites   []*Website
	roots      []*static.Root
	limits     http1.Limits
	headCap    int   // the largest request head, after which Parse answers 414/431
	timeout    int64 // ms
	elapse     int64 // ms
	disable    int64 // ms a backend that failed is skipped (forward_disable)
	tune       timings
	log        *logs.Logger // the error log
	mimeOf     func(ext []byte) *static.MIME
	pages      map[int][]byte
	tls        map[*Listen]*tls.Config
	certs      map[*Listen]*listenCerts // what the tls configurations' GetCertificate reads (tls_config.go)
	acmeStores []string                 // acme storage directories, for HTTP-01 (tls_acme.go)
	logOnce    sync.Map
}

// timings are the runtime's fixed delays, in ms on the loop clock. They
// belong to the instance so that tests can shorten them (Site.tune); a
// site always runs with defaultTimings.
type timings struct {
	linger    int64         // a connection closing after an error answer drains input this long
	connect   int64         // a backend that does not answer a connect within it is skipped
	fresh     int64         // a new connection's time to send its request when the loop stops
	poolIdle  int64         // a pooled backend connection unused this long is not reused
	handshake time.Duration // the longest TLS handshake (the site's timeout bounds it too)
}

var defaultTimings = timings{
	linger:    2000,
	connect:   5000,
	fresh:     1000,
	poolIdle:  60_000,
	handshake: 10 * time.Second,
}

// ms converts a configured duration to the loop clock's milliseconds; zero
// or less is one second.
func ms(d time.Duration) int64 {
	if d <= 0 {
		return 1000
	}
	return max(d.Milliseconds(), 1)
}

// prepare resolves everything dynamic about a site: $VAR$ paths, logs,
// document roots and error pages. A site that is the whole process
// (process) sends the process's error log to its error_log; one started
// beside others (Start) has an error log of its own.
func prepare(site *Site, process bool) (*runtimeState, error) {
	rt := &runtimeState{
		site:    site,
		timeout: ms(site.HTTP.Timeout),
		elapse:  ms(site.HTTP.Elapse),
		disable: ms(site.HTTP.ForwardDisable),
		tune:    defaultTimings,
		limits: http1.Limits{
			MaxHeaders:   site.Limits.MaxHeaders,
			MaxHeadBytes: site.Limits.MaxHeadBytes,
			MaxBody:      site.Limits.MaxBody,
		},
		headCap: site.Limits.MaxHeadBytes,
		mimeOf:  site.MIME.mime,
		pages:   make(map[int][]byte),
	}
	if rt.headCap <= 0 || rt.headCap > http1.HardMaxHeadBytes {
		rt.headCap = http1.HardMaxHeadBytes
	}
	errLog, err := Expand(site.ErrorLog)
	if err != nil {
		return nil, fmt.Errorf("error_log: %w", err)
	}
	if site.tune != nil {
		rt.tune = *site.tune
	}
	if process {
		if err := logs.Setup(errLog, site.LogLevel); err != nil {
			return nil, fmt.Errorf("error_log: %w", err)
		}
		rt.log = logs.Std()
	} else if rt.log, err = logs.New(errLog, site.LogLevel); err != nil {
		return nil, fmt.Errorf("error_log: %w", err)
	}
	logFiles := map[string]*logs.File{}
	// A website that names no access log writes to $HETAO_ACCESS_LOG when
	// it is set: the image hetaoc builds sets "-", standard output, as a
	// container's logs are expected to be.
	accessDefault := os.Getenv(EnvAccessLog)
	seen := map[*Website]bool{}
	rootSeen := map[*static.Root]bool{}
	for _, ln := range site.Listens {
		if ln.Hosts == nil {
			continue
		}
		sites := append([]*Website{ln.Hosts.Default}, ln.Hosts.Sites...)
		for _, w := range sites {
			if w == nil || seen[w] {
				continue
			}
			seen[w] = true
			w.id = len(rt.websites)
			rt.websites = append(rt.websites, w)
			if al := cmp.Or(w.AccessLog, accessDefault); al != "" {
				path, err := Expand(al)
				if err != nil {
					return nil, fmt.Errorf("website %q access_log: %w", w.Domain, err)
				}
				if logFiles[path] == nil {
					if logFiles[path], err = logs.OpenFile(path); err != nil {
						return nil, fmt.Errorf("website %q access_log: %w", w.Domain, err)
					}
				}
				w.log = logFiles[path]
			}
			if w.Root != nil && !rootSeen[w.Root] {
				rootSeen[w.Root] = true
				if err := rt.openRoot(w.Root); err != nil {
					return nil, fmt.Errorf("website %q: %w", w.Domain, err)
				}
			}
		}
	}
	rt.tls, rt.certs = make(map[*Listen]*tls.Config), make(map[*Listen]*listenCerts)
	for _, ln := range site.Listens {
		if ln.TLS != nil {
			if rt.tls[ln], rt.certs[ln], err = listenTLS(ln); err != nil {
				return nil, err
			}
			if s := rt.certs[ln].storage; s != "" {
				rt.acmeStores = append(rt.acmeStores, s)
			}
		}
	}
	for i, u := range site.Upstreams {
		u.id = i
	}
	for _, r := range site.Roots {
		if !rootSeen[r] {
			rootSeen[r] = true
			if err := rt.openRoot(r); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range site.ErrorPages {
		path, err := Expand(p.File)
		if err != nil {
			return nil, fmt.Errorf("error_page_%d: %w", p.Code, err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("error_page_%d: %w", p.Code, err)
		}
		rt.pages[p.Code] = b
	}
	return rt, nil
}

// openRoot opens a document root; generated code may declare more roots
// than websites (locations), and each is opened once.
// release closes the document roots and access logs once no loop uses
// them any more.
func (rt *runtimeState) release() {
	if rt.log != logs.Std() {
		rt.log.Close()
	}
	for _, r := range rt.roots {
		r.Close()
	}
	closed := map[*logs.File]bool{}
	for _, w := range rt.websites {
		if w.log != nil && !closed[w.log] {
			closed[w.log] = true
			w.log.Close()
		}
	}
}

func (rt *runtimeState) openRoot(r *static.Root) error {
	dir, err := Expand(r.Dir)
	if err != nil {
		return fmt.Errorf("wwwroot: %w", err)
	}
	if err := r.Open(dir, len(rt.roots)); err != nil {
		return err
	}
	rt.roots = append(rt.roots, r)
	return nil
}

// errorPage returns the body for an error status: the configured page, or
// a small default one.
func (rt *runtimeState) errorPage(code int) []byte {
	if b, ok := rt.pages[code]; ok {
		return b
	}
	if b, ok := defaultPages[code]; ok {
		return b
	}
	return defaultPage(code)
}

var defaultPages = func() map[int][]byte {
	m := map[int][]byte{}
	for _, c := range []int{301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 408, 413, 414, 416, 421, 429, 431, 500, 501, 502, 503, 504, 505} {
		m[c] = defaultPage(c)
	}
	return m
}()

func defaultPage(code int) []byte {
	t := strconv.Itoa(code) + " " + http1.StatusText(code)
	return []byte("<html>\r\n<head><title>" + t + "</title></head>\r\n<body>\r\n<center><h1>" + t +
		"</h1></center>\r\n<hr><center>hetao</center>\r\n</body>\r\n</html>\r\n")
}

// logErrorOnce logs a message once per process, for conditions that would
// otherwise repeat on every event.
func (rt *runtimeState) logErrorOnce(format string, args ...any) {
	if _, dup := rt.logOnce.LoadOrStore(format, true); !dup {
		rt.log.Errorf(format, args...)
	}
}

// Expand replaces each $NAME$ in s with the environment variable NAME. An
// unset variable is an error; a "$" without a closing "$" stays as it is.
func Expand(s string) (string, error) { return envvar.Expand(s, os.LookupEnv) }
