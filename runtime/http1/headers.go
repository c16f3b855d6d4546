package http1

// Helpers for header field values. They read the value slices Parse found
// (owned by the caller's buffer), never keep them, and never allocate.

// TokenListHas reports whether the comma-separated list v (e.g. a
// Connection or Upgrade value) contains token, compared ASCII
// case-insensitively, with optional whitespace around each element.
func TokenListHas(v []byte, token string) bool {
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		if foldEq(elem, token) {
			return true
		}
	}
	return false
}

// foldEq is equalFold for an s of any case.
func foldEq(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Coding is a content coding the server can produce: what Accept-Encoding
// is read into, and the variants the static file cache keeps
// (runtime/static indexes them by Coding).
type Coding uint8

const (
	CodingIdentity Coding = iota // no coding
	CodingGzip
	CodingDeflate // the zlib format, as HTTP's "deflate" means
	CodingBrotli  // "br"
	CodingZstd
	NumCodings
)

// Accepted holds the q-values, in thousandths, that an Accept-Encoding
// value gives each Coding; 0 means not acceptable. Index it with a Coding.
type Accepted [NumCodings]uint16

// identityDefault is the q-value of identity when neither it nor "*" is
// listed: acceptable (RFC 9110 §12.5.3), but below every coding the client
// did list, so that "gzip;q=0.5" still gets gzip.
const identityDefault = 1

// AcceptEncoding reads an Accept-Encoding value (RFC 9110 §12.5.3) into
// the q-value of each coding the server can produce:
//
//   - A listed coding has its q (1 when absent); "x-gzip" counts as gzip
//     (§8.4.1.3). A coding listed twice takes its highest q.
//   - "*" gives its q to every coding that is not listed, identity included.
//   - identity is acceptable unless "identity;q=0", or "*;q=0" without
//     identity, refuses it; when neither is listed it gets the lowest q
//     (0.001), so any coding the client asked for comes first.
//   - A nil value (no field) and an empty one both give identity alone:
//     without the field any coding is allowed, but clients that do not ask
//     for compression are better served without it; an empty field asks
//     for no coding at all.
//
// Names are case-insensitive; whitespace around elements and parameters is
// allowed; an element with a malformed q-value is ignored. It allocates
// nothing.
func AcceptEncoding(v []byte) Accepted {
	qg, qd, qb, qz, qi, qs := -1, -1, -1, -1, -1, -1
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		name, q := codingQ(elem)
		if len(name) == 0 || q < 0 {
			continue
		}
		switch {
		case equalFold(name, "gzip"), equalFold(name, "x-gzip"):
			qg = max(qg, q)
		case equalFold(name, "deflate"):
			qd = max(qd, q)
		case equalFold(name, "br"):
			qb = max(qb, q)
		case equalFold(name, "zstd"):
			qz = max(qz, q)
		case equalFold(name, "identity"):
			qi = max(qi, q)
		case len(name) == 1 && name[0] == '*':
			qs = max(qs, q)
		}
	}
	idDef := identityDefault
	if qs >= 0 {
		idDef = qs
	}
	return Accepted{
		CodingIdentity: qOr(qi, idDef),
		CodingGzip:     qOr(qg, qs),
		CodingDeflate:  qOr(qd, qs),
		CodingBrotli:   qOr(qb, qs),
		CodingZstd:     qOr(qz, qs),
	}
}

// qOr is q when the coding was listed (q >= 0), else def; unlisted with
// no default (def < 0) is 0, not acceptable.
func qOr(q, def int) uint16 {
	if q < 0 {
		q = def
	}
	return uint16(max(q, 0))
}

// Order returns the acceptable codings, n of them, best first: by q, and
// on equal q zstd, then br, then gzip, then deflate, then identity (the
// smallest answer first, zstd being about as small as br and cheaper to
// decode). The caller takes the first one it can produce; when it can
// produce none (n == 0 included), the answer is 406 Not Acceptable.
func (a Accepted) Order() (order [NumCodings]Coding, n int) {
	for _, c := range [NumCodings]Coding{CodingZstd, CodingBrotli, CodingGzip, CodingDeflate, CodingIdentity} {
		if a[c] == 0 {
			continue
		}
		k := n
		for k > 0 && a[order[k-1]] < a[c] {
			order[k] = order[k-1]
			k--
		}
		order[k] = c
		n++
	}
	return order, n
}

// codingQ splits `coding *( OWS ";" OWS param )` and returns the coding and
// its q-value in thousandths (1000 when absent, -1 when malformed).
func codingQ(elem []byte) (name []byte, q int) {
	k := 0
	for k < len(elem) && elem[k] != ';' && elem[k] != ' ' && elem[k] != '\t' {
		k++
	}
	name, rest := elem[:k], elem[k:]
	q = 1000
	for len(rest) > 0 {
		rest = trimOWS(rest)
		if len(rest) == 0 {
			break
		}
		if rest[0] != ';' {
			return name, -1
		}
		rest = trimOWS(rest[1:])
		k = 0
		for k < len(rest) && rest[k] != ';' {
			k++
		}
		param := trimOWS(rest[:k])
		rest = rest[k:]
		if len(param) >= 2 && lower(param[0]) == 'q' && param[1] == '=' {
			q = qvalue(param[2:])
		}
	}
	return name, q
}

