package server

import (
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hetaoc/hetao/runtime/access"
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
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
	rewritten bool                             // a rewrite phase replaced Path and Query
	hdr       *Headers                         // fields the website or location adds (headers.go)
	tryBuf    []byte                           // scratch of TryFiles (tryfiles.go)
	limiters  map[*access.Rate]*access.Limiter // this loop's, kept across requests (access.go)
	status    int
	sent      int64 // body bytes
	pathBuf   []byte
}

// bodyInline is the largest body copied into the batch buffer; larger
// cached bodies are written straight from the cache.
const bodyInline = 16 << 10

const serverLine = "Server: hetao\r\n"

func (x *Ctx) reset(c *conn) {
	x.c, x.Site, x.Path, x.Query, x.status, x.sent, x.rewritten = c, nil, nil, nil, 0, 0, false
	x.hdr = nil
}

// serve runs the request phases that precede the website's own: pick the
// website by Host and clean the path.
func (x *Ctx) serve() {
	c, req := x.c, x.Req
	if !req.KeepAlive || x.l.stopping.Load() {
		c.closeWhen(afterAnswer)
	}
	x.Site = c.ln.Hosts.Lookup(req.Host)
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
	x.c.closeWhen(afterAnswer)
	x.Error(status)
	x.Site = x.c.ln.Hosts.Default
	x.log()
}

// Static answers the request from a document root: the content phase of a
// website whose request was not redirected, forwarded or given to an app.
func (x *Ctx) Static(root *static.Root) {
	req := x.Req
	if req.Method != http1.MethodGET && req.Method != http1.MethodHEAD {
		if req.Method == http1.MethodOther {
			x.Error(501) // a method this server does not know at all (RFC 9110 §15.6.2)
			return
		}
		x.respond(405, "Allow: GET, HEAD\r\n", nil)
		return
	}
	l := x.l
	if en := l.cache.Lookup(root, x.Path); en != nil {
		x.sendEntry(en)
		return
	}
	res := l.cache.Resolve(root, x.Path, l.rt.mimeOf)
	switch {
	case res.Status == 301:
		x.slashRedirect()
	case res.Status != 200:
		if res.Err != nil {
			// Once per cause (EMFILE, ENOMEM, EIO…): the first path with it.
			l.rt.logErrorOnce("static file: "+strings.ReplaceAll(res.Err.Error(), "%", "%%")+" (first seen for %s)", x.Path)
		}
		x.Error(res.Status)
	case res.Entry != nil:
		x.sendEntry(res.Entry)
	default:
		x.sendFile(res.File)
	}
}

// sendEntry answers from a cached file: conditional requests, ranges of
// the identity variant, and the variant the client accepts.
func (x *Ctx) sendEntry(en *static.Entry) {
	if en.File != nil {
		x.sendFile(en.File)
		return
	}
	req := x.Req
	enc, ok := x.coding(en)
	if !ok {
		x.notAcceptable()
		return
	}
	etag := en.ETag(enc)
	if x.preconditionFailed(etag, en.ModTime) {
		x.Error(412)
		return
	}
	if x.notModified(etag, en.ModTime) {
		x.send304(etag, en.Ext, en.MIME)
		return
	}
	body := en.Body(enc)
	if enc == static.Identity && req.Range != nil {
		start, end, status := x.rangeOf(en.Size, etag, en.ModTime)
		if status == 416 {
			x.send416(en.Size)
			return
		}
		if status == 206 {
			x.send206(en.Ext, en.MIME, en.Size, start, end, en.ModTime, etag)
			x.writeBody(body[start : end+1])
			return
		}
	}
	w := x.head(200)
	w = append(w, en.Header(enc)...)
	w = x.appendFileFields(w, en.Ext, en.MIME)
	x.l.wbuf = x.end(w)
	x.writeBody(body)
}

