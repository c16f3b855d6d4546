package http2

import (
	"golang.org/x/net/http2/hpack"
)

// Config sets the limits of a connection. A zero field takes the default
// named in its comment.
type Config struct {
	// MaxConcurrentStreams is advertised in SETTINGS; a request beyond it
	// is refused (RST_STREAM REFUSED_STREAM). Default 128.
	MaxConcurrentStreams uint32
	// InitialWindowSize is the receive window of each stream, advertised
	// in SETTINGS: the request body bytes a stream may have buffered that
	// its handler has not consumed. Default and minimum 65535.
	InitialWindowSize uint32
	// ConnWindowSize is the receive window of the connection: it bounds the
	// request body bytes buffered across all streams. Default 1 MiB,
	// minimum 65535.
	ConnWindowSize uint32
	// MaxHeaderListSize bounds a request's decoded header list, counted as
	// RFC 9113 §6.5.2 does (name + value + 32 per field); advertised in
	// SETTINGS. A larger request is answered 431. Default 64 KiB.
	MaxHeaderListSize uint32
	// MaxHeaders bounds the field count of a request; more is answered
	// 431. Default 256.
	MaxHeaders int
	// MaxRequests is the number of streams a connection may open before it
	// is sent a graceful GOAWAY (the client continues on a new connection).
	// Default 1<<20.
	MaxRequests int
	// MaxQueued bounds the frames queued for a peer that does not read
	// them (control frames and response headers; DATA is only produced
	// when the transport pulls it). Past it the connection is closed with
	// ENHANCE_YOUR_CALM. Default 256 KiB.
	MaxQueued int
	// MaxResets is the budget of streams the peer may cancel (or make the
	// server reset) before their response was complete, net of the
	// streams completed; past it the connection is closed with
	// ENHANCE_YOUR_CALM. Default 200.
	MaxResets int
	// MaxChatter is the budget of frames that make the server work without
	// asking for anything (PING, SETTINGS, empty DATA, small WINDOW_UPDATE,
	// PRIORITY, PRIORITY_UPDATE, RST_STREAM of a closed stream); every
	// request opened earns 8 more. Past it: ENHANCE_YOUR_CALM. Default 1000.
	MaxChatter int
}

func (cfg *Config) withDefaults() Config {
	c := *cfg
	if c.MaxConcurrentStreams == 0 {
		c.MaxConcurrentStreams = 128
	}
	c.InitialWindowSize = max(c.InitialWindowSize, InitialWindowSize)
	if c.ConnWindowSize == 0 {
		c.ConnWindowSize = 1 << 20
	}
	c.ConnWindowSize = max(c.ConnWindowSize, InitialWindowSize)
	c.InitialWindowSize = min(c.InitialWindowSize, MaxWindow)
	c.ConnWindowSize = min(c.ConnWindowSize, MaxWindow)
	if c.MaxHeaderListSize == 0 {
		c.MaxHeaderListSize = 64 << 10
	}
	if c.MaxHeaders <= 0 {
		c.MaxHeaders = 256
	}
	if c.MaxRequests <= 0 {
		c.MaxRequests = 1 << 20
	}
	if c.MaxQueued <= 0 {
		c.MaxQueued = 256 << 10
	}
	if c.MaxResets <= 0 {
		c.MaxResets = 200
	}
	if c.MaxChatter <= 0 {
		c.MaxChatter = 1000
	}
	return c
}

// Handler is what the server plugs into a connection. The engine calls it
// synchronously from Feed, Pull, Shutdown and Close; it may call back into
// the stream (Respond, Consume …) from inside.
type Handler interface {
	// Request: a stream's request head is complete and valid. The handler
	// answers now or later with Respond; the body, if any, follows.
	Request(s *Stream)
	// Body: more request body bytes are buffered (Body), or the body ended
	// (BodyDone).
	Body(s *Stream)
	// Writable: a stream answering with Write has sent everything it was
	// given and may be given more.
	Writable(s *Stream)
	// Closed: the stream is over, answered or reset. The handler must drop
	// every reference to s (and to its Req) before it returns: the stream
	// is reused.
	Closed(s *Stream)
}

type connState uint8

const (
	statePreface  connState = iota // waiting for the client preface
	stateSettings                  // preface read; the first frame must be SETTINGS
	stateOpen                      // serving
	stateFailed                    // a connection error was queued as GOAWAY; input is ignored
)

