package server

import (
	"regexp"
	"slices"

	"github.com/hetaoc/hetao/runtime/http1"
)

// Rewrite phase support. Generated handlers decide which rule matches (a
// compiled regexp, or plain string tests for literal patterns) and call
// these methods to build and install the new target:
//
//	switch t := c.RewriteSubject(); {
//	case bytes.HasPrefix(t, []byte("/old/")): // rule 1
//		c.RewriteTo([]byte("/new/"))
//	case rewrite2.Match(t): // rule 2
//		c.RewriteTo(c.Expand(rewrite2, rewrite2URI, t))
//	}
//	if c.Answered() {
//		return
//	}
//
// Every buffer involved is the Ctx's path buffer: the subject, the expanded
// target and the new Path and Query are appended to it one after another,
// so a request never overwrites bytes it still refers to, and the buffer's
// capacity is kept for the next request of the loop. In steady state a
// rewrite allocates only regexp's submatch slice (Expand).

// TemplatePart is one piece of a rewrite's new_uri, split at build time: a
// literal when Lit is not empty, else the text of capture group Group (0
// is the whole match).
type TemplatePart struct {
	Lit   string
	Group int
}

// ExpandTemplate appends the template parts to dst, each group taken from
// subject at the positions match holds (as regexp's FindSubmatchIndex
// returns them). A group that did not take part in the match, or that
// match does not have, expands to nothing. It allocates only when dst must
// grow.
func ExpandTemplate(dst []byte, parts []TemplatePart, subject []byte, match []int) []byte {
	for _, p := range parts {
		if p.Lit != "" {
			dst = append(dst, p.Lit...)
			continue
		}
		i := 2 * p.Group
		if p.Group < 0 || i+1 >= len(match) || match[i] < 0 {
			continue
		}
		dst = append(dst, subject[match[i]:match[i+1]]...)
	}
	return dst
}

// RewriteSubject returns what rewrite patterns are matched against: the
// cleaned, percent-decoded Path, then "?" and the raw Query when the
// request has one. So that the result stays one unambiguous URI, the only
// bytes of Path written encoded are '%' (as "%25") and '?' ("%3F"); RewriteTo
// decodes them again. The slice is valid until the Serve call returns.
func (x *Ctx) RewriteSubject() []byte {
	b := x.pathBuf
	start := len(b)
	b = appendPathEscaped(b, x.Path)
	if x.Query != nil {
		b = append(b, '?')
		b = append(b, x.Query...)
	}
	x.pathBuf = b
	return b[start:]
}

// appendPathEscaped appends path with '%' and '?' percent-encoded.
func appendPathEscaped(dst, path []byte) []byte {
	for i, c := range path {
		if c == '%' || c == '?' {
			dst = append(dst, path[:i]...)
			for _, c := range path[i:] {
				switch c {
				case '%':
					dst = append(dst, "%25"...)
				case '?':
					dst = append(dst, "%3F"...)
				default:
					dst = append(dst, c)
				}
			}
			return dst
		}
	}
	return append(dst, path...)
}

// Expand matches re against subject (a RewriteSubject, which re is known
// to match) and returns the rule's new URI built from parts. The result is
// valid until Serve returns. It allocates the submatch positions, as
// regexp's API has no way to reuse them.
func (x *Ctx) Expand(re *regexp.Regexp, parts []TemplatePart, subject []byte) []byte {
	m := re.FindSubmatchIndex(subject)
	b := x.pathBuf
	start := len(b)
	b = ExpandTemplate(b, parts, subject, m)
	x.pathBuf = b
	return b[start:]
}

// RewriteTo replaces the request's Path and Query with target, a URI path
// with an optional "?query". The path is percent-decoded and cleaned as the
// request's own path was (http1.CleanPath); a path that does not start
// with "/" or that CleanPath rejects is answered with 400 and RewriteTo
// reports false. The query is kept as it is (nil without a "?"). target is
// only read; it may be the result of RewriteSubject or Expand.
//
// The access log keeps the request line as received (Req.Target); the
// later phases (location, forward, static) see the new Path and Query, and
// a forwarded request line carries them (Path percent-encoded again), as
// nginx forwards a rewritten URI.
func (x *Ctx) RewriteTo(target []byte) bool {
	path, query := target, []byte(nil)
	for i, c := range target {
		if c == '?' {
			path, query = target[:i], target[i+1:]
			break
		}
	}
	b := x.pathBuf
	if len(path) == 0 || path[0] != '/' {
		x.Error(400)
		return false
	}
	// Room for the cleaned path (at most len(path)+1 bytes) and the query,
	// so that neither append below moves the buffer.
	b = slices.Grow(b, len(path)+1+len(query))
	start := len(b)
	p, err := http1.CleanPath(b[start:start], path)
	if err != nil {
		x.Error(400)
		return false
	}
	b = b[:start+len(p)]
	pathEnd := len(b)
	if query != nil {
		b = append(b, query...)
		x.Query = b[pathEnd:len(b):len(b)]
	} else {
		x.Query = nil
	}
	x.Path = b[start:pathEnd:pathEnd]
	x.pathBuf = b
	x.rewritten = true // a forward sends the new URI, re-encoded
	return true
}

// Answered reports whether a response has been started for the request,
// e.g. the 400 of a RewriteTo whose result was not a clean path: the
// handler must return then.
func (x *Ctx) Answered() bool { return x.status != 0 }
