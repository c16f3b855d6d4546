package server

import "sync"

// Upstream is a group of backends that a website or location forwards
// requests to. Generated code declares one per forward block and lists them
// all in Site.Upstreams; each worker keeps its own balancing state, idle
// connection pool and disabled marks for it.
type Upstream struct {
	Name    string // for logs, e.g. `website "a.example" forward`
	Rule    byte   // 'R' round-robin, 'L' least connections
	TLS     bool   // talk TLS to the backends
	Servers []Backend

	// App, when set, makes the upstream an application compiled into the
	// site: its one backend is the App (Servers, Rule and TLS are unused),
	// it is never disabled, and Name stands for its address in the logs
	// ("app:example.com/shop/api.Serve").
	App App

	id      int       // index in Site.Upstreams
	appOnce sync.Once // App.StartApp, once per process
}

// Backend is one server of an upstream.
type Backend struct {
	IP   string
	Port int
}
