package http1

import "errors"

// Method is a request method. Methods are case-sensitive (RFC 9110 §9.1):
// "get" is a valid token but not GET, so it is MethodOther.
type Method uint8

// The methods of RFC 9110 §9 and RFC 5789 (PATCH). Any other token is
// MethodOther; Request.MethodRaw holds it as sent.
const (
	MethodOther Method = iota
	MethodGET
	MethodHEAD
	MethodPOST
	MethodPUT
	MethodDELETE
	MethodOPTIONS
	MethodTRACE
	MethodPATCH
	MethodCONNECT
)

var methodNames = [...]string{
	MethodOther:   "OTHER",
	MethodGET:     "GET",
	MethodHEAD:    "HEAD",
	MethodPOST:    "POST",
	MethodPUT:     "PUT",
	MethodDELETE:  "DELETE",
	MethodOPTIONS: "OPTIONS",
	MethodTRACE:   "TRACE",
	MethodPATCH:   "PATCH",
	MethodCONNECT: "CONNECT",
}

// String returns the method name, or "OTHER" for MethodOther.
func (m Method) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return "OTHER"
}

// Idempotent reports whether requests with method m may be sent again
// after a connection failed under them (RFC 9110 §9.2.2).
func (m Method) Idempotent() bool {
	switch m {
	case MethodGET, MethodHEAD, MethodPUT, MethodDELETE, MethodOPTIONS, MethodTRACE:
		return true
	}
	return false
}

// lookupMethod maps an exact (case-sensitive) method token to its Method.
func lookupMethod(b []byte) Method {
	switch len(b) {
	case 3:
		if string(b) == "GET" {
			return MethodGET
		}
		if string(b) == "PUT" {
			return MethodPUT
		}
	case 4:
		if string(b) == "HEAD" {
			return MethodHEAD
		}
		if string(b) == "POST" {
			return MethodPOST
		}
	case 5:
		if string(b) == "TRACE" {
			return MethodTRACE
		}
		if string(b) == "PATCH" {
			return MethodPATCH
		}
	case 6:
		if string(b) == "DELETE" {
			return MethodDELETE
		}
	case 7:
		if string(b) == "OPTIONS" {
			return MethodOPTIONS
		}
		if string(b) == "CONNECT" {
			return MethodCONNECT
		}
	}
	return MethodOther
}

// Header is one header field line: the name as sent (any case) and the
// value with surrounding whitespace removed. Both point into the buffer
// given to Request.Parse.
type Header struct{ Name, Value []byte }

// Request is a parsed request head. Byte slices point into the buffer given
// to Parse (owned by the caller) and are valid until that buffer is
// modified or reused; the Headers array itself belongs to the Request and
// is reused by the next Parse. After an error the fields are unspecified.
type Request struct {
	Method    Method
	MethodRaw []byte // as sent (a valid token)
	Target    []byte // raw request-target
	// Path is the raw (not decoded) path of Target, before any '?'. For an
	// absolute-form target it is the path after the authority ("/" when the
	// target has none); for "*" (OPTIONS) it is "*"; for CONNECT's
	// authority-form it is nil. Use CleanPath before touching a file system.
	Path  []byte
	Query []byte // after '?', without it; nil if there is no '?'
	Minor uint8  // HTTP/1.<Minor>: 0 or 1
	// Major is 2 for a request that came over HTTP/2 (runtime/http2 fills
	// the Request, with Minor 1: HTTP/1.1 semantics); 0 otherwise.
	Major uint8
	// Host is the Host header field value, or the authority of an
	// absolute-form target (RFC 9112 §3.2.2: it then overrides the header).
	// nil when absent (only possible in HTTP/1.0).
	Host          []byte
	Headers       []Header // every field line, in order; the array is owned by r
	ContentLength int64    // -1 when absent (always -1 when Chunked)
	Chunked       bool     // the body uses the chunked transfer coding
	KeepAlive     bool     // the connection may stay open after this request
	Expect100     bool     // "Expect: 100-continue" in an HTTP/1.1 request

	// Frequently used fields located during the single pass, nil if absent.
	// When a field line is repeated, the first one is kept (all of them are
	// in Headers), except for the list-valued AcceptEncoding and IfNoneMatch,
	// whose lines are combined into one list (RFC 9110 §5.3); KeepAlive
	// looks at every Connection line.
	AcceptEncoding, IfNoneMatch, IfModifiedSince, Range, IfRange, UserAgent, Connection, Upgrade []byte

	HeadLen int // bytes of the request head including the final empty line

	// parser state, reset by Parse
	hosts     uint8 // Host field lines seen
	clSeen    bool
	connClose bool
	connKeep  bool
	absolute  bool // the target was in absolute-form
	te        teState
	inHeaders bool   // the request line was complete
	joined    []byte // combined values of repeated list fields (see combine)
}

type teState struct {
	seen        bool // a Transfer-Encoding line was present
	chunked     int  // how many times "chunked" was listed
	lastChunked bool // the final coding listed so far is chunked
	other       bool // a coding other than chunked was listed
	bad         bool // a list element was not a token
}

// reset clears r for a new request, keeping the Headers array: it grows on
// the first requests and is then reused, so a warm Request never allocates.
func (r *Request) reset() {
	*r = Request{Headers: r.Headers[:0], ContentLength: -1, joined: r.joined[:0]}
}

