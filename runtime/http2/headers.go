package http2

import "golang.org/x/net/http2/hpack"

type blockMode uint8

const (
	blockRequest  blockMode = iota // the head of a new stream
	blockTrailers                  // trailers of a stream's request body
	blockDiscard                   // decoded to keep HPACK in step, then dropped
)

// Pseudo-header bits of headerState.pseudo.
const (
	pseudoMethod = 1 << iota
	pseudoScheme
	pseudoAuthority
	pseudoPath
)

// headerState is the header block being received: HEADERS then
// CONTINUATION frames up to END_HEADERS. Each fragment is decoded as it
// arrives, after the block's size was checked.
type headerState struct {
	active   bool // only CONTINUATION of stream id may come next
	id       uint32
	mode     blockMode
	s        *Stream
	end      bool  // the HEADERS frame had END_STREAM
	after    error // what a discarded block ends with
	blockLen int
	frames   int

	size      uint32 // decoded list size, RFC 9113 §6.5.2
	count     int
	tooLarge  bool
	malformed bool
	regular   bool // a regular field was seen: no pseudo-header may follow
	pseudo    uint8
	method    span
	scheme    span
	authority span
	path      span
	host      span
	hasHost   bool
	hasCookie bool // Conn.cookies holds the cookie fields joined
	prio      priority
}

type span struct{ start, end int }

// blockCap bounds the encoded header block: more is a connection error
// before a byte of it is decoded. A block is at most a little larger than
// the decoded list it carries, so this is well above any request the
// MaxHeaderListSize limit would answer with 431.
func (c *Conn) blockCap() int { return int(c.cfg.MaxHeaderListSize) + 16<<10 }

// maxBlockFrames bounds the frames of one block, empty CONTINUATIONs
// included.
func (c *Conn) maxBlockFrames() int { return 8 + c.blockCap()/1024 }

var (
	errBlockTooLarge = connErr(ErrCodeEnhanceYourCalm, "header block too large")
	errCompression   = connErr(ErrCodeCompression, "HPACK decoding failed")
)

func (c *Conn) onHeaders(f *Frame) error {
	id := f.StreamID
	if id == 0 {
		return errStreamZero
	}
	if id%2 == 0 {
		return errEvenStream
	}
	frag, prio, hasPrio, err := f.Headers()
	if err != nil {
		return err
	}
	hd := &c.hd
	*hd = headerState{id: id, end: f.Flags.Has(FlagEndStream), prio: defaultPriority}
	c.cookies = c.cookies[:0]
	if hasPrio && prio.Dependency == id {
		hd.mode, hd.after = blockDiscard, streamErr(id, ErrCodeProtocol, "stream depends on itself")
		if id > c.maxClientID {
			c.maxClientID = id
		}
	} else if s := c.streams[id]; s != nil {
		if s.remoteClosed {
			hd.mode, hd.after = blockDiscard, streamErr(id, ErrCodeStreamClosed, "HEADERS after END_STREAM")
		} else {
			hd.mode, hd.s = blockTrailers, s
		}
	} else if id <= c.maxClientID {
		if !c.wasReset(id) {
			return errClosedStream
		}
		hd.mode = blockDiscard
	} else {
		c.maxClientID = id
		switch {
		case c.goingAway || c.peerAway:
			hd.mode = blockDiscard // above our GOAWAY's last stream: ignored (§6.8)
		case len(c.streams) >= int(c.cfg.MaxConcurrentStreams):
			hd.mode, hd.after = blockDiscard, streamErr(id, ErrCodeRefusedStream, "too many concurrent streams")
		default:
			hd.mode, hd.s = blockRequest, c.newStream(id)
		}
	}
	c.dec.SetEmitEnabled(hd.mode != blockDiscard)
	return c.headerFragment(frag, f.Flags.Has(FlagEndHeaders))
}

// headerFragment takes one fragment of the block. The block's size and
// frame count are checked before the fragment is decoded: a peer cannot
// make the server buffer or decode an endless block (CVE-2024-27316 and
// CVE-2023-45288, "CONTINUATION flood").
func (c *Conn) headerFragment(frag []byte, endHeaders bool) error {
	hd := &c.hd
	hd.blockLen += len(frag)
	hd.frames++
	if hd.blockLen > c.blockCap() || hd.frames > c.maxBlockFrames() {
		return errBlockTooLarge
	}
	if _, err := c.dec.Write(frag); err != nil {
		return errCompression
	}
	if !endHeaders {
		hd.active = true
		return nil
	}
	hd.active = false
	if err := c.dec.Close(); err != nil {
		return errCompression
	}
	return c.endBlock()
}

// emit receives each decoded field. Decoded bytes are bounded by
// MaxHeaderListSize: past it nothing more is copied, and the request is
// answered 431 (an "HPACK bomb", a few bytes referring to a large table
// entry again and again, decodes to little memory here).
func (c *Conn) emit(f hpack.HeaderField) {
	hd := &c.hd
	if hd.tooLarge {
		return
	}
	hd.size += f.Size()
	hd.count++
	if hd.size > c.cfg.MaxHeaderListSize || hd.count > c.cfg.MaxHeaders {
		hd.tooLarge = true
		c.dec.SetEmitEnabled(false)
		return
	}
	if hd.malformed {
		return
	}
	if !validValue(f.Value) {
		hd.malformed = true
		return
	}
	if f.IsPseudo() {
		if hd.regular || hd.mode == blockTrailers {
			hd.malformed = true
			return
		}
		c.pseudoField(f)
		return
	}
	hd.regular = true
	if !validName(f.Name) {
		hd.malformed = true
		return
	}
	switch f.Name {
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		hd.malformed = true // connection-specific (§8.2.2)
		return
	case "te":
		if !asciiEqualFold(f.Value, "trailers") {
			hd.malformed = true
		}
		return
	}
	if hd.mode == blockTrailers {
		return // validated and dropped: the server has no use for trailers
	}
	s := hd.s
	switch f.Name {
	case "host":
		if hd.hasHost {
			hd.malformed = true
			return
		}
		hd.hasHost, hd.host = true, s.appendArena(f.Value)
		return
	case "cookie":
		// §8.2.3: split cookie fields are joined for HTTP/1.x semantics.
		if hd.hasCookie {
			c.cookies = append(c.cookies, "; "...)
		}
		hd.hasCookie = true
		c.cookies = append(c.cookies, f.Value...)
		return
	case "content-length":
		n, ok := parseLength(f.Value)
		if !ok || s.declared >= 0 && s.declared != n {
			hd.malformed = true
			return
		}
		s.declared = n
	case "priority":
		hd.prio = parsePriority9218(f.Value, hd.prio)
	}
	name := s.appendArena(f.Name)
	value := s.appendArena(f.Value)
	s.spans = append(s.spans, fieldSpan{name.start, name.end, value.start, value.end})
}