// Conn is the server side of one HTTP/2 connection, without I/O: the
// transport gives it the bytes it read (Feed) and writes the bytes it
// produces (Pull). It owns no descriptor and starts no goroutine; it must
// be used from one goroutine (the worker's loop).
type Conn struct {
	cfg   Config
	h     Handler
	state connState
	err   error // the connection error, once state is stateFailed

	// the peer's settings
	peerMaxFrame   int
	peerInitWindow int64

	sendWindow int64 // connection window for DATA we send
	recvWindow int64 // connection window the peer may still fill
	recvUnack  int64 // consumed bytes not yet given back with WINDOW_UPDATE

	streams     map[uint32]*Stream
	active      []*Stream // streams whose answer is being sent
	maxClientID uint32    // highest stream ID the client opened
	opened      int       // streams opened so far
	recentReset [8]uint32 // streams reset lately, whose in-flight frames are ignored
	resetNext   int
	free        []*Stream // recycled streams
	seq         uint64    // DATA frames sent, for round robin

	goingAway bool   // GOAWAY sent: no stream above lastID is served
	lastID    uint32 // last stream ID of our GOAWAY
	closing   bool   // the first GOAWAY of a graceful close is sent (Shutdown)
	peerAway  bool   // the peer sent GOAWAY

	dec    *hpack.Decoder
	hd     headerState
	enc    *hpack.Encoder
	encBuf encBuffer
	heads  headCache // HPACK blocks of recent answer heads
	intern map[string]string

	out     []byte // frames queued for Pull: control frames and HEADERS
	cookies []byte // the cookie fields of the block being decoded, joined
	lower   []byte // scratch: a header name lower-cased

	dying []*Stream // forgotten streams the handler has yet to be told of
	wake  []*Stream // streams whose Write bytes were all sent

	pendingPrio [8]pendingPriority // PRIORITY_UPDATEs that came before their stream
	pendingNext int

	resets  int // rapid-reset debt
	chatter int // flood debt
}

// NewConn returns a server connection that has queued its SETTINGS and
// connection WINDOW_UPDATE; it expects the client preface first.
func NewConn(cfg *Config, h Handler) *Conn {
	c := &Conn{
		cfg:            cfg.withDefaults(),
		h:              h,
		peerMaxFrame:   MinMaxFrameSize,
		peerInitWindow: InitialWindowSize,
		sendWindow:     InitialWindowSize,
		streams:        make(map[uint32]*Stream),
		intern:         make(map[string]string),
	}
	c.recvWindow = int64(c.cfg.ConnWindowSize)
	c.dec = hpack.NewDecoder(initialTableSize, c.emit)
	// Strings are bounded by the header block cap before they are decoded;
	// this is a second fence (Huffman decodes to at most 8/5 of the input).
	c.dec.SetMaxStringLength(2 * c.blockCap())
	c.enc = hpack.NewEncoder(&c.encBuf)
	c.out = AppendSettings(c.out,
		Setting{SettingMaxConcurrentStreams, c.cfg.MaxConcurrentStreams},
		Setting{SettingInitialWindowSize, c.cfg.InitialWindowSize},
		Setting{SettingMaxFrameSize, MinMaxFrameSize},
		Setting{SettingMaxHeaderListSize, c.cfg.MaxHeaderListSize},
		Setting{SettingEnablePush, 0},
		Setting{SettingNoRFC7540Priorities, 1},
	)
	if d := c.cfg.ConnWindowSize - InitialWindowSize; d > 0 {
		c.out = AppendWindowUpdate(c.out, 0, d)
	}
	return c
}

// MaxFrameLen is the largest frame Feed accepts, header included: the
// transport's read buffer must hold at least this many bytes.
const MaxFrameLen = FrameHeaderLen + MinMaxFrameSize

// Feed parses the frames at the start of b and acts on them. It returns how
// many bytes it consumed: the rest of b is the beginning of a frame, which
// the caller keeps and gives again, followed by what it reads next. A
// non-nil error is a connection error: a GOAWAY is queued; the transport
// writes what Pull returns and closes. Feed keeps no reference to b.
func (c *Conn) Feed(b []byte) (int, error) {
	n, err := c.feed(b)
	c.reap()
	return n, err
}

func (c *Conn) feed(b []byte) (int, error) {
	if c.state == stateFailed {
		return len(b), c.err
	}
	n := 0
	if c.state == statePreface {
		switch err := ParsePreface(b); err {
		case nil:
			n, c.state = len(Preface), stateSettings
		case ErrNeedMore:
			return 0, nil
		default:
			return len(b), c.fail(err)
		}
	}
	for c.state != stateFailed {
		f, m, err := ParseFrame(b[n:], MinMaxFrameSize)
		if err == ErrNeedMore {
			return n, nil
		}
		if err != nil {
			return len(b), c.fail(err)
		}
		n += m
		if err := c.frame(&f); err != nil {
			return len(b), c.fail(err)
		}
	}
	return len(b), c.err
}

