package server

import (
	"github.com/hetaoc/hetao/runtime/access"
	"github.com/hetaoc/hetao/runtime/http1"
)

// Ctx is one request being answered. It belongs to the worker's loop and is
// reused for every request: nothing may keep it, or any slice it holds,
// after the website's Serve returns.
type Ctx struct {
	Req  *http1.Request
	Site *Website
	// Path is the request path, percent-decoded and cleaned: it starts with
	// "/" and has no dot segments. Query is the raw query (nil when none).
	// A rewrite phase replaces both.
	Path  []byte
	Query []byte

	l         *loop
	c         *conn
	out       answerStream                     // where the answer goes (answer.go)
	rewritten bool                             // a rewrite phase replaced Path and Query
	hdr       *Headers                         // fields the website or location adds (headers.go)
	tryBuf    []byte                           // scratch of TryFiles (tryfiles.go)
	limiters  map[*access.Rate]*access.Limiter // this loop's, kept across requests (access.go)
	status    int
	sent      int64 // body bytes
	pathBuf   []byte
}

func (x *Ctx) reset(c *conn) {
	x.l.h1.c = c
	x.out = &x.l.h1
	x.c, x.Site, x.Path, x.Query, x.status, x.sent, x.rewritten = c, nil, nil, nil, 0, 0, false
	x.hdr = nil
}

// serve runs the request phases that precede the website's own: pick the
// website by Host and clean the path.
func (x *Ctx) serve() {
	c, req := x.c, x.Req
	x.Site = c.ln.Hosts.Lookup(req.Host)
	if x.acmeHTTP01() { // a CA's validation comes before every website phase (tls_acme.go)
		x.log()
		return
	}
	if x.Site == nil {
		x.Error(421) // no website for this Host and no default one
		return
	}
	if len(req.Path) == 0 || req.Path[0] != '/' {
		// "OPTIONS *" and CONNECT's authority: no resource here has them.
		x.respond(405, "Allow: GET, HEAD\r\n", nil)
		x.log()
		return
	}
	p, err := http1.CleanPath(x.pathBuf[:0], req.Path)
	if err != nil {
		x.pathBuf = p[:0]
		x.Error(400)
		x.log()
		return
	}
	x.pathBuf, x.Path, x.Query = p, p, req.Query
	x.Site.Serve(x)
	x.log()
}

// badRequest answers a request that could not be parsed and closes. The
// line goes to the access log of the listen's default website, if any.
func (x *Ctx) badRequest(status int) {
	x.Error(status)
	x.Site = x.c.ln.Hosts.Default
	x.log()
}