// coding picks the content coding of a cached file's answer (RFC 9110
// §12.5.3): the acceptable coding with the highest q among those this file
// has, gzip before deflate before identity on equal q. A gzip or deflate
// variant exists when compression is on for the site and the type and the
// compressed file is smaller. ok is false when the client accepts none of
// them (identity refused with identity;q=0 or *;q=0): answer 406.
func (x *Ctx) coding(en *static.Entry) (enc static.Encoding, ok bool) {
	ae := x.Req.AcceptEncoding
	if ae == nil {
		return static.Identity, true
	}
	compress := x.l.rt.site.HTTP.Compress && en.MIME != nil && en.MIME.Compress
	order, n := http1.AcceptEncoding(ae).Order()
	for _, c := range order[:n] {
		switch c {
		case http1.CodingGzip:
			if compress && en.Variant(true, false) == static.Gzip {
				return static.Gzip, true
			}
		case http1.CodingDeflate:
			if compress && en.Variant(false, true) == static.Deflate {
				return static.Deflate, true
			}
		case http1.CodingIdentity:
			return static.Identity, true
		}
	}
	return static.Identity, false
}

// identityRefused reports whether the request's Accept-Encoding rules out
// an answer without a content coding, the only one a file too large for
// the cache has.
func (x *Ctx) identityRefused() bool {
	ae := x.Req.AcceptEncoding
	return ae != nil && http1.AcceptEncoding(ae)[http1.CodingIdentity] == 0
}

// notAcceptable answers 406 when no coding the client accepts can be
// produced for the file (RFC 9110 §15.5.7), with the site's error page.
// The answer depends on Accept-Encoding, so it says so.
func (x *Ctx) notAcceptable() { x.respond(406, "Vary: Accept-Encoding\r\n", nil) }

// writeBody sends body after the head in the batch buffer, unless the
// request is HEAD. Small bodies join the batch; large ones are written from
// where they are, and what the socket does not take stays referenced.
func (x *Ctx) writeBody(body []byte) {
	if x.Req.Method == http1.MethodHEAD {
		return
	}
	x.sent = int64(len(body))
	l, c := x.l, x.c
	if len(body) <= bodyInline {
		l.wbuf = append(l.wbuf, body...)
		return
	}
	n, err := l.writev2(c, l.wbuf, body)
	if err != nil && err != unix.EAGAIN && err != unix.EINTR {
		c.closeWhen(afterDrain)
		l.wbuf = l.wbuf[:0]
		return
	}
	n = max(n, 0)
	if n < len(l.wbuf) {
		c.out = append([]byte(nil), l.wbuf[n:]...)
		c.outRef = body
	} else if rest := body[n-len(l.wbuf):]; len(rest) > 0 {
		c.outRef = rest
	}
	l.wbuf = l.wbuf[:0]
	if c.blocked() {
		c.elapseAt = 0
	}
}

// sendFile answers with a file too large for the memory cache, sent with
// sendfile from its open descriptor; the file is released when the answer
// is out (or at once when it needs no body).
func (x *Ctx) sendFile(f *static.File) {
	if x.identityRefused() {
		f.Release()
		x.notAcceptable()
		return
	}
	etag := f.ETag
	if x.preconditionFailed(etag, f.Mod) {
		f.Release()
		x.Error(412)
		return
	}
	if x.notModified(etag, f.Mod) {
		f.Release()
		x.send304(etag, f.Ext, f.MIME)
		return
	}
	start, end := int64(0), f.Size-1
	if x.Req.Range != nil {
		var status int
		start, end, status = x.rangeOf(f.Size, etag, f.Mod)
		switch status {
		case 416:
			f.Release()
			x.send416(f.Size)
			return
		case 206:
			x.send206(f.Ext, f.MIME, f.Size, start, end, f.Mod, etag)
		default:
			start, end = 0, f.Size-1
		}
	}
	if x.status == 0 {
		w := x.head(200)
		w = append(w, f.Header...)
		w = x.appendFileFields(w, f.Ext, f.MIME)
		x.l.wbuf = x.end(w)
	}
	if x.Req.Method == http1.MethodHEAD || end < start {
		f.Release()
		return
	}
	c := x.c
	f.Hold()
	// The head is written with MSG_MORE (loop.write): sent as a small
	// segment of its own, it halved the throughput of 1 MiB downloads.
	c.file, c.fileOff, c.fileEnd = f, start, end+1
	x.sent = end + 1 - start
}

