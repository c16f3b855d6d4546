// Package app serves a Go http.Handler compiled into a site (the
// configuration's `app` key) as a server.App: the site's event loop reaches
// it as an upstream, over socketpairs, and this package runs an ordinary
// net/http server on their other ends, in the worker process.
//
// Generated code declares one per app block:
//
//	var app1 = &server.Upstream{
//		Name: "app:example.com/shop/api.Serve",
//		App:  app.New(http.HandlerFunc(api.Serve)),
//	}
//
// The handler sees an ordinary *http.Request: the client's method, target
// (rewritten, if a rewrite ran), Host and fields, the proxy's
// X-Forwarded-For, X-Real-IP and X-Forwarded-Proto, and RemoteAddr set to
// the client's address ("IP:0": the proxy passes no port). A handler may
// take its connection over with http.Hijacker to switch protocols
// (WebSocket): the site passes its 101 on, then tunnels the bytes. A panic
// is logged to the error log and answered 500 when nothing was sent yet;
// otherwise the answer is cut off.
package app

import (
	"bufio"
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/server"
)

// Server is one app: its handler and, once the loop first dials it, the
// in-process http.Server that runs it.
type Server struct {
	h   http.Handler
	cfg server.AppConfig
	ln  *listener
	srv *http.Server
}

// New makes an app of h; the site starts its server on first use.
func New(h http.Handler) *Server { return &Server{h: h} }

// StartApp starts the app's http.Server on a listener that ServeConn
// feeds (server.App).
func (a *Server) StartApp(cfg server.AppConfig) {
	a.cfg = cfg
	a.ln = newListener(cfg.Name)
	a.srv = &http.Server{
		Handler: http.HandlerFunc(a.serve),
		// The loop sends a whole head at once and bounds the rest itself
		// (timeout, elapse, 504), so only the head has a deadline here.
		ReadHeaderTimeout: cfg.Timeout,
		IdleTimeout:       cfg.IdleTimeout,
		// net/http allows 4 KiB over this, room for the proxy's fields.
		MaxHeaderBytes:               cfg.MaxHeadBytes,
		ErrorLog:                     log.New(errorLog{cfg.Name, a.log()}, "", 0),
		DisableGeneralOptionsHandler: true, // the site answers OPTIONS * itself; net/http must not answer for the app
	}
	go a.srv.Serve(a.ln)
}

// ServeConn hands the app its end of a new connection (server.App).
func (a *Server) ServeConn(c net.Conn) { a.ln.push(c) }

// Close stops the app's server and closes its connections; a site never
// needs to (its process exits), tests do.
func (a *Server) Close() error {
	if a.srv == nil {
		return nil
	}
	return a.srv.Close()
}

// serve runs the handler for one request: the client's address in
// RemoteAddr, and a panic answered 500.
func (a *Server) serve(w http.ResponseWriter, r *http.Request) {
	if ip := r.Header.Get("X-Real-IP"); ip != "" {
		r.RemoteAddr = net.JoinHostPort(ip, "0")
	}
	rw := &writer{ResponseWriter: w}
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { // the handler's own way to cut the answer off
			panic(v)
		}
		a.log().Errorf("%s: panic serving %s %s: %v\n%s", a.cfg.Name, r.Method, r.URL.RequestURI(), v, debug.Stack())
		if rw.hijacked != nil {
			rw.hijacked.Close() // the handler owned it: nobody else will close it
			return
		}
		if rw.wrote {
			// Too late for a 500: send what there is and cut the answer
			// off, so that the client sees it broken (and the loop does
			// not take a silent connection for a stale one and retry).
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		h := w.Header()
		clear(h)
		h.Set("Content-Type", "text/html")
		h.Set("Content-Length", strconv.Itoa(len(a.cfg.Page500)))
		w.WriteHeader(http.StatusInternalServerError)
		w.Write(a.cfg.Page500)
	}()
	a.h.ServeHTTP(rw, r)
}

// writer notes whether the handler has started its answer. It implements
// http.Flusher, io.ReaderFrom and http.Hijacker as net/http's own writer
// does, and Unwrap for http.ResponseController.
type writer struct {
	http.ResponseWriter
	wrote    bool
	hijacked net.Conn
}

func (w *writer) WriteHeader(code int) {
	if code >= 200 {
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *writer) Flush() {
	w.wrote = true
	w.ResponseWriter.(http.Flusher).Flush()
}

func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	w.wrote = true
	return w.ResponseWriter.(io.ReaderFrom).ReadFrom(r)
}

// Hijack hands the handler its connection, for a protocol it switches to
// (WebSocket): the site passes the handler's 101 on and tunnels the rest.
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.wrote, w.hijacked = true, c
	}
	return c, brw, err
}

func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// log is the site's error log (the process's, when the site gave none).
func (a *Server) log() *logs.Logger {
	if a.cfg.Log != nil {
		return a.cfg.Log
	}
	return logs.Std()
}

// errorLog sends the http.Server's own messages to the site's error log.
type errorLog struct {
	name string
	log  *logs.Logger
}

func (e errorLog) Write(p []byte) (int, error) {
	e.log.Errorf("%s: %s", e.name, bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// listener is the app's net.Listener: Accept returns the connections
// ServeConn pushes, which never blocks.
type listener struct {
	addr   addr
	mu     sync.Mutex
	q      []net.Conn
	closed bool
	ready  chan struct{} // a connection was queued
	done   chan struct{} // closed by Close
	pushed int           // connections handed over, for tests
}

func newListener(name string) *listener {
	return &listener{addr: addr(name), ready: make(chan struct{}, 1), done: make(chan struct{})}
}

func (l *listener) push(c net.Conn) {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		c.Close()
		return
	}
	l.q = append(l.q, c)
	l.pushed++
	l.mu.Unlock()
	select {
	case l.ready <- struct{}{}:
	default:
	}
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return nil, net.ErrClosed
		}
		if len(l.q) > 0 {
			c := l.q[0]
			l.q[0] = nil
			l.q = l.q[1:]
			l.mu.Unlock()
			return c, nil
		}
		l.mu.Unlock()
		select {
		case <-l.ready:
		case <-l.done:
		}
	}
}

func (l *listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	q := l.q
	l.q = nil
	l.mu.Unlock()
	close(l.done)
	for _, c := range q {
		c.Close()
	}
	return nil
}

func (l *listener) Addr() net.Addr { return l.addr }

// addr is the listener's address: the app's name.
type addr string

func (a addr) Network() string { return "app" }
func (a addr) String() string  { return string(a) }
