package http2

import (
	"bytes"
	"errors"
	"strconv"

	"golang.org/x/net/http2/hpack"
)

// The errors of the answer side: a misuse by the handler, or a stream
// that is already gone (the handler may learn of a reset after it
// started answering; it then drops the rest).
var (
	ErrStreamClosed = errors.New("http2: stream closed")
	ErrResponded    = errors.New("http2: answer already started")
	ErrNotResponded = errors.New("http2: body before the answer's head")
	ErrEnded        = errors.New("http2: body after its end")
	ErrBadHead      = errors.New("http2: malformed HTTP/1 head")
)

// statusText holds the :status values, so that encoding one does not
// allocate.
var statusText = func() (t [600]string) {
	for i := 100; i < len(t); i++ {
		t[i] = strconv.Itoa(i)
	}
	return
}()

// Respond sends the answer's head: status and header lines in their HTTP/1
// form, "Name: value\r\n" each (the form runtime/static keeps pre-built).
// Names are lower-cased and connection-specific fields (Connection,
// Keep-Alive, Transfer-Encoding, Upgrade) dropped, as RFC 9113 §8.2.2
// requires. end means there is no body.
func (s *Stream) Respond(status int, lines []byte, end bool) error {
	if err := s.canAnswer(status); err != nil {
		return err
	}
	c := s.c
	if b := c.heads.lookup(status, lines, c.encBuf.gen); b != nil {
		c.encBuf.b = append(c.encBuf.b[:0], b...)
		return c.endAnswerHead(s, end)
	}
	c.startAnswer(status)
	gen, all := c.encBuf.gen, lines
	for len(lines) > 0 {
		var line []byte
		line, lines = cutLine(lines)
		if len(line) == 0 {
			continue
		}
		colon := -1
		for i, b := range line {
			if b == ':' {
				colon = i
				break
			}
		}
		if colon <= 0 {
			return ErrBadHead
		}
		c.lower = c.lower[:0]
		for _, b := range line[:colon] {
			if 'A' <= b && b <= 'Z' {
				b += 'a' - 'A'
			}
			c.lower = append(c.lower, b)
		}
		if connectionSpecific(c.lower) {
			continue
		}
		value := trimSpace(line[colon+1:])
		c.enc.WriteField(hpack.HeaderField{Name: c.internBytes(c.lower), Value: c.internBytes(value)})
	}
	if c.encBuf.gen == gen {
		c.heads.store(status, all, c.encBuf.b, gen)
	}
	return c.endAnswerHead(s, end)
}

// RespondHTTP1 is Respond for a whole HTTP/1 head: a status line, the
// field lines and the empty line. It returns the head's length, so that a
// body that follows it in the same buffer can be sent on.
func (s *Stream) RespondHTTP1(head []byte, end bool) (int, error) {
	// "HTTP/1.1 200 OK\r\n"
	if len(head) < 12 || string(head[:5]) != "HTTP/" || head[8] != ' ' {
		return 0, ErrBadHead
	}
	status := 0
	for _, b := range head[9:12] {
		if b < '0' || b > '9' {
			return 0, ErrBadHead
		}
		status = status*10 + int(b-'0')
	}
	if status < 100 {
		return 0, ErrBadHead
	}
	_, rest := cutLine(head)
	n := len(head) - len(rest)
	lines, used, ok := splitHead(rest)
	if !ok {
		return 0, ErrBadHead // no empty line
	}
	return n + used, s.Respond(status, lines, end)
}

// splitHead finds the empty line that ends the field lines at the start of
// b: it returns the lines (each with its line end) and the bytes used,
// the empty line included; ok is false when there is no empty line.
func splitHead(b []byte) (lines []byte, used int, ok bool) {
	// One pass from line end to line end (at memory speed between them):
	// the first line that is empty, or holds only CR, ends the head.
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		if j == 0 || j == 1 && b[i] == '\r' {
			return b[:i], i + j + 1, true
		}
		i += j + 1
	}
	return nil, 0, false
}

// RespondFields sends the answer's head from fields whose names are
// already lower case.
func (s *Stream) RespondFields(status int, fields []hpack.HeaderField, end bool) error {
	if err := s.canAnswer(status); err != nil {
		return err
	}
	c := s.c
	c.startAnswer(status)
	for _, f := range fields {
		if !connectionSpecific([]byte(f.Name)) {
			c.enc.WriteField(f)
		}
	}
	return c.endAnswerHead(s, end)
}

