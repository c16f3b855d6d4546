package http2

import "encoding/binary"

// FrameType is the type of a frame (RFC 9113 §6, RFC 9218 §7.1).
type FrameType uint8

// The frame types this package knows. Others are ignored (RFC 9113 §5.5).
const (
	FrameData           FrameType = 0x0
	FrameHeaders        FrameType = 0x1
	FramePriority       FrameType = 0x2
	FrameRSTStream      FrameType = 0x3
	FrameSettings       FrameType = 0x4
	FramePushPromise    FrameType = 0x5
	FramePing           FrameType = 0x6
	FrameGoAway         FrameType = 0x7
	FrameWindowUpdate   FrameType = 0x8
	FrameContinuation   FrameType = 0x9
	FramePriorityUpdate FrameType = 0x10
)

// Flags are a frame's flags; their meaning depends on the type.
type Flags uint8

// Frame flags (RFC 9113 §6).
const (
	FlagEndStream  Flags = 0x1  // DATA, HEADERS
	FlagAck        Flags = 0x1  // SETTINGS, PING
	FlagEndHeaders Flags = 0x4  // HEADERS, PUSH_PROMISE, CONTINUATION
	FlagPadded     Flags = 0x8  // DATA, HEADERS, PUSH_PROMISE
	FlagPriority   Flags = 0x20 // HEADERS
)

// Has reports whether every flag of g is set in f.
func (f Flags) Has(g Flags) bool { return f&g == g }

// Frame sizes (RFC 9113 §4.1, §4.2, §6.5.2).
const (
	FrameHeaderLen     = 9
	MinMaxFrameSize    = 1 << 14   // the initial and smallest SETTINGS_MAX_FRAME_SIZE
	MaxMaxFrameSize    = 1<<24 - 1 // the largest SETTINGS_MAX_FRAME_SIZE
	MaxWindow          = 1<<31 - 1 // the largest flow-control window (§6.9.1)
	InitialWindowSize  = 65535     // every window's size before SETTINGS (§6.9.2)
	maxStreamID        = 1<<31 - 1
	initialTableSize   = 4096 // SETTINGS_HEADER_TABLE_SIZE's initial value
	priorityPayloadLen = 5
)

// Preface is the client connection preface (RFC 9113 §3.4); a SETTINGS
// frame follows it.
const Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

// ParsePreface checks the start of a connection: ok when b begins with the
// whole preface, ErrNeedMore when b is a proper prefix of it, and a
// PROTOCOL_ERROR when b cannot begin with it. A plain listen that accepts
// prior-knowledge h2c uses it to choose between HTTP/1.x and HTTP/2.
func ParsePreface(b []byte) error {
	n := min(len(b), len(Preface))
	if string(b[:n]) != Preface[:n] {
		return errBadPreface
	}
	if n < len(Preface) {
		return ErrNeedMore
	}
	return nil
}

var errBadPreface = connErr(ErrCodeProtocol, "bad connection preface")

// Frame is one frame parsed from a caller's buffer. Payload points into
// that buffer (padding included): it is valid until the caller reuses the
// bytes ParseFrame was given.
type Frame struct {
	Type     FrameType
	Flags    Flags
	StreamID uint32
	Payload  []byte
}

// ParseFrame parses the frame at the start of b. It returns ErrNeedMore
// when b does not yet hold the whole frame, and a FRAME_SIZE_ERROR as soon
// as the 9-byte header announces a payload longer than maxSize (the
// SETTINGS_MAX_FRAME_SIZE this endpoint advertised): such a frame is never
// buffered. n is the frame's length on the wire. ParseFrame does not
// allocate.
func ParseFrame(b []byte, maxSize uint32) (f Frame, n int, err error) {
	if len(b) < FrameHeaderLen {
		return Frame{}, 0, ErrNeedMore
	}
	length := uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2])
	if length > maxSize {
		return Frame{}, 0, errFrameTooLarge
	}
	n = FrameHeaderLen + int(length)
	if len(b) < n {
		return Frame{}, 0, ErrNeedMore
	}
	f = Frame{
		Type:     FrameType(b[3]),
		Flags:    Flags(b[4]),
		StreamID: binary.BigEndian.Uint32(b[5:9]) & maxStreamID, // the R bit is ignored (§4.1)
		Payload:  b[FrameHeaderLen:n:n],
	}
	return f, n, nil
}

var (
	errFrameTooLarge = connErr(ErrCodeFrameSize, "frame larger than SETTINGS_MAX_FRAME_SIZE")
	errPadding       = connErr(ErrCodeProtocol, "padding longer than the payload")
	errFrameLen      = connErr(ErrCodeFrameSize, "frame of a wrong length")
)

// unpad removes the Pad Length octet and the padding of a DATA or HEADERS
// payload with the PADDED flag (§6.1, §6.2): padding that fills the whole
// payload or more is a PROTOCOL_ERROR.
func (f *Frame) unpad() ([]byte, error) {
	p := f.Payload
	if !f.Flags.Has(FlagPadded) {
		return p, nil
	}
	if len(p) < 1 {
		return nil, errFrameLen
	}
	pad := int(p[0])
	if pad >= len(p) {
		return nil, errPadding
	}
	return p[1 : len(p)-pad], nil
}

