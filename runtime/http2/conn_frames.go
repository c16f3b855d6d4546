package http2

// frame acts on one frame. Stream errors are answered here with
// RST_STREAM; a connection error is returned.
func (c *Conn) frame(f *Frame) error {
	if c.state == stateSettings {
		if f.Type != FrameSettings || f.Flags.Has(FlagAck) {
			return errNoSettings
		}
		c.state = stateOpen
	}
	if c.hd.active && f.Type != FrameContinuation {
		return errInsideBlock
	}
	var err error
	switch f.Type {
	case FrameData:
		err = c.onData(f)
	case FrameHeaders:
		err = c.onHeaders(f)
	case FrameContinuation:
		err = c.onContinuation(f)
	case FramePriority:
		err = c.onPriority(f)
	case FrameRSTStream:
		err = c.onRSTStream(f)
	case FrameSettings:
		err = c.onSettings(f)
	case FramePushPromise:
		err = errPushPromise
	case FramePing:
		err = c.onPing(f)
	case FrameGoAway:
		err = c.onGoAway(f)
	case FrameWindowUpdate:
		err = c.onWindowUpdate(f)
	case FramePriorityUpdate:
		err = c.onPriorityUpdate(f)
	default:
		// Unknown types are ignored (§5.5).
	}
	if se, ok := err.(*streamError); ok {
		c.resetStream(se.id, se.code)
		if err := c.chargeReset(); err != nil {
			return err
		}
		return c.checkQueue()
	}
	return err
}

var (
	errNoSettings   = connErr(ErrCodeProtocol, "first frame is not SETTINGS")
	errInsideBlock  = connErr(ErrCodeProtocol, "frame inside a header block")
	errPushPromise  = connErr(ErrCodeProtocol, "PUSH_PROMISE from a client")
	errStreamZero   = connErr(ErrCodeProtocol, "frame needs a stream")
	errNotZero      = connErr(ErrCodeProtocol, "connection frame on a stream")
	errIdle         = connErr(ErrCodeProtocol, "frame on an idle stream")
	errEvenStream   = connErr(ErrCodeProtocol, "stream ID of the server's kind")
	errClosedStream = connErr(ErrCodeStreamClosed, "frame on a closed stream")
	errConnWindow   = connErr(ErrCodeFlowControl, "connection window exceeded")
	errWindowZero   = connErr(ErrCodeProtocol, "WINDOW_UPDATE of 0")
	errWindowBig    = connErr(ErrCodeFlowControl, "window above 2^31-1")
	errSettingPush  = connErr(ErrCodeProtocol, "SETTINGS_ENABLE_PUSH not 0 or 1")
	errSettingWin   = connErr(ErrCodeFlowControl, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1")
	errSettingFrame = connErr(ErrCodeProtocol, "SETTINGS_MAX_FRAME_SIZE out of range")
	errContinuation = connErr(ErrCodeProtocol, "CONTINUATION without a header block")
	errPrioUpdateID = connErr(ErrCodeProtocol, "PRIORITY_UPDATE of no client stream")
)

func streamErr(id uint32, code ErrCode, reason string) *streamError {
	return &streamError{id: id, code: code, reason: reason}
}

// wasReset reports whether id is among the streams reset lately: frames
// the peer sent before it saw the RST_STREAM are ignored (§5.1 "closed").
func (c *Conn) wasReset(id uint32) bool {
	for _, r := range c.recentReset {
		if r == id {
			return true
		}
	}
	return false
}

// resetStream sends RST_STREAM and forgets the stream.
func (c *Conn) resetStream(id uint32, code ErrCode) {
	c.out = AppendRSTStream(c.out, id, code)
	c.recentReset[c.resetNext] = id
	c.resetNext = (c.resetNext + 1) % len(c.recentReset)
	if s := c.streams[id]; s != nil {
		c.forget(s)
	}
}

func (c *Conn) onData(f *Frame) error {
	id := f.StreamID
	if id == 0 {
		return errStreamZero
	}
	data, err := f.Data()
	if err != nil {
		return err
	}
	flow := int64(len(f.Payload))
	// The connection window counts every DATA frame, whatever the state of
	// its stream (§6.9).
	if flow > c.recvWindow {
		return errConnWindow
	}
	c.recvWindow -= flow
	s := c.streams[id]
	if s == nil || s.remoteClosed {
		c.giveBack(flow)
		switch {
		case id > c.maxClientID:
			return errIdle
		case s == nil && c.wasReset(id):
			return nil
		}
		return streamErr(id, ErrCodeStreamClosed, "DATA after END_STREAM")
	}
	if flow > s.recvWindow {
		c.giveBack(flow)
		return streamErr(id, ErrCodeFlowControl, "stream window exceeded")
	}
	s.recvWindow -= flow
	if pad := flow - int64(len(data)); pad > 0 {
		c.giveBack(pad)
		s.giveBack(pad)
	}
	end := f.Flags.Has(FlagEndStream)
	if len(data) == 0 && !end {
		if err := c.charge(); err != nil {
			return err
		}
	}
	s.received += int64(len(data))
	if s.declared >= 0 && (s.received > s.declared || end && s.received != s.declared) {
		c.giveBack(int64(len(data)))
		return streamErr(id, ErrCodeProtocol, "body length differs from content-length")
	}
	if s.discard || s.localClosed {
		c.giveBack(int64(len(data)))
		s.giveBack(int64(len(data)))
	} else {
		s.body = append(s.body, data...)
	}
	if end {
		s.remoteClosed = true
	}
	if !s.localClosed && (len(data) > 0 || end) {
		c.h.Body(s)
	}
	if c.streams[id] == s {
		c.maybeForget(s)
	}
	return c.checkQueue()
}

func (c *Conn) onPriority(f *Frame) error {
	if f.StreamID == 0 {
		return errStreamZero
	}
	p, ok := f.Priority()
	if !ok {
		return streamErr(f.StreamID, ErrCodeFrameSize, "PRIORITY of a wrong length")
	}
	if p.Dependency == f.StreamID {
		return streamErr(f.StreamID, ErrCodeProtocol, "stream depends on itself")
	}
	// RFC 7540 priorities are deprecated (we send
	// SETTINGS_NO_RFC7540_PRIORITIES): the frame is only checked.
	return c.charge()
}

func (c *Conn) onRSTStream(f *Frame) error {
	if f.StreamID == 0 {
		return errStreamZero
	}
	if _, err := f.RSTCode(); err != nil {
		return err
	}
	if f.StreamID > c.maxClientID {
		return errIdle
	}
	s := c.streams[f.StreamID]
	if s == nil {
		return c.charge()
	}
	complete := s.localClosed
	c.forget(s)
	if !complete {
		return c.chargeReset()
	}
	return nil
}

func (c *Conn) onSettings(f *Frame) error {
	if f.StreamID != 0 {
		return errNotZero
	}
	n, err := f.NumSettings()
	if err != nil {
		return err
	}
	if f.Flags.Has(FlagAck) {
		// Nothing waits for it: every setting we send takes effect at once
		// on our side, because none is below the protocol's initial value.
		return nil
	}
	if err := c.charge(); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		st := f.Setting(i)
		switch st.ID {
		case SettingHeaderTableSize:
			c.enc.SetMaxDynamicTableSizeLimit(min(st.Value, initialTableSize))
			c.encBuf.gen++ // the table may have lost entries (headCache)
		case SettingEnablePush:
			if st.Value > 1 {
				return errSettingPush
			}
		case SettingInitialWindowSize:
			if st.Value > MaxWindow {
				return errSettingWin
			}
			// §6.9.2: the change applies to every stream's window, which
			// may become negative.
			delta := int64(st.Value) - c.peerInitWindow
			c.peerInitWindow = int64(st.Value)
			for _, s := range c.streams {
				s.sendWindow += delta
				if s.sendWindow > MaxWindow {
					return errWindowBig
				}
			}
		case SettingMaxFrameSize:
			if st.Value < MinMaxFrameSize || st.Value > MaxMaxFrameSize {
				return errSettingFrame
			}
			c.peerMaxFrame = int(st.Value)
		}
	}
	c.out = AppendSettingsAck(c.out)
	return c.checkQueue()
}