// qvalue parses `( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` into
// thousandths, or -1.
func qvalue(b []byte) int {
	if len(b) == 0 || len(b) > 5 || b[0] != '0' && b[0] != '1' {
		return -1
	}
	q := int(b[0]-'0') * 1000
	if len(b) == 1 {
		return q
	}
	if b[1] != '.' {
		return -1
	}
	scale := 100
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return -1
		}
		q += int(c-'0') * scale
		scale /= 10
	}
	if q > 1000 {
		return -1
	}
	return q
}

// ParseRange interprets a Range value for a representation of size bytes
// (RFC 9110 §14.2). One "bytes=" range gives (start, end inclusive, 206):
// "bytes=0-99", the open "bytes=100-", the suffix "bytes=-500" (the last 500
// bytes, or all of them when fewer); end is clamped to size-1. A range
// starting at or beyond size, or a zero-length suffix, is unsatisfiable:
// (0, 0, 416) — answer with "Content-Range: bytes */size".
//
// Everything else yields (0, size-1, 200): serve the whole representation
// as if Range were absent, which RFC 9110 §14.2 allows ("a server MAY
// ignore the Range header field"). That covers a nil value, another unit,
// a malformed or invalid range (last < first), and multiple ranges, which
// would need multipart/byteranges and invite abuse. A suffix range of a
// zero-length representation is also answered with 200. A negative size
// counts as 0.
func ParseRange(v []byte, size int64) (start, end int64, status int) {
	size = max(size, 0)
	whole := func() (int64, int64, int) { return 0, size - 1, 200 }
	if len(v) < 6 || !equalFold(v[:6], "bytes=") {
		return whole()
	}
	v = v[6:]
	var spec []byte
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		if len(elem) == 0 {
			continue // empty list elements do not count (§5.6.1)
		}
		if spec != nil {
			return whole() // more than one range
		}
		spec = elem
	}
	dash := -1
	for k, c := range spec {
		if c == '-' {
			dash = k
			break
		}
	}
	if dash < 0 {
		return whole()
	}
	first, okf := digits(spec[:dash])
	last, okl := digits(spec[dash+1:])
	switch {
	case dash == 0: // suffix-range
		if !okl {
			return whole()
		}
		if last == 0 {
			return 0, 0, 416
		}
		if size == 0 {
			return whole()
		}
		if last > size {
			last = size
		}
		return size - last, size - 1, 206
	case !okf:
		return whole()
	case dash == len(spec)-1: // "first-"
		last = size - 1
	case !okl || last < first:
		return whole()
	}
	if first >= size {
		return 0, 0, 416
	}
	if last >= size {
		last = size - 1
	}
	return first, last, 206
}

// digits parses 1*DIGIT, saturating instead of overflowing.
func digits(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<62)/10 {
			n = 1 << 62
		} else {
			n = n*10 + int64(c-'0')
		}
	}
	return n, true
}

// ETagMatch reports whether an If-None-Match value matches etag using the
// weak comparison (RFC 9110 §8.8.3.2, §13.1.2): "*" matches any current
// representation, otherwise the list of entity-tags is searched for one
// whose opaque-tag equals etag's, ignoring "W/" on either side. etag is the
// representation's entity-tag as sent in ETag, e.g. `"abc"` or `W/"abc"`.
// A malformed list stops the search (no match, so the full response is
// sent), and an empty etag matches nothing but "*".
func ETagMatch(ifNoneMatch, etag []byte) bool { return etagMatch(ifNoneMatch, etag, false) }

// ETagMatchStrong reports whether an If-Match value matches etag using the
// strong comparison (RFC 9110 §8.8.3.2, §13.1.1): "*" matches, otherwise
// both tags must be strong and equal.
func ETagMatchStrong(ifMatch, etag []byte) bool { return etagMatch(ifMatch, etag, true) }

func etagMatch(list, etag []byte, strong bool) bool {
	v := trimOWS(list)
	if len(v) == 1 && v[0] == '*' {
		return true
	}
	if strong && len(etag) > 0 && etag[0] == 'W' {
		return false
	}
	etag = opaque(etag)
	if len(etag) < 2 || etag[0] != '"' || etag[len(etag)-1] != '"' {
		return false
	}
	for {
		for len(v) > 0 && (v[0] == ',' || v[0] == ' ' || v[0] == '\t') {
			v = v[1:]
		}
		if len(v) == 0 {
			return false
		}
		weak := v[0] == 'W'
		v = opaque(v)
		if len(v) < 2 || v[0] != '"' {
			return false
		}
		k := 1
		for k < len(v) && v[k] != '"' {
			k++
		}
		if k == len(v) {
			return false
		}
		if string(v[:k+1]) == string(etag) && !(strong && weak) {
			return true
		}
		v = trimOWS(v[k+1:])
		if len(v) > 0 && v[0] != ',' {
			return false
		}
	}
}

// opaque drops a weakness indicator "W/".
func opaque(t []byte) []byte {
	if len(t) >= 2 && t[0] == 'W' && t[1] == '/' {
		return t[2:]
	}
	return t
}
