package http1

import "bytes"

// Character classes, one lookup per byte.
const (
	cToken  = 1 << iota // tchar (RFC 9110 §5.6.2)
	cTarget             // allowed in a request-target: VCHAR or obs-text
	cValue              // field-vchar, SP or HT (RFC 9110 §5.5)
	cHost               // reg-name, IP-literal and port characters
)

var chars = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] |= cToken | cHost
		}
		switch c {
		case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
			t[c] |= cToken
		}
		switch c {
		case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', '%', ':', '[', ']':
			t[c] |= cHost
		}
		if c > 0x20 && c != 0x7f {
			t[c] |= cTarget | cValue
		}
		if c == ' ' || c == '\t' {
			t[c] |= cValue
		}
	}
	return t
}()

// Parse parses one request head from the start of buf into r (r is reset
// first; lim may be nil). It returns the head length n, which is also
// r.HeadLen: the body, if any, starts at buf[n], and a pipelined request
// after a body of b bytes at buf[n+b]. The slices in r point into buf,
// which stays owned by the caller.
//
// When buf holds only a prefix of a head that is still within the limits,
// Parse returns ErrNeedMore; call it again with more bytes (it keeps no
// state, so the whole head so far must be passed again). Otherwise it
// returns an *Error with the status to answer. A head split at any byte
// gives ErrNeedMore (or the same error) until it is complete, then exactly
// the result of the whole buffer: every decision depends only on bytes
// already seen, and a head is never looked at past lim.MaxHeadBytes, but
// for the one byte after it that tells whether a request line of exactly
// MaxHeadBytes ends there (431) or goes on (414).
//
// Parse is one pass over the head, O(len(head)), and allocates nothing once
// r.Headers has grown to the number of fields seen.
func (r *Request) Parse(buf []byte, lim *Limits) (int, error) {
	r.reset()
	maxHeaders, maxHead, maxBody := lim.values()
	b, cut := buf, false
	if len(b) > maxHead {
		b, cut = b[:maxHead], true
	}
	n, err := r.parse(b, maxHeaders, maxBody)
	if err == ErrNeedMore && cut {
		if r.inHeaders || requestLineFits(buf, maxHead) {
			return 0, ErrHeadTooLarge
		}
		return 0, ErrURITooLong
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// requestLineFits reports, for a head longer than max whose request line
// did not end within buf[:max], whether that line is still at most max
// bytes without its CRLF: its line end starts at buf[max-1] (a CR) or at
// buf[max]. The head is too long either way; this only chooses between
// 431 (the line fits) and 414 (the line alone is over the limit). Empty
// lines before the request line count towards it, as they count towards
// the head.
func requestLineFits(buf []byte, max int) bool {
	// The byte before the line end must belong to the request line, not
	// to an empty line before it (which would mean it has not started).
	switch {
	case buf[max-1] == '\r':
		return max >= 2 && buf[max-2] != '\n'
	case buf[max] == '\r' || buf[max] == '\n':
		return buf[max-1] != '\n'
	}
	return false
}

func (r *Request) parse(b []byte, maxHeaders int, maxBody int64) (int, error) {
	i := 0
	// RFC 9112 §2.2: a server SHOULD ignore at least one empty line
	// received before the request-line.
	for i < len(b) {
		if b[i] == '\n' {
			i++
			continue
		}
		if b[i] == '\r' {
			if i+1 == len(b) {
				return 0, ErrNeedMore
			}
			if b[i+1] != '\n' {
				return 0, ErrBareCR
			}
			i += 2
			continue
		}
		break
	}

	// method SP request-target SP HTTP-version CRLF, exactly one SP each.
	start := i
	for i < len(b) && chars[b[i]]&cToken != 0 {
		i++
	}
	if i == len(b) {
		return 0, ErrNeedMore
	}
	if b[i] != ' ' || i == start {
		return 0, ErrBadRequestLine
	}
	r.MethodRaw = b[start:i]
	r.Method = lookupMethod(r.MethodRaw)
	i++

	start = i
	for i < len(b) && chars[b[i]]&cTarget != 0 {
		i++
	}
	if i == len(b) {
		return 0, ErrNeedMore
	}
	if b[i] != ' ' || i == start {
		return 0, ErrBadRequestLine
	}
	r.Target = b[start:i]
	i++

	// HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
	const pattern = "HTTP/0.0"
	for k := 0; k < len(pattern); k++ {
		if i+k == len(b) {
			return 0, ErrNeedMore
		}
		c := b[i+k]
		if pattern[k] == '0' {
			if c < '0' || c > '9' {
				return 0, ErrBadVersion
			}
		} else if c != pattern[k] {
			return 0, ErrBadVersion
		}
	}
	major, minor := b[i+5], b[i+7]
	i += len(pattern)
	i, err := lineEnd(b, i, ErrBadVersion)
	if err != nil {
		return 0, err
	}
	if major != '1' {
		return 0, ErrVersion
	}
	// A later HTTP/1 minor version is served as 1.1, the highest this
	// server conforms to (RFC 9110 §2.5).
	r.Minor = min(minor-'0', 1)
	if err := r.splitTarget(); err != nil {
		return 0, err
	}
	r.inHeaders = true

	// *( field-line CRLF ) CRLF
	for {
		if i == len(b) {
			return 0, ErrNeedMore
		}
		switch b[i] {
		case '\r':
			if i+1 == len(b) {
				return 0, ErrNeedMore
			}
			if b[i+1] != '\n' {
				return 0, ErrBareCR
			}
			return r.finish(i+2, maxBody)
		case '\n':
			return r.finish(i+1, maxBody)
		case ' ', '\t':
			// obs-fold, or whitespace between the start-line and the
			// first field (RFC 9112 §2.2, §5.2): both rejected.
			return 0, ErrObsFold
		}
		start = i
		for i < len(b) && chars[b[i]]&cToken != 0 {
			i++
		}
		if i == len(b) {
			return 0, ErrNeedMore
		}
		if b[i] != ':' || i == start {
			return 0, ErrBadHeaderName // includes whitespace before ':'
		}
		name := b[start:i]
		i++
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		vs := i
		for i < len(b) && chars[b[i]]&cValue != 0 {
			i++
		}
		ve := i
		if i, err = lineEnd(b, i, ErrBadHeaderValue); err != nil {
			return 0, err
		}
		for ve > vs && (b[ve-1] == ' ' || b[ve-1] == '\t') {
			ve--
		}
		if len(r.Headers) == maxHeaders {
			return 0, ErrTooManyHeaders
		}
		value := b[vs:ve:ve]
		r.Headers = append(r.Headers, Header{Name: name, Value: value})
		if err := r.field(name, value); err != nil {
			return 0, err
		}
	}
}

// lineEnd expects CRLF or a bare LF at b[i] and returns the index after it;
// any other byte is bad.
func lineEnd(b []byte, i int, bad *Error) (int, error) {
	if i == len(b) {
		return 0, ErrNeedMore
	}
	switch b[i] {
	case '\n':
		return i + 1, nil
	case '\r':
		if i+1 == len(b) {
			return 0, ErrNeedMore
		}
		if b[i+1] == '\n' {
			return i + 2, nil
		}
		return 0, ErrBareCR
	}
	return 0, bad
}

// splitTarget checks the form of the request-target against the method
// (RFC 9112 §3.2) and fills Path, Query and, for absolute-form, Host.
func (r *Request) splitTarget() error {
	t := r.Target
	if bytes.IndexByte(t, '#') >= 0 {
		return ErrBadTarget // a fragment is never part of a request-target (RFC 9112 §3.2)
	}
	switch {
	case r.Method == MethodCONNECT:
		// authority-form = uri-host ":" port, and only that for CONNECT
		c := lastIndexByte(t, ':')
		if c <= 0 || c == len(t)-1 || !validHost(t) {
			return ErrBadTarget
		}
		for _, d := range t[c+1:] {
			if d < '0' || d > '9' {
				return ErrBadTarget
			}
		}
		return nil
	case t[0] == '/':
		r.splitPathQuery(t)
		return nil
	case len(t) == 1 && t[0] == '*':
		if r.Method != MethodOPTIONS {
			return ErrBadTarget
		}
		r.Path = t
		return nil
	}
	// absolute-form: scheme "://" authority [ path-abempty ] [ "?" query ]
	k := 0
	for k < len(t) && (isAlpha(t[k]) || k > 0 && (t[k] >= '0' && t[k] <= '9' || t[k] == '+' || t[k] == '-' || t[k] == '.')) {
		k++
	}
	if k == 0 || len(t)-k < 3 || t[k] != ':' || t[k+1] != '/' || t[k+2] != '/' {
		return ErrBadTarget
	}
	k += 3
	a := k
	for k < len(t) && t[k] != '/' && t[k] != '?' {
		k++
	}
	host := t[a:k]
	// userinfo is refused (RFC 9110 §4.2.4: treat it as an error).
	if len(host) == 0 || !validHost(host) {
		return ErrBadTarget
	}
	r.Host = host
	r.absolute = true
	if k == len(t) || t[k] == '?' {
		r.Path = slash
		if k < len(t) {
			r.Query = t[k+1:]
		}
		return nil
	}
	r.splitPathQuery(t[k:])
	return nil
}

var slash = []byte("/")

func (r *Request) splitPathQuery(t []byte) {
	for k := 0; k < len(t); k++ {
		if t[k] == '?' {
			r.Path, r.Query = t[:k], t[k+1:]
			return
		}
	}
	r.Path = t
}

func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func lastIndexByte(b []byte, c byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// validHost reports whether h uses only the characters of uri-host [":" port]
// (RFC 3986 reg-name, IP-literal, pct-encoded) and has no empty label
// ("..", refused as nginx does: a name cannot have one, and it must not
// reach a backend or a log as a path-like host). An empty Host is valid.
func validHost(h []byte) bool {
	for i, c := range h {
		if chars[c]&cHost == 0 || c == '.' && i > 0 && h[i-1] == '.' {
			return false
		}
	}
	return true
}

// field records one header field line; name is a token, value trimmed.
func (r *Request) field(name, value []byte) error {
	switch len(name) {
	case 4:
		if equalFold(name, "host") {
			r.hosts++
			if r.hosts > 1 {
				return ErrManyHost
			}
			if !validHost(value) {
				return ErrBadHost
			}
			if !r.absolute {
				r.Host = value
			}
		}
	case 5:
		if r.Range == nil && equalFold(name, "range") {
			r.Range = value
		}
	case 6:
		if equalFold(name, "expect") && r.Minor == 1 && equalFold(value, "100-continue") {
			// RFC 9110 §10.1.1: ignore 100-continue from HTTP/1.0.
			r.Expect100 = true
		}
	case 7:
		if r.Upgrade == nil && equalFold(name, "upgrade") {
			r.Upgrade = value
		}
	case 8:
		if r.IfRange == nil && equalFold(name, "if-range") {
			r.IfRange = value
		}
	case 10:
		if equalFold(name, "connection") {
			if r.Connection == nil {
				r.Connection = value
			}
			r.connClose = r.connClose || TokenListHas(value, "close")
			r.connKeep = r.connKeep || TokenListHas(value, "keep-alive")
		} else if r.UserAgent == nil && equalFold(name, "user-agent") {
			r.UserAgent = value
		}
	case 13:
		if equalFold(name, "if-none-match") {
			if r.IfNoneMatch == nil {
				r.IfNoneMatch = value
			} else {
				r.IfNoneMatch = r.combine(r.IfNoneMatch, value)
			}
		}
	case 14:
		if equalFold(name, "content-length") {
			return r.contentLength(value)
		}
	case 15:
		if equalFold(name, "accept-encoding") {
			if r.AcceptEncoding == nil {
				r.AcceptEncoding = value
			} else {
				r.AcceptEncoding = r.combine(r.AcceptEncoding, value)
			}
		}
	case 17:
		if equalFold(name, "transfer-encoding") {
			r.transferEncoding(value)
		} else if r.IfModifiedSince == nil && equalFold(name, "if-modified-since") {
			r.IfModifiedSince = value
		}
	}
	return nil
}

// contentLength accepts only 1*DIGIT and only one Content-Length line:
// "5, 5" and repeated identical lines are refused too (RFC 9110 §8.6 lets a
// recipient reject them; refusing is the safe side against smuggling).
// Values too large for int64 saturate, which Parse turns into 413.
func (r *Request) contentLength(v []byte) error {
	if r.clSeen {
		return ErrManyLength
	}
	r.clSeen = true
	if len(v) == 0 {
		return ErrBadLength
	}
	var n int64
	const maxInt64 = 1<<63 - 1
	for _, c := range v {
		if c < '0' || c > '9' {
			return ErrBadLength
		}
		if n > (maxInt64-9)/10 {
			n = maxInt64
		} else {
			n = n*10 + int64(c-'0')
		}
	}
	r.ContentLength = n
	return nil
}

// transferEncoding folds one Transfer-Encoding line into r.te. Codings are a
// comma-separated list of tokens, each maybe with ";params"; empty list
// elements are ignored (RFC 9110 §5.6.1).
func (r *Request) transferEncoding(v []byte) {
	te := &r.te
	te.seen = true
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElement(v)
		if len(elem) == 0 {
			continue
		}
		name := elem
		for k, c := range elem {
			if c == ';' || c == ' ' || c == '\t' {
				name = elem[:k]
				break
			}
		}
		if len(name) == 0 {
			te.bad = true
			continue
		}
		for _, c := range name {
			if chars[c]&cToken == 0 {
				te.bad = true
			}
		}
		if equalFold(name, "chunked") {
			if len(name) < len(elem) {
				// RFC 9112 §7.1: chunked defines no parameters, and their
				// presence SHOULD be treated as an error ("chunked;q=1").
				te.bad = true
			}
			te.chunked++
			te.lastChunked = true
		} else {
			te.other = true
			te.lastChunked = false
		}
	}
}

// nextElement splits the first comma-separated element off a list value,
// trimming optional whitespace around it.
func nextElement(v []byte) (elem, rest []byte) {
	k := 0
	for k < len(v) && v[k] != ',' {
		k++
	}
	elem = v[:k]
	if k < len(v) {
		rest = v[k+1:]
	}
	return trimOWS(elem), rest
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// finish applies the checks that need the whole head; n is its length.
//
// Transfer-Encoding (RFC 9112 §6.1, §6.3): with Content-Length → 400 (a
// smuggling attempt); in HTTP/1.0 → 400; malformed, chunked listed twice
// or with parameters → 400; final coding not chunked → 400 (§6.3 says the length cannot be
// determined: MUST 400); chunked last but with other codings before it (e.g.
// "gzip, chunked") → 501, since only chunked is implemented (§6.1 SHOULD 501).
func (r *Request) finish(n int, maxBody int64) (int, error) {
	if r.Minor == 1 && r.hosts == 0 {
		return 0, ErrNoHost
	}
	if r.te.seen {
		switch {
		case r.clSeen:
			return 0, ErrLengthAndTE
		case r.Minor == 0:
			return 0, ErrTEVersion
		case r.te.bad || r.te.chunked > 1:
			return 0, ErrBadTE
		case !r.te.lastChunked:
			return 0, ErrTENotChunked
		case r.te.other:
			return 0, ErrTEUnknown
		}
		r.Chunked = true
	} else if r.ContentLength > maxBody {
		return 0, ErrBodyTooLarge
	}
	if r.Minor == 1 {
		r.KeepAlive = !r.connClose
	} else {
		r.KeepAlive = r.connKeep && !r.connClose
	}
	r.HeadLen = n
	return n, nil
}

// HeadEnd returns the length of the request head at the start of buf (up
// to and including the empty line that ends it), or -1 if buf does not yet
// hold one. It does not validate anything; it exists so that an event loop
// reading a head in small pieces can avoid calling Parse, which rescans
// the whole buffer, on every read. from says how much of buf was already
// searched without success (pass the previous len(buf), or 0): only the
// newer bytes are scanned, so the total cost over all reads is O(len(head)).
//
// Whenever Parse would succeed, HeadEnd finds the same length. Use:
//
//	if http1.HeadEnd(buf, scanned) < 0 && len(buf) <= maxHead {
//		scanned = len(buf) // wait for more
//	} else {
//		n, err := req.Parse(buf, lim) // complete, or over the limit: 414/431
//	}
//
// The cost of this shortcut is that a malformed head is only refused when
// it ends or hits the limit. Leading empty lines are not a head end.
func HeadEnd(buf []byte, from int) int {
	for j := max(from, 0); j < len(buf); j++ {
		k := bytes.IndexByte(buf[j:], '\n')
		if k < 0 {
			return -1
		}
		j += k
		// Is the line ending at j empty, and the one before it not?
		p := j - 1
		if p >= 0 && buf[p] == '\r' {
			p--
		}
		if p < 0 || buf[p] != '\n' {
			continue
		}
		p--
		if p >= 0 && buf[p] == '\r' {
			p--
		}
		if p >= 0 && buf[p] != '\n' {
			return j + 1
		}
	}
	return -1
}
