package http2

import (
	"github.com/hetaoc/hetao/runtime/http1"
)

// Stream is one request and its answer. The engine owns it: it is valid
// from Handler.Request until Handler.Closed returns, then reused.
//
// Its state (RFC 9113 §5.1) is two facts: remoteClosed (the client sent
// END_STREAM: half-closed (remote)) and localClosed (the answer's
// END_STREAM was produced: half-closed (local)). Both: closed, and the
// stream is forgotten. An idle or closed stream has no Stream at all: the
// connection tells them apart by the highest stream ID opened so far.
type Stream struct {
	// ID is the stream identifier.
	ID uint32
	// Req is the request head. Its byte slices point into the stream's own
	// arena and stay valid until Closed. Minor is 1 and KeepAlive true:
	// the request has HTTP/1.1 semantics; Host is :authority (or the host
	// field when :authority is absent).
	Req http1.Request
	// User is the handler's own value for this stream; the engine clears it
	// when the stream is reused.
	User any

	c            *Conn
	remoteClosed bool
	localClosed  bool
	announced    bool // Handler.Request was called
	responded    bool // HEADERS of the answer were produced

	arena []byte
	spans []fieldSpan

	// request body
	declared   int64 // content-length, -1 when absent
	received   int64
	body       []byte // received and not consumed
	discard    bool   // the handler does not want the body
	recvWindow int64  // bytes the client may still send on this stream
	recvUnack  int64  // consumed bytes not yet given back

	// answer body
	sendWindow int64
	pend       []byte // bytes to send next
	own        []byte // the stream's buffer that Write copies into
	refd       bool   // pend is the caller's (WriteRef), not own
	src        Source
	srcLeft    int64
	ended      bool // no more body will be given: END_STREAM after pend and src
	wantMore   bool // Writable is due when pend drains
	active     bool // in Conn.active
	prio       priority
	lastSent   uint64
}

type fieldSpan struct{ name, nameEnd, value, valueEnd int }

// Source is an answer body read in chunks as the flow-control windows open:
// a large file is read a frame at a time, never whole.
type Source interface {
	// Read fills p with the next bytes of the body, like io.Reader.
	Read(p []byte) (int, error)
	// Close releases the source: called once, when the body was sent or
	// the stream ended before.
	Close() error
}

func (c *Conn) newStream(id uint32) *Stream {
	var s *Stream
	if n := len(c.free); n > 0 {
		s, c.free = c.free[n-1], c.free[:n-1]
		*s = Stream{arena: s.arena[:0], spans: s.spans[:0], body: s.body[:0], own: s.own[:0],
			Req: http1.Request{Headers: s.Req.Headers[:0]}}
	} else {
		s = &Stream{}
	}
	s.ID, s.c = id, c
	s.declared = -1
	s.recvWindow = int64(c.cfg.InitialWindowSize)
	s.sendWindow = c.peerInitWindow
	s.prio = defaultPriority
	return s
}

// forget removes a stream from the connection: its source is closed, the
// handler told, and the stream kept for reuse.
func (c *Conn) forget(s *Stream) {
	delete(c.streams, s.ID)
	c.release(s)
}

func (c *Conn) release(s *Stream) {
	if s.active {
		c.deactivate(s)
	}
	if s.src != nil {
		s.src.Close()
		s.src = nil
	}
	// Body bytes never consumed go back to the connection window.
	if n := int64(len(s.body)); n > 0 {
		c.giveBack(n)
		s.body = s.body[:0]
	}
	s.localClosed = true
	c.dying = append(c.dying, s)
}

// reap tells the handler of the streams forgotten since the last call and
// keeps them for reuse. It runs at the end of Feed, Pull and Close, never
// inside a Stream method: a handler may use its stream until the call
// into the engine it made returns.
func (c *Conn) reap() {
	for i, s := range c.dying {
		if s.announced {
			c.h.Closed(s)
		}
		s.User, s.c, s.pend = nil, nil, nil
		if len(c.free) < 16 {
			c.free = append(c.free, s)
		}
		c.dying[i] = nil
	}
	c.dying = c.dying[:0]
}

// maybeForget closes a stream whose two sides have ended. An answer that
// is complete while the client still sends a body leaves the stream
// half-closed (local): the rest of the body is read and dropped, and still
// checked (content-length, trailers), as long as the stream window the
// client has can carry it; the window is not reopened. When it cannot,
// RST_STREAM NO_ERROR asks the client to stop (RFC 9113 §8.1).
func (c *Conn) maybeForget(s *Stream) {
	if !s.localClosed {
		return
	}
	if s.remoteClosed {
		c.forget(s)
		return
	}
	if s.recvWindow <= 0 || s.declared >= 0 && s.declared-s.received > s.recvWindow {
		c.resetStream(s.ID, ErrCodeNo)
	}
}

// giveBack returns n consumed bytes to the connection window, with a
// WINDOW_UPDATE once half the window is owed: one frame per half window,
// not per DATA frame.
func (c *Conn) giveBack(n int64) {
	c.recvUnack += n
	if c.recvUnack >= int64(c.cfg.ConnWindowSize)/2 {
		c.out = AppendWindowUpdate(c.out, 0, uint32(c.recvUnack))
		c.recvWindow += c.recvUnack
		c.recvUnack = 0
	}
}

func (s *Stream) giveBack(n int64) {
	s.recvUnack += n
	if !s.remoteClosed && !s.localClosed && s.recvUnack >= int64(s.c.cfg.InitialWindowSize)/2 {
		s.c.out = AppendWindowUpdate(s.c.out, s.ID, uint32(s.recvUnack))
		s.recvWindow += s.recvUnack
		s.recvUnack = 0
	}
}

// Body returns the request body bytes received and not yet consumed. The
// slice is the stream's: valid until the next call into the connection.
func (s *Stream) Body() []byte { return s.body }

// BodyDone reports whether the whole request body was received (it may
// still be partly unconsumed).
func (s *Stream) BodyDone() bool { return s.remoteClosed }

// Consume marks the first n bytes of Body as used. The windows reopen for
// them: the client sends more only as fast as the handler consumes.
func (s *Stream) Consume(n int) {
	n = min(n, len(s.body))
	if n <= 0 || s.c == nil {
		return
	}
	s.body = s.body[:copy(s.body, s.body[n:])]
	s.c.giveBack(int64(n))
	s.giveBack(int64(n))
}

// DiscardBody drops the request body, buffered and to come, reopening the
// windows at once: for handlers that answer without reading it.
func (s *Stream) DiscardBody() {
	s.discard = true
	s.Consume(len(s.body))
}