func (s *Stream) canAnswer(status int) error {
	switch {
	case s.c == nil || s.localClosed:
		return ErrStreamClosed
	case s.responded:
		return ErrResponded
	case status < 100 || status >= len(statusText):
		return ErrBadHead
	}
	return nil
}

func (c *Conn) startAnswer(status int) {
	c.encBuf.b = c.encBuf.b[:0]
	c.enc.WriteField(hpack.HeaderField{Name: ":status", Value: statusText[status]})
}

func (c *Conn) endAnswerHead(s *Stream, end bool) error {
	c.out = AppendHeaders(c.out, s.ID, end, c.encBuf.b, c.peerMaxFrame)
	s.responded = true
	if end {
		s.ended, s.localClosed = true, true
		c.maybeForget(s)
		return nil
	}
	c.activate(s)
	return nil
}

// Write queues body bytes, copied: for answers produced as they go
// (forwarded, from an application). Writable is called when they are all
// sent; a producer keeps Buffered small to hold backpressure.
func (s *Stream) Write(b []byte) error {
	if err := s.canWrite(); err != nil {
		return err
	}
	// pend is empty, the caller's bytes (WriteRef) or a tail of own:
	// either way it moves to the front of own, then b follows.
	s.own = append(s.own[:0], s.pend...)
	s.own = append(s.own, b...)
	s.pend, s.refd = s.own, false
	s.wantMore = true
	return nil
}

// WriteRef queues body bytes without copying them: b must stay unchanged
// until the stream is closed (a cached file's body).
func (s *Stream) WriteRef(b []byte) error {
	if err := s.canWrite(); err != nil {
		return err
	}
	if len(s.pend) > 0 {
		return s.Write(b)
	}
	s.pend, s.refd = b, true
	return nil
}

// SendSource sends size bytes read from src as the windows allow, and ends
// the stream after them. src is closed when done or when the stream ends
// early; a source that fails or ends early resets the stream.
func (s *Stream) SendSource(src Source, size int64) error {
	if err := s.canWrite(); err != nil {
		src.Close()
		return err
	}
	if s.src != nil {
		src.Close()
		return ErrEnded
	}
	s.src, s.srcLeft, s.ended = src, size, true
	return nil
}

// End ends the body after what was queued.
func (s *Stream) End() error {
	if err := s.canWrite(); err != nil {
		return err
	}
	s.ended = true
	return nil
}

// Buffered returns the body bytes queued and not yet sent.
func (s *Stream) Buffered() int { return len(s.pend) }

// Reset abandons the stream with RST_STREAM code (CANCEL, INTERNAL_ERROR):
// a handler whose backend failed mid-answer.
func (s *Stream) Reset(code ErrCode) {
	if s.c != nil && s.c.streams[s.ID] == s {
		s.c.resetStream(s.ID, code)
	}
}

func (s *Stream) canWrite() error {
	switch {
	case s.c == nil || s.localClosed:
		return ErrStreamClosed
	case !s.responded:
		return ErrNotResponded
	case s.ended:
		return ErrEnded
	}
	return nil
}

// internBytes returns b as a string, the same string for the same bytes:
// header names and common values are allocated once per connection, not
// once per answer. The HPACK encoder keeps what it indexes, so the strings
// must be real copies.
func (c *Conn) internBytes(b []byte) string {
	if v, ok := c.intern[string(b)]; ok {
		return v
	}
	if len(c.intern) >= 512 {
		clear(c.intern)
	}
	v := string(b)
	c.intern[v] = v
	return v
}

func connectionSpecific(name []byte) bool {
	switch string(name) {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return true
	}
	return false
}

// cutLine splits at the first LF; the line is returned without its CRLF.
func cutLine(b []byte) (line, rest []byte) {
	for i, c := range b {
		if c == '\n' {
			line = b[:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return line, b[i+1:]
		}
	}
	return b, nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// encBuffer collects what the HPACK encoder writes, one field's
// representation per Write. gen counts those that are not an indexed field
// (first bit 1, RFC 7541 §6.1): the ones that may change the dynamic table
// (see headCache).
type encBuffer struct {
	b   []byte
	gen uint64
}

func (w *encBuffer) Write(p []byte) (int, error) {
	if len(p) == 0 || p[0]&0x80 == 0 {
		w.gen++
	}
	w.b = append(w.b, p...)
	return len(p), nil
}
