package server

import "github.com/hetaoc/hetao/runtime/static"

// The API generated code calls. A generated main fills a *Site (site.go:
// Site, Website, Listen, HostTable, Upstream, Limits …) and calls Main or
// MainMini (main.go); each website's generated Serve runs its phases on a
// *Ctx (ctx.go) with the methods below, whose behaviour lives in the file
// named beside each. Other phases' methods live with their behaviour:
// RewriteTo, RewriteSubject, Expand, Answered (rewrite.go, and
// rewrite_table.go for large rule sets), TryFiles (tryfiles.go),
// SetHeaders (headers.go), Forbidden, RateLimited, RemoteAddr (access.go),
// the basic authentication (auth.go), StaticAutoindex (autoindex.go).

// Static answers the request from a document root: the content phase of a
// website whose request was not redirected, forwarded or given to an app
// (static_answer.go).
func (x *Ctx) Static(root *static.Root) { x.static(root) }

// Redirect answers with code (301, 302, 303, 307 or 308) and a Location made
// from target: a target with a path is used as it is; a bare scheme://host
// or host keeps the request's path and query (http:// is assumed for a bare
// host, https:// on a TLS listener) (redirect.go).
func (x *Ctx) Redirect(code int, target string) { x.redirect(code, target) }

// Forward sends the request to one of u's backends and streams the answer
// back: the forward phase. The request line carries the current path and
// query (rewritten or not); hop-by-hop fields are dropped; Host is passed
// through; X-Forwarded-For, X-Real-IP and X-Forwarded-Proto are set. The
// body's framing is written from the parsed request, a chunked body
// re-chunked (see forwardBody), never copied from the client
// (proxy_linux.go; the backend is chosen in proxy_pool_linux.go).
func (x *Ctx) Forward(u *Upstream) { x.forward(u) }

// Error answers with status code and its error page (respond.go).
func (x *Ctx) Error(code int) { x.respond(code, "", nil) }

// IndexIs reports whether the request is for a directory whose index file
// (the first of root's that exists) has extension ext. If so, the request
// now names that file, as nginx's index does before its content phase, so a
// forward sends /dir/index.php and a static phase would never serve the
// file's source (static_answer.go).
func (x *Ctx) IndexIs(root *static.Root, ext string) bool { return x.indexIs(root, ext) }

// HostIs reports whether the request's Host names domain the way website
// lookup does: ASCII case-insensitive, exactly or without ":port" or a
// trailing dot. It does not allocate.
func (x *Ctx) HostIs(domain string) bool {
	return equalFold(x.Req.Host, domain) || equalFold(bareHost(x.Req.Host), domain)
}