// combine joins the value of a list-valued field seen again to what it had
// so far, as one comma-separated list (RFC 9110 §5.3), in a scratch buffer
// the request keeps: no allocation once it has grown.
func (r *Request) combine(prev, v []byte) []byte {
	start := len(r.joined)
	r.joined = append(r.joined, prev...)
	r.joined = append(r.joined, ", "...)
	r.joined = append(r.joined, v...)
	return r.joined[start:len(r.joined):len(r.joined)]
}

// HeaderList returns the values of every field line named name combined
// into one list (RFC 9110 §5.3), or nil when there is none.
func (r *Request) HeaderList(name string) []byte {
	var list []byte
	for i := range r.Headers {
		if foldEq(r.Headers[i].Name, name) {
			if list == nil {
				list = r.Headers[i].Value
			} else {
				list = r.combine(list, r.Headers[i].Value)
			}
		}
	}
	return list
}

// Header returns the value of the first field line whose name equals name
// (ASCII case-insensitive), or nil. It scans Headers linearly.
func (r *Request) Header(name string) []byte {
	for i := range r.Headers {
		if foldEq(r.Headers[i].Name, name) {
			return r.Headers[i].Value
		}
	}
	return nil
}

// Limits bound one request. A zero field means the hard cap: 256 header
// fields, 64 KiB of head, 1<<62 bytes of body. MaxHeadBytes above 64 KiB
// is treated as 64 KiB (the event loop reads no larger head), MaxBody
// above 1<<62 as 1<<62.
type Limits struct {
	MaxHeaders   int   // header field lines; more → 431
	MaxHeadBytes int   // the whole head: request line, fields, their CRLFs and the final CRLF; longer → 431, or 414 when the request line alone, without its CRLF, is longer
	MaxBody      int64 // declared Content-Length above it → 413 (Chunked enforces it on chunked bodies)
}

// Hard caps used when a Limits field is zero (or Limits is nil); the
// head and body caps also bound larger values.
const (
	HardMaxHeaders   = 256
	HardMaxHeadBytes = 64 << 10
	HardMaxBody      = int64(1) << 62
)

func (l *Limits) values() (heads, headBytes int, body int64) {
	heads, headBytes, body = HardMaxHeaders, HardMaxHeadBytes, HardMaxBody
	if l != nil {
		if l.MaxHeaders > 0 {
			heads = l.MaxHeaders
		}
		if l.MaxHeadBytes > 0 && l.MaxHeadBytes < HardMaxHeadBytes {
			headBytes = l.MaxHeadBytes
		}
		if l.MaxBody > 0 && l.MaxBody < HardMaxBody {
			body = l.MaxBody
		}
	}
	return
}

// ErrNeedMore is returned by Parse when buf holds only a prefix of a request
// head that is still within the limits: read more and call Parse again with
// the whole head so far (Parse keeps no state between calls).
var ErrNeedMore = errors.New("http1: incomplete request head")

// Error is a request the server must refuse, with the status to answer.
// All values are preallocated package variables: the error path does not
// allocate. After any *Error the connection must be closed once the error
// response has been sent, because the framing of what follows is unknown.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// The errors Parse, Chunked.Decode and CleanPath return.
var (
	ErrBadRequestLine  = &Error{400, "http1: malformed request line"}
	ErrBadTarget       = &Error{400, "http1: malformed request-target"}
	ErrBadVersion      = &Error{400, "http1: malformed HTTP version"}
	ErrVersion         = &Error{505, "http1: HTTP version not supported"}
	ErrBadHeaderName   = &Error{400, "http1: malformed header field name"}
	ErrBadHeaderValue  = &Error{400, "http1: malformed header field value"}
	ErrObsFold         = &Error{400, "http1: obsolete line folding"}
	ErrBareCR          = &Error{400, "http1: CR not followed by LF"}
	ErrNoHost          = &Error{400, "http1: HTTP/1.1 request without Host"}
	ErrManyHost        = &Error{400, "http1: more than one Host"}
	ErrBadHost         = &Error{400, "http1: malformed Host"}
	ErrBadLength       = &Error{400, "http1: malformed Content-Length"}
	ErrManyLength      = &Error{400, "http1: more than one Content-Length"}
	ErrLengthAndTE     = &Error{400, "http1: Transfer-Encoding with Content-Length"}
	ErrTEVersion       = &Error{400, "http1: Transfer-Encoding in HTTP/1.0"}
	ErrTENotChunked    = &Error{400, "http1: final transfer coding is not chunked"}
	ErrBadTE           = &Error{400, "http1: malformed Transfer-Encoding"}
	ErrTEUnknown       = &Error{501, "http1: transfer coding not implemented"}
	ErrBodyTooLarge    = &Error{413, "http1: body too large"}
	ErrURITooLong      = &Error{414, "http1: request line too long"}
	ErrHeadTooLarge    = &Error{431, "http1: request head too large"}
	ErrTooManyHeaders  = &Error{431, "http1: too many header fields"}
	ErrBadChunk        = &Error{400, "http1: malformed chunked body"}
	ErrChunkExtTooLong = &Error{400, "http1: chunk extension too long"}
	ErrTrailerTooLarge = &Error{400, "http1: trailer section too large"}
	ErrBadPath         = &Error{400, "http1: malformed path"}
	ErrPathEscape      = &Error{400, "http1: path goes above the root"}
)

// equalFold reports whether b equals s, ASCII case-insensitively. s must be
// lower case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
