package http1

import "bytes"

// Response is a parsed response head from an upstream server. Slices point
// into the buffer given to Parse.
type Response struct {
	Minor         uint8 // HTTP/1.<Minor>
	Status        int
	Reason        []byte
	Headers       []Header // every field line, in order; the array is owned by r
	ContentLength int64    // -1 when absent
	Chunked       bool     // Transfer-Encoding: chunked (no other coding is accepted)
	Close         bool     // the server will close after this response
	Connection    []byte   // the Connection field (for hop-by-hop names it lists)
	HeadLen       int
}

// ErrBadResponse is any upstream response head that cannot be trusted: the
// proxy answers 502 for it.
var ErrBadResponse = &Error{502, "http1: malformed upstream response"}

// Parse parses one response head from the start of buf (at most maxHead
// bytes of it; 0 means HardMaxHeadBytes). It returns the head length,
// ErrNeedMore when the head is incomplete and still within the limit, or
// ErrBadResponse. It is as strict as the request parser about framing
// (Content-Length, Transfer-Encoding), since a proxy that guesses wrong
// there desynchronises its connections, and about field values, which
// reach the client: controls other than HTAB, obs-fold, a status outside
// 100-599 and a Transfer-Encoding other than one "chunked" are refused.
func (r *Response) Parse(buf []byte, maxHead int) (int, error) {
	hs := r.Headers[:0]
	*r = Response{Headers: hs, ContentLength: -1}
	if maxHead <= 0 || maxHead > HardMaxHeadBytes {
		maxHead = HardMaxHeadBytes
	}
	b := buf
	if len(b) > maxHead {
		b = b[:maxHead]
	}
	// Status line: HTTP/1.x SP 3DIGIT SP reason CRLF
	eol := bytes.IndexByte(b, '\n')
	if eol < 0 {
		return r.needMore(len(buf), maxHead)
	}
	line := b[:eol]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' || (len(line) > 12 && line[12] != ' ') {
		return 0, ErrBadResponse
	}
	switch line[7] {
	case '0', '1':
		r.Minor = line[7] - '0'
	default:
		return 0, ErrBadResponse
	}
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, ErrBadResponse
		}
		r.Status = r.Status*10 + int(c-'0')
	}
	if r.Status < 100 || r.Status > 599 {
		return 0, ErrBadResponse // RFC 9110 §15: three digits, 1xx to 5xx
	}
	if len(line) > 13 {
		r.Reason = line[13:]
		if !fieldValue(r.Reason) {
			return 0, ErrBadResponse // a bare CR or NUL would reach the client
		}
	}
	keepAlive := false
	te := false
	i := eol + 1
	for {
		eol := bytes.IndexByte(b[i:], '\n')
		if eol < 0 {
			return r.needMore(len(buf), maxHead)
		}
		line := b[i : i+eol]
		i += eol + 1
		if len(line) > 0 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		if len(line) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			return 0, ErrBadResponse // obs-fold
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return 0, ErrBadResponse
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		for _, c := range name {
			if chars[c]&cToken == 0 {
				return 0, ErrBadResponse
			}
		}
		// As for requests: HTAB, SP, VCHAR and obs-text only. A bare CR
		// (or NUL, or any other control) passed on could start a field of
		// its own at the client: nginx's "upstream sent invalid header".
		if !fieldValue(value) {
			return 0, ErrBadResponse
		}
		if len(r.Headers) >= HardMaxHeaders {
			return 0, ErrBadResponse
		}
		r.Headers = append(r.Headers, Header{name, value})
		switch {
		case foldEq(name, "content-length"):
			n, ok := digits(value)
			if !ok || (r.ContentLength >= 0 && r.ContentLength != n) {
				return 0, ErrBadResponse
			}
			r.ContentLength = n
		case foldEq(name, "transfer-encoding"):
			// Only one line, and only "chunked": the proxy takes the
			// transfer coding off and frames the body itself, so any
			// other coding (or a list) would reach the client as if it
			// were content. nginx answers 502 alike.
			if te || !foldEq(value, "chunked") {
				return 0, ErrBadResponse
			}
			te, r.Chunked = true, true
		case foldEq(name, "connection"):
			r.Connection = value
			if TokenListHas(value, "close") {
				r.Close = true
			}
			if TokenListHas(value, "keep-alive") {
				keepAlive = true
			}
		}
	}
	if te && (r.ContentLength >= 0 || r.Minor == 0) {
		// RFC 9112 §6.3: a proxy must not guess between the two; §6.1:
		// Transfer-Encoding in an HTTP/1.0 message is faulty framing.
		return 0, ErrBadResponse
	}
	if r.Minor == 0 && !keepAlive {
		r.Close = true
	}
	r.HeadLen = i
	return i, nil
}

func (r *Response) needMore(have, maxHead int) (int, error) {
	if have >= maxHead {
		return 0, ErrBadResponse
	}
	return 0, ErrNeedMore
}

// NoBody reports whether a response to a request with method m has no body
// whatever its headers say (RFC 9112 §6.3).
func (r *Response) NoBody(m Method) bool {
	return m == MethodHEAD || r.Status < 200 || r.Status == 204 || r.Status == 304
}

// fieldValue reports whether v holds only HTAB, SP, VCHAR and obs-text
// (RFC 9110 §5.5).
func fieldValue(v []byte) bool {
	for _, c := range v {
		if chars[c]&cValue == 0 {
			return false
		}
	}
	return true
}
