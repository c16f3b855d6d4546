package server

import (
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/phash"
	"github.com/hetaoc/hetao/runtime/static"
)

// Site is a whole compiled site. Generated code fills it; Run owns it after.
type Site struct {
	Conf     string // the configuration it was compiled from, for messages
	ConfHash string // "sha256:…" of its bytes (compiler.Config.Hash)
	Hetaoc   string // the version of hetaoc that compiled it

	Workers     int  // 0: one per online CPU
	CPUAffinity bool // pin worker i to CPU i
	ErrorLog    string
	LogLevel    logs.Level
	User        string

	Limits  Limits
	TCP     TCPOptions
	HTTP    HTTPOptions
	Listens []*Listen

	MIME       *MIMETable
	ErrorPages []ErrorPage
	Upstreams  []*Upstream
	Roots      []*static.Root // locations' own document roots, opened at start

	// ACMEClient is runtime/acme, set by generated code only when a listen
	// has acme, so that other sites link no ACME client (tls_acme.go).
	ACMEClient *ACMEClient

	AccessLogFormat LogFormat // of every access log
	Ops             *Ops      // the operations listen; nil none

	tune *timings // tests: shorter fixed delays than defaultTimings
}

// Limits bound what one worker and one request may use. Zero disables a
// header limit; hard caps still apply so no client can exhaust memory.
type Limits struct {
	MaxSessions         int   // concurrent connections per worker
	MaxFileCache        int64 // largest file kept in memory
	MaxConnectionsPerIP int   // per worker; < 0 unlimited
	MaxHeaders          int   // header fields per request
	MaxHeadBytes        int   // request line + header fields
	MaxBody             int64 // request body
}

// TCPOptions are applied to every accepted and every backend socket.
type TCPOptions struct {
	NoDelay bool
	Linger  int // < 0 off
}

// HTTPOptions hold the protocol policy. The configuration counts whole
// seconds; the runtime keeps milliseconds, so tests can use short ones. A
// duration of zero or less is one second.
type HTTPOptions struct {
	Compress       bool
	Timeout        time.Duration // idle: re-armed on every read and write
	Elapse         time.Duration // one request/response cycle
	ForwardDisable time.Duration // a backend that failed is skipped this long
}

// Listen is one listening socket and the Host → website table behind it.
type Listen struct {
	IP       string // "" every IPv4 address; IPv6 ("::1", "::" both families) too
	IPv6Only bool   // "::" takes IPv6 clients only
	Port     int
	TLS      *TLS
	Hosts    *HostTable
	// NoHTTP2 keeps a TLS listen to HTTP/1.1: ALPN offers h2 otherwise.
	NoHTTP2 bool
	// H2C makes a plain listen take HTTP/2 with prior knowledge (a
	// connection that starts with the preface) besides HTTP/1.x.
	H2C bool
}

// TLS names PEM files; paths may hold $VAR$. CertFile is the listen's
// default certificate; Certs are the websites' own, chosen by SNI.
type TLS struct {
	CertFile   string
	KeyFile    string
	MinVersion uint16 // 0: TLS 1.2 (Mozilla intermediate); tls.VersionTLS13: modern
	Certs      []Cert
	ACME       *ACME // certificates obtained and renewed by the master (tls_acme.go)
}

// Cert is a website's own certificate on a TLS listen.
type Cert struct {
	Domain   string // the website's domain, as configured
	CertFile string
	KeyFile  string
}

// HostTable finds the website for a Host header: a perfect hash over the
// configured domains (lower-cased), looked up exactly, then without ":port";
// nil Default means an unknown Host is refused.
type HostTable struct {
	Table   phash.Table
	Sites   []*Website // parallel to Table.Keys
	Default *Website
}

// Website is a virtual host: its constants and its generated handler.
type Website struct {
	Domain    string
	AccessLog string // "" none; may hold $VAR$
	Root      *static.Root
	Serve     func(c *Ctx) // the generated request phases

	id  int        // index in the site's websites, for per-loop state
	log *logs.File // the access log, opened at start
}

// MIMETable maps a file extension (case-sensitive, no dot) to its type.
type MIMETable struct {
	Table phash.Table
	Types []static.MIME // parallel to Table.Keys
}

// ErrorPage is a configured error body, read once when the site starts.
type ErrorPage struct {
	Code int
	File string // may hold $VAR$
}

// Lookup finds the website for a Host header value: the exact name
// (case-insensitive), then the name without ":port" or a trailing dot, then
// the default website. It does not allocate.
func (t *HostTable) Lookup(host []byte) *Website {
	if t == nil {
		return nil
	}
	if len(host) > 0 {
		if i := t.Table.Index(host); i >= 0 {
			return t.Sites[i]
		}
		if h := bareHost(host); len(h) != len(host) {
			if i := t.Table.Index(h); i >= 0 {
				return t.Sites[i]
			}
		}
	}
	return t.Default
}

// bareHost is a Host value without its ":port" and without a trailing dot.
func bareHost(h []byte) []byte {
	if j := lastByte(h, ':'); j >= 0 && lastByte(h, ']') < j {
		h = h[:j]
	}
	if len(h) > 1 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	return h
}

func lastByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// mime returns the type of an extension, or nil when unknown.
func (t *MIMETable) mime(ext []byte) *static.MIME {
	if t == nil {
		return nil
	}
	if i := t.Table.Index(ext); i >= 0 {
		return &t.Types[i]
	}
	return nil
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