// fail turns err into a GOAWAY and ends every stream.
func (c *Conn) fail(err error) error {
	ce, ok := err.(*ConnError)
	if !ok {
		ce = connErr(ErrCodeInternal, err.Error())
	}
	c.out = AppendGoAway(c.out, c.maxClientID, ce.Code, ce.Reason)
	c.state, c.err = stateFailed, ce
	c.closeAll()
	return ce
}

// Shutdown starts a graceful close (RFC 9113 §6.8) in two steps, as the
// RFC advises: a GOAWAY with the last stream ID 2^31-1 tells the client
// to open no more streams, and a PING behind it measures one round trip;
// its ACK comes after every stream the client opened before it read the
// GOAWAY, which are all served. Then a second GOAWAY names the last
// stream, the streams in flight finish, and Done reports true once they
// have. A client that opened a stream just before the close thus gets it
// answered, rather than ignored (a client that does not retry, such as
// h2load, would count it as failed). A second call of Shutdown sends the
// final GOAWAY without waiting any longer for the ACK.
func (c *Conn) Shutdown() {
	switch {
	case c.goingAway || c.state == stateFailed:
	case c.closing || c.peerAway: // the client opens no more streams anyway
		c.finalGoAway()
	default:
		c.closing = true
		c.out = AppendGoAway(c.out, maxStreamID, ErrCodeNo, "")
		c.out = AppendPing(c.out, false, shutdownPing)
	}
}

// shutdownPing is the payload of the PING behind the first GOAWAY.
var shutdownPing = [8]byte{'g', 'o', 'i', 'n', 'g', 'a', 'w', 'y'}

func (c *Conn) finalGoAway() {
	c.goingAway, c.lastID = true, c.maxClientID
	c.out = AppendGoAway(c.out, c.lastID, ErrCodeNo, "")
}

// Close ends every stream (the transport is closing): their sources are
// released and Closed is called for each.
func (c *Conn) Close() {
	c.closeAll()
	c.reap()
	if c.state != stateFailed {
		c.state, c.err = stateFailed, connErr(ErrCodeNo, "closed")
	}
}

func (c *Conn) closeAll() {
	for id, s := range c.streams {
		delete(c.streams, id)
		c.release(s)
	}
	c.active = c.active[:0]
}

// Done reports whether the connection has nothing left to do once the
// output Pull returns is written: it failed, or it is going away (either
// side sent GOAWAY) and no stream is left.
func (c *Conn) Done() bool {
	if c.state == stateFailed {
		return len(c.out) == 0
	}
	return (c.goingAway || c.peerAway) && len(c.streams) == 0 && len(c.out) == 0
}

// Streams returns the number of streams in flight (for the transport's
// idle timer: a connection with none is idle).
func (c *Conn) Streams() int { return len(c.streams) }

// Err returns the connection error, or nil.
func (c *Conn) Err() error { return c.err }

// queue appends a control frame built by add to the output, enforcing
// MaxQueued: a peer that sends frames demanding answers but never reads
// them is cut off rather than buffered for (CVE-2019-9512, CVE-2019-9515).
func (c *Conn) checkQueue() error {
	if len(c.out) > c.cfg.MaxQueued {
		return errQueueFull
	}
	return nil
}

var (
	errQueueFull  = connErr(ErrCodeEnhanceYourCalm, "peer does not read its answers")
	errChatter    = connErr(ErrCodeEnhanceYourCalm, "too many frames that ask for nothing")
	errRapidReset = connErr(ErrCodeEnhanceYourCalm, "too many streams cancelled")
)

// charge counts a frame that makes the server work without asking for a
// resource (CVE-2019-9512 ping flood, CVE-2019-9515 settings flood,
// CVE-2019-9518 empty frames flood, CVE-2019-9511 data dribble through
// tiny WINDOW_UPDATEs, CVE-2019-9513 priority churn).
func (c *Conn) charge() error {
	c.chatter++
	if c.chatter > c.cfg.MaxChatter+8*c.opened {
		return errChatter
	}
	return nil
}

// chargeReset counts a stream the peer cancelled, or made the server reset,
// before its answer was complete (CVE-2023-44487 "rapid reset", and
// CVE-2019-9514 reset flood): each one cost a handler run.
func (c *Conn) chargeReset() error {
	c.resets++
	if c.resets > c.cfg.MaxResets {
		return errRapidReset
	}
	return nil
}
