package server

import (
	"net"
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
)

// An App is a Go handler compiled into the site (the configuration's `app`
// key; package runtime/app implements it with net/http, so that a site
// without an app does not link an HTTP server it never runs). The loop
// reaches an app as it reaches a backend: an Upstream whose App is set has
// one backend, the app, and "connecting" to it makes a socketpair whose
// other end ServeConn hands to the app's own http.Server. Requests and
// answers then take the forward code unchanged: streaming both ways with
// backpressure, pooled connections, 502 and 504, the access log.
type App interface {
	// StartApp is called once per process, before the first ServeConn,
	// with what the app's server needs from the site.
	StartApp(AppConfig)
	// ServeConn takes the app's end of a new connection. It must not
	// block: the loop's thread calls it.
	ServeConn(net.Conn)
}

// AppConfig is what an App's server takes from the site.
type AppConfig struct {
	Name         string        // the upstream's name, "app:example.com/shop/api.Serve", for logs
	MaxHeadBytes int           // the largest request head the site accepts (the proxy's own fields come on top)
	Timeout      time.Duration // the site's timeout: a request head the loop started sending must arrive within it
	IdleTimeout  time.Duration // an idle connection may be closed after it; the loop stops pooling it sooner
	Page500      []byte        // the body of a 500 (error_page_500, or the built-in page)
	Log          *logs.Logger  // the site's error log
}