// Data returns a DATA frame's data, padding removed.
func (f *Frame) Data() ([]byte, error) { return f.unpad() }

// PriorityField is the RFC 7540 priority information a HEADERS or PRIORITY
// frame may carry. RFC 9113 deprecates the scheme; only the dependency on
// itself is still checked (§5.3.1).
type PriorityField struct {
	Dependency uint32
	Exclusive  bool
	Weight     uint8
}

// Headers returns a HEADERS frame's header block fragment, padding and
// priority fields removed, and its priority fields when it has them.
func (f *Frame) Headers() (frag []byte, prio PriorityField, hasPrio bool, err error) {
	p, err := f.unpad()
	if err != nil {
		return nil, prio, false, err
	}
	if f.Flags.Has(FlagPriority) {
		if len(p) < priorityPayloadLen {
			return nil, prio, false, errFrameLen
		}
		prio = parsePriority(p)
		return p[priorityPayloadLen:], prio, true, nil
	}
	return p, prio, false, nil
}

func parsePriority(p []byte) PriorityField {
	v := binary.BigEndian.Uint32(p)
	return PriorityField{Dependency: v & maxStreamID, Exclusive: v>>31 == 1, Weight: p[4]}
}

// Priority returns a PRIORITY frame's fields; a payload that is not 5
// octets is a FRAME_SIZE_ERROR of the stream (§6.3).
func (f *Frame) Priority() (PriorityField, bool) {
	if len(f.Payload) != priorityPayloadLen {
		return PriorityField{}, false
	}
	return parsePriority(f.Payload), true
}

// uint32Payload returns the 4-octet payload of RST_STREAM and
// WINDOW_UPDATE; any other length is a FRAME_SIZE_ERROR (§6.4, §6.9).
func (f *Frame) uint32Payload() (uint32, error) {
	if len(f.Payload) != 4 {
		return 0, errFrameLen
	}
	return binary.BigEndian.Uint32(f.Payload), nil
}

// RSTCode returns an RST_STREAM frame's error code.
func (f *Frame) RSTCode() (ErrCode, error) {
	v, err := f.uint32Payload()
	return ErrCode(v), err
}

// WindowIncrement returns a WINDOW_UPDATE frame's increment (the reserved
// bit cleared).
func (f *Frame) WindowIncrement() (uint32, error) {
	v, err := f.uint32Payload()
	return v & maxStreamID, err
}

// Setting is one parameter of a SETTINGS frame (§6.5.1).
type Setting struct {
	ID    SettingID
	Value uint32
}

// SettingID identifies a SETTINGS parameter (§6.5.2).
type SettingID uint16

// The SETTINGS parameters of RFC 9113 §6.5.2 and RFC 9218 §2.1.
const (
	SettingHeaderTableSize      SettingID = 0x1
	SettingEnablePush           SettingID = 0x2
	SettingMaxConcurrentStreams SettingID = 0x3
	SettingInitialWindowSize    SettingID = 0x4
	SettingMaxFrameSize         SettingID = 0x5
	SettingMaxHeaderListSize    SettingID = 0x6
	SettingNoRFC7540Priorities  SettingID = 0x9
)

// NumSettings returns the count of parameters in a SETTINGS frame, or an
// error when its length is not a multiple of 6, or not 0 on an ACK (§6.5).
func (f *Frame) NumSettings() (int, error) {
	if f.Flags.Has(FlagAck) && len(f.Payload) != 0 || len(f.Payload)%6 != 0 {
		return 0, errFrameLen
	}
	return len(f.Payload) / 6, nil
}

// Setting returns the i-th parameter of a SETTINGS frame; i must be below
// NumSettings.
func (f *Frame) Setting(i int) Setting {
	p := f.Payload[i*6:]
	return Setting{ID: SettingID(binary.BigEndian.Uint16(p)), Value: binary.BigEndian.Uint32(p[2:])}
}

// Ping returns a PING frame's opaque data; any length but 8 is a
// FRAME_SIZE_ERROR (§6.7).
func (f *Frame) Ping() (data [8]byte, err error) {
	if len(f.Payload) != 8 {
		return data, errFrameLen
	}
	copy(data[:], f.Payload)
	return data, nil
}

// GoAway returns a GOAWAY frame's last stream ID, error code and debug
// data (§6.8).
func (f *Frame) GoAway() (last uint32, code ErrCode, debug []byte, err error) {
	if len(f.Payload) < 8 {
		return 0, 0, nil, errFrameLen
	}
	last = binary.BigEndian.Uint32(f.Payload) & maxStreamID
	return last, ErrCode(binary.BigEndian.Uint32(f.Payload[4:])), f.Payload[8:], nil
}

// PriorityUpdate returns a PRIORITY_UPDATE frame's prioritized stream ID
// and Priority Field Value (RFC 9218 §7.1); shorter than 4 octets is a
// FRAME_SIZE_ERROR.
func (f *Frame) PriorityUpdate() (id uint32, value []byte, err error) {
	if len(f.Payload) < 4 {
		return 0, nil, errFrameLen
	}
	return binary.BigEndian.Uint32(f.Payload) & maxStreamID, f.Payload[4:], nil
}