func (c *Conn) onPing(f *Frame) error {
	if f.StreamID != 0 {
		return errNotZero
	}
	data, err := f.Ping()
	if err != nil {
		return err
	}
	if f.Flags.Has(FlagAck) {
		if c.closing && !c.goingAway && data == shutdownPing {
			c.finalGoAway() // a round trip since the first GOAWAY (Shutdown)
		}
		return nil
	}
	if err := c.charge(); err != nil {
		return err
	}
	c.out = AppendPing(c.out, true, data)
	return c.checkQueue()
}

func (c *Conn) onGoAway(f *Frame) error {
	if f.StreamID != 0 {
		return errNotZero
	}
	if _, _, _, err := f.GoAway(); err != nil {
		return err
	}
	// The client opens no more streams; those in flight finish.
	c.peerAway = true
	return nil
}

// smallWindowUpdate is the increment below which a WINDOW_UPDATE is charged
// as chatter: a peer that opens its window a few bytes at a time makes the
// server send as many tiny DATA frames (CVE-2019-9511 "data dribble").
const smallWindowUpdate = 1024

func (c *Conn) onWindowUpdate(f *Frame) error {
	incr, err := f.WindowIncrement()
	if err != nil {
		return err
	}
	id := f.StreamID
	if incr < smallWindowUpdate {
		if err := c.charge(); err != nil {
			return err
		}
	}
	if id == 0 {
		if incr == 0 {
			return errWindowZero
		}
		c.sendWindow += int64(incr)
		if c.sendWindow > MaxWindow {
			return errWindowBig
		}
		return nil
	}
	if id > c.maxClientID {
		return errIdle
	}
	if incr == 0 {
		return streamErr(id, ErrCodeProtocol, "WINDOW_UPDATE of 0")
	}
	s := c.streams[id]
	if s == nil {
		return nil // closed: a WINDOW_UPDATE may still be in flight (§6.9)
	}
	s.sendWindow += int64(incr)
	if s.sendWindow > MaxWindow {
		return streamErr(id, ErrCodeFlowControl, "window above 2^31-1")
	}
	return nil
}

func (c *Conn) onContinuation(f *Frame) error {
	if !c.hd.active || f.StreamID != c.hd.id {
		return errContinuation
	}
	return c.headerFragment(f.Payload, f.Flags.Has(FlagEndHeaders))
}

func (c *Conn) onPriorityUpdate(f *Frame) error {
	if f.StreamID != 0 {
		return errNotZero
	}
	id, value, err := f.PriorityUpdate()
	if err != nil {
		return err
	}
	if id == 0 || id%2 == 0 {
		return errPrioUpdateID
	}
	if err := c.charge(); err != nil {
		return err
	}
	p := parsePriority9218(string(value), defaultPriority)
	if s := c.streams[id]; s != nil {
		s.prio = p
		return nil
	}
	if id > c.maxClientID {
		// RFC 9218 §7.1: an update may precede its stream; a few are kept.
		c.pendingPrio[c.pendingNext] = pendingPriority{id: id, prio: p}
		c.pendingNext = (c.pendingNext + 1) % len(c.pendingPrio)
	}
	return nil
}
