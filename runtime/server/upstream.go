package server

// Upstream is a group of backends that a website or location forwards
// requests to. Generated code declares one per forward block and lists them
// all in Site.Upstreams; each worker keeps its own balancing state, idle
// connection pool and disabled marks for it.
type Upstream struct {
	Name    string // for logs, e.g. `website "a.example" forward`
	Rule    byte   // 'R' round-robin, 'L' least connections
	TLS     bool   // talk TLS to the backends
	Servers []Backend

	id int // index in Site.Upstreams
}

// Backend is one server of an upstream.
type Backend struct {
	IP   string
	Port int
}
