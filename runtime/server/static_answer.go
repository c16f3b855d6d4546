package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// The static answer: a file from the cache or sent with sendfile, with
// its content coding, conditional requests and ranges.

// static is Static (api.go).
func (x *Ctx) static(root *static.Root) {
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
		l.m.CacheHit()
		x.sendEntry(en)
		return
	}
	l.m.CacheMiss()
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

// representation is what a static answer sends: a variant of a cached
// file (body), or a file sent with sendfile (file, held for the answer).
// It lives on the stack for one answer.
type representation struct {
	etag   string
	mod    time.Time
	size   int64 // of the whole representation: what a range is taken from
	ext    string
	mime   *static.MIME
	header []byte // a 200's representation fields (Content-Type … Vary)
	body   []byte // the cached variant, or nil
	file   *static.File
	ranges bool // identity: a Range applies
}

// release gives back the file of a representation that is not sent.
func (r *representation) release() {
	if r.file != nil {
		r.file.Release()
	}
}

// sendEntry answers from a cached file with the variant the client accepts.
func (x *Ctx) sendEntry(en *static.Entry) {
	if en.File != nil {
		x.sendFile(en.File)
		return
	}
	enc, ok := x.coding(en)
	if !ok {
		x.notAcceptable()
		return
	}
	if enc != http1.CodingIdentity {
		x.l.m.Variant(int(enc) - 1) // metrics.Gzip, Deflate …
	}
	x.answer(&representation{
		etag: en.ETag(enc), mod: en.ModTime, size: en.Size, ext: en.Ext, mime: en.MIME,
		header: en.Header(enc), body: en.Body(enc), ranges: enc == http1.CodingIdentity,
	})
}

// sendFile answers with a file too large for the memory cache, sent with
// sendfile from its open descriptor: the file itself, or one of its
// precompressed sidecars (sidecar.go).
func (x *Ctx) sendFile(f *static.File) {
	f, enc, ok := x.fileVariant(f)
	if !ok {
		return
	}
	x.answer(&representation{
		etag: f.ETag, mod: f.Mod, size: f.Size, ext: f.Ext, mime: f.MIME,
		header: f.Header, file: f, ranges: enc == http1.CodingIdentity,
	})
}

// answer runs the ladder of a static answer once its coding is chosen
// (406 before it): 412 when a precondition fails, 304 when the client's
// copy is current, 416 or 206 for a range of the identity variant, else
// 200. A file is released when the answer is out (or at once when it
// needs no body).
func (x *Ctx) answer(r *representation) {
	if x.preconditionFailed(r.etag, r.mod) {
		r.release()
		x.Error(412)
		return
	}
	if x.notModified(r.etag, r.mod) {
		r.release()
		x.send304(r.etag, r.ext, r.mime)
		return
	}
	start, end, status := int64(0), r.size-1, 200
	if r.ranges && x.Req.Range != nil {
		start, end, status = x.rangeOf(r.size, r.etag, r.mod)
		switch status {
		case 416:
			r.release()
			x.send416(r.size)
			return
		case 206:
			x.send206(r.ext, r.mime, r.size, start, end, r.mod, r.etag)
		default:
			start, end = 0, r.size-1
		}
	}
	if status != 206 {
		w := x.head(200)
		w = append(w, r.header...)
		w = x.appendFileFields(w, r.ext, r.mime)
		x.endHead(w)
	}
	if r.file == nil {
		if status == 206 {
			x.writeBody(r.body[start : end+1])
		} else {
			x.writeBody(r.body)
		}
		return
	}
	if x.Req.Method == http1.MethodHEAD || end < start {
		r.release()
		return
	}
	x.out.sendFile(r.file, start, end+1)
	x.sent = end + 1 - start
}

// coding picks the content coding of a cached file's answer (RFC 9110
// §12.5.3): the acceptable coding with the highest q among those this file
// has, zstd before br before gzip before deflate before identity on equal
// q. A coded variant exists when compression is on for the site and the
// type and the coded file is smaller. ok is false when the client accepts none of
// them (identity refused with identity;q=0 or *;q=0): answer 406.
func (x *Ctx) coding(en *static.Entry) (enc http1.Coding, ok bool) {
	ae := x.Req.AcceptEncoding
	if ae == nil {
		return http1.CodingIdentity, true
	}
	compress := x.l.rt.site.HTTP.Compress && en.MIME != nil && en.MIME.Compress
	order, n := http1.AcceptEncoding(ae).Order()
	for _, c := range order[:n] {
		if c == http1.CodingIdentity || compress && en.Has(c) {
			return c, true
		}
	}
	return http1.CodingIdentity, false
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
	x.endHead(w)
}

func (x *Ctx) send206(ext string, mime *static.MIME, size, start, end int64, mod time.Time, etag string) {
	w := x.head(206)
	w = static.AppendHeader(w, mime, end+1-start, mod, etag, http1.CodingIdentity)
	w = append(w, "Content-Range: bytes "...)
	w = strconv.AppendInt(w, start, 10)
	w = append(w, '-')
	w = strconv.AppendInt(w, end, 10)
	w = append(w, '/')
	w = strconv.AppendInt(w, size, 10)
	w = append(w, "\r\n"...)
	w = x.appendFileFields(w, ext, mime)
	x.endHead(w)
}

func (x *Ctx) send416(size int64) {
	extra := "Content-Range: bytes */" + strconv.FormatInt(size, 10) + "\r\n"
	x.respond(416, extra, nil)
}

// indexIs is IndexIs (api.go).
func (x *Ctx) indexIs(root *static.Root, ext string) bool {
	p := x.Path
	if len(p) == 0 || p[len(p)-1] != '/' {
		return false
	}
	file := root.FirstIndex(p)
	if file == "" || string(static.Ext([]byte(file))) != ext {
		return false
	}
	x.pathBuf = append(x.pathBuf[:0], file...)
	x.Path, x.rewritten = x.pathBuf, true
	return true
}
