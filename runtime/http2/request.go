package http2

import (
	"golang.org/x/net/http2/hpack"

	"github.com/hetaoc/hetao/runtime/http1"
)

// pseudoField takes a request pseudo-header (§8.3.1): each at most once,
// only the four of a request (no extended CONNECT, no :status).
func (c *Conn) pseudoField(f hpack.HeaderField) {
	hd := &c.hd
	var bit uint8
	var dst *span
	switch f.Name {
	case ":method":
		bit, dst = pseudoMethod, &hd.method
	case ":scheme":
		bit, dst = pseudoScheme, &hd.scheme
	case ":authority":
		bit, dst = pseudoAuthority, &hd.authority
	case ":path":
		bit, dst = pseudoPath, &hd.path
	default:
		hd.malformed = true
		return
	}
	if hd.pseudo&bit != 0 {
		hd.malformed = true
		return
	}
	hd.pseudo |= bit
	*dst = hd.s.appendArena(f.Value)
}

func (s *Stream) appendArena(v string) span {
	start := len(s.arena)
	s.arena = append(s.arena, v...)
	return span{start, len(s.arena)}
}

func (s *Stream) bytes(sp span) []byte { return s.arena[sp.start:sp.end:sp.end] }

// endBlock acts on a complete header block.
func (c *Conn) endBlock() error {
	hd := &c.hd
	switch hd.mode {
	case blockDiscard:
		return hd.after
	case blockTrailers:
		s := hd.s
		if hd.tooLarge || hd.malformed || !hd.end {
			return streamErr(s.ID, ErrCodeProtocol, "malformed trailers")
		}
		if s.declared >= 0 && s.received != s.declared {
			return streamErr(s.ID, ErrCodeProtocol, "body length differs from content-length")
		}
		s.remoteClosed = true
		if !s.localClosed {
			c.h.Body(s)
		}
		if c.streams[s.ID] == s {
			c.maybeForget(s)
		}
		return nil
	}
	s := hd.s
	if hd.tooLarge {
		return c.refuseTooLarge(s)
	}
	if hd.malformed || !c.buildRequest(s) {
		c.recycle(s)
		return streamErr(s.ID, ErrCodeProtocol, "malformed request head")
	}
	if hd.end {
		if s.declared > 0 {
			c.recycle(s)
			return streamErr(s.ID, ErrCodeProtocol, "body length differs from content-length")
		}
		s.remoteClosed = true
	}
	s.prio = hd.prio
	for i, p := range c.pendingPrio {
		if p.id == s.ID {
			s.prio, c.pendingPrio[i] = p.prio, pendingPriority{}
		}
	}
	c.streams[s.ID] = s
	c.opened++
	s.announced = true
	if c.opened >= c.cfg.MaxRequests {
		// Stream IDs are a budget too: the client goes on with a new
		// connection once this one has served its share.
		c.Shutdown()
	}
	c.h.Request(s)
	return c.checkQueue()
}

// recycle drops a stream that never opened.
func (c *Conn) recycle(s *Stream) {
	s.c = nil
	if len(c.free) < 16 {
		c.free = append(c.free, s)
	}
}

// refuseTooLarge answers 431 for a request whose header list is above the
// limit, without the handler; a body still to come is refused with
// RST_STREAM NO_ERROR.
func (c *Conn) refuseTooLarge(s *Stream) error {
	id, end := s.ID, c.hd.end
	c.recycle(s)
	c.encBuf.b = c.encBuf.b[:0]
	c.enc.WriteField(hpack.HeaderField{Name: ":status", Value: "431"})
	c.enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "0"})
	c.out = AppendHeaders(c.out, id, true, c.encBuf.b, c.peerMaxFrame)
	if !end {
		c.resetStream(id, ErrCodeNo)
	}
	if err := c.chargeReset(); err != nil {
		return err
	}
	return c.checkQueue()
}

