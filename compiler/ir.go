package compiler

// The IR: a hetao configuration after parsing, normalisation (both the 2016
// layout and the listen → website layout end up here) and validation, with
// every default filled in. Emitters (package gen) see only these types, never
// JSON. Every node keeps the position of the object or key it came from so
// that generated code can name its config line.

// Pos is a position in a configuration file. Line and Col count from 1;
// Col counts bytes.
type Pos struct {
	File string
	Line int
	Col  int
}

// Config is a whole site configuration.
type Config struct {
	File string // the main configuration file as given on the command line
	// Hash is "sha256:" and the hex SHA-256 of the configuration's bytes:
	// the main file, then each !include in the order read, each preceded
	// by its length as 8 big-endian bytes.
	Hash string

	WorkerProcesses int  // 0: one per online CPU (hetao's -1 and 0 both map here)
	CPUAffinity     bool // worker i pinned to CPU i
	AcceptMutex     bool // accepted for compatibility; SO_REUSEPORT spreads connections
	ErrorLog        string
	LogLevel        string // DEBUG, INFO, WARN, ERROR or FATAL
	AccessLogFormat string // hetao, combined or json
	User            string // "" stays the starting user

	Ops        *Ops // the operations listen; nil none
	Limits     Limits
	Listens    []*Listen
	TCP        TCPOptions
	HTTP       HTTPOptions
	ErrorPages []ErrorPage // sorted by code
	MIME       []MIMEType  // sorted by extension; the built-in table when the config has none

	Pos Pos
}

// Ops is the operations listen: health and metrics, served by the master.
type Ops struct {
	IP   string // default 127.0.0.1: not for the world
	Port int
	Pos  Pos
}

// Limits are the limits section; 0 disables the header limits.
type Limits struct {
	MaxHTTPSessionCount    int   // concurrent connections per worker
	MaxFileCache           int64 // largest file kept in the in-memory cache, bytes
	MaxConnectionsPerIP    int   // per worker; -1 unlimited
	MaxHeadersCount        int   // default 128
	MaxHeadersLength       int   // bytes of the request head; default 4096
	MaxHeaderContentLength int64 // bytes of a request body; default 4 MiB
}

// Listen is one listening address and the websites served on it.
type Listen struct {
	IP       string // "" is every IPv4 address; IPv6 without brackets ("::" every address of both families)
	IPv6Only bool   // "::" takes IPv6 clients only
	Port     int
	SSL      *SSL // nil: plain HTTP
	HTTP2    bool // with SSL: ALPN offers h2 (the default)
	H2C      bool // without SSL: HTTP/2 with prior knowledge too
	Websites []*Website
	Pos      Pos
}

// SSL names a certificate and its key (PEM), and on a listen the TLS
// policy.
type SSL struct {
	CertificateFile    string
	CertificateKeyFile string
	MinVersion         string // "1.3" (modern), "1.2" or "" (Mozilla intermediate, the default)
	ACME               *ACME  // on a listen: certificates from a CA instead of the files
	Pos                Pos
}

// ACME is where a listen's certificates come from (RFC 8555).
type ACME struct {
	Email     string // the account's contact; "" none
	Directory string // the CA's directory URL
	Storage   string // directory of the account, certificates and keys; may hold $VAR$
	CAFile    string // PEM roots for the directory's HTTPS; "" the system's
	Pos       Pos
}

// Website is a virtual host. Domain "" is the listen's default website.
type Website struct {
	Domain    string
	Wwwroot   string   // may hold $VAR$, expanded when the site starts
	Index     []string // each starts with "/"
	AccessLog string   // "" no access log; may hold $VAR$
	SSL       *SSL     // its own certificate on an ssl listen (SNI); nil: the listen's

	Rewrites  []Rewrite
	Redirects []Redirect
	Forward   *Forward // nil: nothing is forwarded
	App       *App     // nil: no compiled-in application
	Locations []*Location
	Policy    // headers, cache

	Pos Pos
}

// Rewrite is one rewrite rule: the first whose Pattern matches wins.
type Rewrite struct {
	Pattern string // RE2 syntax, checked at build time
	NewURI  string // (n) and $n are capture group n
	Pos     Pos
}

// Redirect answers requests whose Host is Domain ("" every host) with
// Code and a Location built from NewDomain.
type Redirect struct {
	Domain    string
	NewDomain string
	Code      int // 301 unless configured
	Pos       Pos
}

// Forward is the reverse proxy of a website or location.
type Forward struct {
	Type    string // file extension without the dot; "" forwards extensionless URIs
	Rule    string // "R" round-robin or "L" least connections
	SSL     *SSL   // non-nil: TLS towards the backends
	Servers []ForwardServer
	Pos     Pos
}

// ForwardServer is one backend.
type ForwardServer struct {
	IP   string
	Port int
	Pos  Pos
}

// App is a compiled-in application handler (hetao's SOCGI/REST, as Go).
type App struct {
	Type    string // file extension that selects it; "" every request of the website or location
	Package string // Go import path of the handler's package
	Dir     string // local directory holding the module of Package ("" if it is in this module)
	Handler string // exported function in Package
	Pos     Pos

	// Resolved from Dir when the file system is consulted (see
	// Options.Build); what the build adds to the generated module.
	ModuleDir string // Dir with $VAR$ expanded from hetaoc's environment, absolute
	Module    string // the module path its go.mod declares
}

// LocationMatch says how a location's URI is compared.
type LocationMatch string

const (
	MatchExact  LocationMatch = "exact"  // the path equals URI
	MatchPrefix LocationMatch = "prefix" // the longest matching prefix wins
	MatchRegex  LocationMatch = "regex"  // tried in order after prefixes, first match wins
)

// Location overrides a website's behaviour for part of its URI space.
// Empty fields inherit the website's.
type Location struct {
	Match     LocationMatch
	URI       string
	Wwwroot   string
	Index     []string
	Rewrites  []Rewrite
	Redirects []Redirect
	Forward   *Forward
	App       *App
	Policy    // its own; merged over the website's by the generator
	Pos       Pos
}

// TCPOptions are socket options for client and backend sockets.
type TCPOptions struct {
	NoDelay bool
	Linger  int // -1 off; >= 0 SO_LINGER with that many seconds
}

// HTTPOptions are the http_options section; durations in seconds.
type HTTPOptions struct {
	CompressOn     bool
	Timeout        int // idle
	Elapse         int // one whole request/response
	ForwardDisable int // seconds a backend is skipped after a failed connect
}

// ErrorPage is a configured error page body.
type ErrorPage struct {
	Code int
	File string // may hold $VAR$
	Pos  Pos
}

// MIMEType maps one extension (no dot, case-sensitive) to a media type.
type MIMEType struct {
	Ext      string
	Type     string
	Compress bool
	Pos      Pos
}
