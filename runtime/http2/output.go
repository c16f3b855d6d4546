package http2

// Pending reports whether Pull has bytes to give: queued frames, or DATA
// some window lets through. The transport pulls when it is true and the
// socket is writable.
func (c *Conn) Pending() bool {
	if len(c.out) > 0 {
		return true
	}
	if c.state == stateFailed {
		return false
	}
	for _, s := range c.active {
		if c.canSend(s) {
			return true
		}
	}
	return false
}

// Pull appends to dst the bytes to write next: the queued frames, then DATA
// frames chosen by priority until about limit bytes were appended (a frame
// is never cut). DATA is produced only here, so a peer that does not read
// costs no more than the bodies themselves, which are read from their
// sources only when pulled. Call it when the socket can take more.
func (c *Conn) Pull(dst []byte, limit int) []byte {
	start := len(dst)
	dst = append(dst, c.out...)
	c.out = c.out[:0]
	for c.state != stateFailed && len(dst)-start < limit {
		s := c.next()
		if s == nil {
			break
		}
		dst = c.writeData(dst, s, limit-(len(dst)-start))
		dst = append(dst, c.out...) // RST_STREAM of a stream that just ended
		c.out = c.out[:0]
	}
	c.reap()
	for i, s := range c.wake {
		c.wake[i] = nil
		if s.c == c && !s.localClosed && len(s.pend) == 0 && !s.ended {
			c.h.Writable(s)
		}
	}
	c.wake = c.wake[:0]
	c.reap()
	return dst
}

func (c *Conn) activate(s *Stream) {
	if !s.active {
		s.active = true
		c.active = append(c.active, s)
	}
}

func (c *Conn) deactivate(s *Stream) {
	s.active = false
	for i, a := range c.active {
		if a == s {
			last := len(c.active) - 1
			c.active[i] = c.active[last]
			c.active[last] = nil
			c.active = c.active[:last]
			return
		}
	}
}

// canSend reports whether s has a DATA frame to send now.
func (c *Conn) canSend(s *Stream) bool {
	if s.localClosed {
		return false
	}
	if len(s.pend) > 0 || s.srcLeft > 0 {
		return s.sendWindow > 0 && c.sendWindow > 0
	}
	return s.ended // an empty DATA with END_STREAM needs no window
}

// next picks the stream to send a frame of (see before).
func (c *Conn) next() *Stream {
	var best *Stream
	for _, s := range c.active {
		if c.canSend(s) && (best == nil || before(s, best)) {
			best = s
		}
	}
	return best
}

// writeData appends one DATA frame of s, within both windows, the peer's
// SETTINGS_MAX_FRAME_SIZE and room.
func (c *Conn) writeData(dst []byte, s *Stream, room int) []byte {
	n := min(s.sendWindow, c.sendWindow, int64(c.peerMaxFrame), int64(max(room, 1)))
	var k int
	var end bool
	switch {
	case len(s.pend) > 0:
		k = int(min(n, int64(len(s.pend))))
		end = s.ended && k == len(s.pend) && s.srcLeft == 0
		dst = AppendData(dst, s.ID, end, s.pend[:k])
		s.pend = s.pend[k:]
		if len(s.pend) == 0 {
			s.pend, s.refd = nil, false
		}
	case s.srcLeft > 0:
		want := int(min(n, s.srcLeft))
		h := len(dst)
		dst = AppendFrameHeader(dst, 0, FrameData, 0, s.ID)
		dst = grow(dst, want)
		m, _ := s.src.Read(dst[h+FrameHeaderLen : h+FrameHeaderLen+want])
		if m <= 0 || m > want {
			// A source that fails (err), or ends before its size, cannot
			// finish the body it announced.
			c.resetStream(s.ID, ErrCodeInternal)
			return dst[:h]
		}
		k = m
		s.srcLeft -= int64(m)
		end = s.srcLeft == 0
		dst = dst[:h+FrameHeaderLen+m]
		fh := AppendFrameHeader(nil, m, FrameData, 0, s.ID)
		if end {
			fh[4] = byte(FlagEndStream)
			s.src.Close()
			s.src = nil
		}
		copy(dst[h:], fh)
	default:
		end = true
		dst = AppendData(dst, s.ID, true, nil)
	}
	s.sendWindow -= int64(k)
	c.sendWindow -= int64(k)
	c.seq++
	s.lastSent = c.seq
	switch {
	case end:
		s.localClosed = true
		if c.resets > 0 {
			c.resets-- // a completed answer pays back one cancelled stream
		}
		c.maybeForget(s)
	case len(s.pend) == 0 && s.srcLeft == 0 && s.wantMore:
		s.wantMore = false
		c.wake = append(c.wake, s)
	}
	return dst
}

// grow extends dst by n bytes (their content unspecified).
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) < n {
		nd := make([]byte, len(dst), 2*cap(dst)+n)
		copy(nd, dst)
		dst = nd
	}
	return dst[:len(dst)+n]
}