// buildRequest checks the pseudo-headers (§8.3.1) and fills s.Req. The
// arena is complete, so the slices made here stay put.
func (c *Conn) buildRequest(s *Stream) bool {
	hd := &c.hd
	if hd.hasCookie {
		name := s.appendArena("cookie")
		start := len(s.arena)
		s.arena = append(s.arena, c.cookies...)
		s.spans = append(s.spans, fieldSpan{name.start, name.end, start, len(s.arena)})
	}
	r := &s.Req
	r.Headers = r.Headers[:0]
	r.ContentLength = s.declared
	r.Major, r.Minor, r.KeepAlive = 2, 1, true
	r.HeadLen = int(hd.size)
	if hd.pseudo&pseudoMethod == 0 {
		return false
	}
	r.MethodRaw = s.bytes(hd.method)
	if !isToken(r.MethodRaw) {
		return false
	}
	r.Method = http1.LookupMethod(r.MethodRaw)
	if r.Method == http1.MethodCONNECT {
		// §8.5: :authority only.
		if hd.pseudo != pseudoMethod|pseudoAuthority {
			return false
		}
		r.Target = s.bytes(hd.authority)
	} else {
		if hd.pseudo&(pseudoScheme|pseudoPath) != pseudoScheme|pseudoPath || hd.scheme.end == hd.scheme.start {
			return false
		}
		r.Target = s.bytes(hd.path)
		switch {
		case len(r.Target) == 0:
			return false
		case r.Target[0] == '/':
			r.Path, r.Query = r.Target, nil
			for i, b := range r.Target {
				if b == '?' {
					r.Path, r.Query = r.Target[:i:i], r.Target[i+1:]
					break
				}
			}
		case string(r.Target) == "*" && r.Method == http1.MethodOPTIONS:
			r.Path = r.Target
		default:
			return false
		}
	}
	// :authority is the Host (§8.3.1); a host field naming another is
	// malformed.
	switch {
	case hd.pseudo&pseudoAuthority != 0:
		r.Host = s.bytes(hd.authority)
		if hd.hasHost && string(s.bytes(hd.host)) != string(r.Host) {
			return false
		}
	case hd.hasHost:
		r.Host = s.bytes(hd.host)
	}
	for _, r0 := range r.Host {
		if r0 == '@' {
			return false // userinfo is not allowed in :authority (§8.3.1)
		}
	}
	for _, sp := range s.spans {
		h := http1.Header{Name: s.arena[sp.name:sp.nameEnd:sp.nameEnd], Value: s.arena[sp.value:sp.valueEnd:sp.valueEnd]}
		r.Headers = append(r.Headers, h)
		switch string(h.Name) {
		case "accept-encoding":
			r.AcceptEncoding = s.joinList(r.AcceptEncoding, h.Value)
		case "if-none-match":
			r.IfNoneMatch = s.joinList(r.IfNoneMatch, h.Value)
		case "if-modified-since":
			r.IfModifiedSince = first(r.IfModifiedSince, h.Value)
		case "range":
			r.Range = first(r.Range, h.Value)
		case "if-range":
			r.IfRange = first(r.IfRange, h.Value)
		case "user-agent":
			r.UserAgent = first(r.UserAgent, h.Value)
		}
	}
	return true
}

func first(have, v []byte) []byte {
	if have != nil {
		return have
	}
	return v
}

// joinList combines the values of a repeated list field (RFC 9110 §5.3)
// in the arena. Slices made before stay valid: the arena only grows.
func (s *Stream) joinList(have, v []byte) []byte {
	if have == nil {
		return v
	}
	start := len(s.arena)
	s.arena = append(s.arena, have...)
	s.arena = append(s.arena, ", "...)
	s.arena = append(s.arena, v...)
	return s.arena[start:len(s.arena):len(s.arena)]
}

// tchar of RFC 9110 §5.6.2.
var tchar = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

func isToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tchar[c] {
			return false
		}
	}
	return true
}

// validName: a token without upper case (§8.2.1, §8.2).
func validName(n string) bool {
	if len(n) == 0 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !tchar[c] || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// validValue: no NUL, CR or LF, and no white space at either end (§8.2.1).
func validValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == 0 || c == '\r' || c == '\n' {
			return false
		}
	}
	if n := len(v); n > 0 {
		if a, z := v[0], v[n-1]; a == ' ' || a == '\t' || z == ' ' || z == '\t' {
			return false
		}
	}
	return true
}

func parseLength(v string) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
