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
	Chunked       bool     // Transfer-Encoding ends in chunked
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
// there desynchronises its connections.
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
	if r.Status < 100 {
		return 0, ErrBadResponse
	}
	if len(line) > 13 {
		r.Reason = line[13:]
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
			te = true
			r.Chunked = lastTokenIs(value, "chunked")
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
	if te {
		if r.ContentLength >= 0 {
			return 0, ErrBadResponse // RFC 9112 §6.3: a proxy must not guess
		}
		if !r.Chunked {
			r.Close = true // close-delimited after a coding we pass along
		}
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

// lastTokenIs reports whether the last element of a comma-separated list is
// token (case-insensitive).
func lastTokenIs(v []byte, token string) bool {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return foldEq(trimOWS(v), token)
}