// preconditionFailed applies If-Match and If-Unmodified-Since (RFC 9110
// §13.1.1, §13.1.4): a request for another version than the one here.
func (x *Ctx) preconditionFailed(etag string, mod time.Time) bool {
	req := x.Req
	if im := req.HeaderList("If-Match"); im != nil {
		return !http1.ETagMatchStrong(im, []byte(etag))
	}
	if ius := req.Header("If-Unmodified-Since"); ius != nil {
		t, ok := http1.ParseHTTPDate(ius)
		return ok && mod.Unix() > t.Unix()
	}
	return false
}

func (x *Ctx) notModified(etag string, mod time.Time) bool {
	req := x.Req
	if req.IfNoneMatch != nil {
		return http1.ETagMatch(req.IfNoneMatch, []byte(etag))
	}
	if req.IfModifiedSince != nil {
		// A date later than the server's clock is no date the client can
		// have had from us: ignored, as nginx does (RFC 2616 §14.25).
		t, ok := http1.ParseHTTPDate(req.IfModifiedSince)
		return ok && t.Unix() <= x.l.clock.sec && mod.Unix() <= t.Unix()
	}
	return false
}

// rangeOf applies Range (and If-Range) to a representation of size bytes.
func (x *Ctx) rangeOf(size int64, etag string, mod time.Time) (start, end int64, status int) {
	req := x.Req
	if req.Method != http1.MethodGET {
		return 0, size - 1, 200
	}
	if ir := req.IfRange; ir != nil {
		if len(ir) > 0 && (ir[0] == '"' || ir[0] == 'W') {
			if string(ir) != etag {
				return 0, size - 1, 200
			}
		} else if t, ok := http1.ParseHTTPDate(ir); !ok || t.Unix() != mod.Unix() {
			return 0, size - 1, 200
		}
	}
	return http1.ParseRange(req.Range, size)
}

func (x *Ctx) send304(etag, ext string, mime *static.MIME) {
	w := x.head(304)
	w = append(w, "ETag: "...)
	w = append(w, etag...)
	w = append(w, "\r\n"...)
	if mime != nil && mime.Compress {
		w = append(w, "Vary: Accept-Encoding\r\n"...)
	}
	w = x.appendFileFields(w, ext, mime)
	x.l.wbuf = x.end(w)
}

func (x *Ctx) send206(ext string, mime *static.MIME, size, start, end int64, mod time.Time, etag string) {
	w := x.head(206)
	w = static.AppendHeader(w, mime, end+1-start, mod, etag, static.Identity)
	w = append(w, "Content-Range: bytes "...)
	w = strconv.AppendInt(w, start, 10)
	w = append(w, '-')
	w = strconv.AppendInt(w, end, 10)
	w = append(w, '/')
	w = strconv.AppendInt(w, size, 10)
	w = append(w, "\r\n"...)
	w = x.appendFileFields(w, ext, mime)
	x.l.wbuf = x.end(w)
}

func (x *Ctx) send416(size int64) {
	extra := "Content-Range: bytes */" + strconv.FormatInt(size, 10) + "\r\n"
	x.respond(416, extra, nil)
}

// slashRedirect sends a directory asked for without its trailing slash to
// the same path with it, keeping the query.
func (x *Ctx) slashRedirect() {
	// From the cleaned path, never the raw one: "//evil.example/../sub"
	// must not become a Location naming another host.
	loc := make([]byte, 0, len(x.Path)+len(x.Req.Query)+8)
	loc = appendEscapedPath(loc, x.Path)
	loc = append(loc, '/')
	if x.Req.Query != nil {
		loc = append(loc, '?')
		loc = append(loc, x.Req.Query...)
	}
	x.respond(301, "Location: "+string(loc)+"\r\n", nil)
}

// Redirect answers with code (301, 302, 303, 307 or 308) and a Location made
// from target: a target with a path is used as it is; a bare scheme://host
// or host keeps the request's path and query (http:// is assumed for a bare
// host, https:// on a TLS listener).
func (x *Ctx) Redirect(code int, target string) {
	loc := redirectLocation(target, x.Req.Target, x.c.ln.TLS != nil)
	x.respond(code, "Location: "+loc+"\r\n", nil)
}

func redirectLocation(target string, reqTarget []byte, tls bool) string {
	rest := target
	hasScheme := false
	for i := 0; i+2 < len(target); i++ {
		if target[i] == ':' && target[i+1] == '/' && target[i+2] == '/' {
			rest, hasScheme = target[i+3:], true
			break
		}
		if target[i] == '/' {
			break
		}
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' || rest[i] == '?' {
			return target // the target says where to go
		}
	}
	if !hasScheme {
		if tls {
			target = "https://" + target
		} else {
			target = "http://" + target
		}
	}
	if len(reqTarget) == 0 || reqTarget[0] != '/' {
		return target + "/"
	}
	return target + string(reqTarget)
}

// Error answers with status code and its error page.
func (x *Ctx) Error(code int) { x.respond(code, "", nil) }

// respond sends a complete non-file response: status, extra header lines
// (each ending in CRLF) and body, or the status's error page when body is
// nil.
func (x *Ctx) respond(code int, extra string, body []byte) {
	x.status = code
	x.l.wbuf, x.sent = x.l.appendPage(x.l.wbuf, code, extra, x.alwaysFields(), body, x.c.keepAlive(), x.Req.Minor, x.Req.Method)
}

// appendPage appends a whole answer that is not a file: status line,
// Server, Date, an HTML body (code's error page when body is nil, nothing
// for 1xx, 204 and 304), extra header lines (each ending in CRLF) and the
// Connection field; HEAD gets the head only. It returns the buffer and the
// body bytes sent. fields are the configured ones (headers.go).
func (l *loop) appendPage(w []byte, code int, extra, fields string, body []byte, keep bool, minor uint8, m http1.Method) ([]byte, int64) {
	if body == nil {
		body = l.rt.errorPage(code)
	}
	if code == 304 || code == 204 || code < 200 {
		body = body[:0]
	}
	w = http1.AppendStatusLine(w, code)
	w = append(w, serverLine...)
	w = append(w, l.clock.date...)
	w = append(w, "Content-Type: text/html\r\nContent-Length: "...)
	w = strconv.AppendInt(w, int64(len(body)), 10)
	w = append(w, "\r\n"...)
	w = append(w, extra...)
	w = append(w, fields...)
	w = appendConnection(w, keep, minor)
	if m == http1.MethodHEAD {
		return w, 0
	}
	return append(w, body...), int64(len(body))
}

// head starts a response in the batch buffer: status line, Server, Date.
func (x *Ctx) head(code int) []byte {
	x.status = code
	w := http1.AppendStatusLine(x.l.wbuf, code)
	w = append(w, serverLine...)
	return append(w, x.l.clock.date...)
}

// end closes the header block with the Connection header the keep-alive
// decision needs.
func (x *Ctx) end(w []byte) []byte { return appendConnection(w, x.c.keepAlive(), x.Req.Minor) }

// appendConnection ends a header block with the Connection field the
// keep-alive decision needs: close, keep-alive for HTTP/1.0, nothing for a
// kept HTTP/1.1 connection.
func appendConnection(w []byte, keep bool, minor uint8) []byte {
	switch {
	case !keep:
		w = append(w, "Connection: close\r\n"...)
	case minor == 0:
		w = append(w, "Connection: keep-alive\r\n"...)
	}
	return append(w, "\r\n"...)
}
