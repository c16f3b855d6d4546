package http2

import "encoding/binary"

// AppendFrameHeader appends a 9-octet frame header (RFC 9113 §4.1).
func AppendFrameHeader(dst []byte, length int, t FrameType, flags Flags, stream uint32) []byte {
	return append(dst, byte(length>>16), byte(length>>8), byte(length), byte(t), byte(flags),
		byte(stream>>24), byte(stream>>16), byte(stream>>8), byte(stream))
}

// AppendSettings appends a SETTINGS frame carrying settings.
func AppendSettings(dst []byte, settings ...Setting) []byte {
	dst = AppendFrameHeader(dst, 6*len(settings), FrameSettings, 0, 0)
	for _, s := range settings {
		dst = binary.BigEndian.AppendUint16(dst, uint16(s.ID))
		dst = binary.BigEndian.AppendUint32(dst, s.Value)
	}
	return dst
}

// AppendSettingsAck appends an empty SETTINGS frame with the ACK flag.
func AppendSettingsAck(dst []byte) []byte {
	return AppendFrameHeader(dst, 0, FrameSettings, FlagAck, 0)
}

// AppendPing appends a PING frame.
func AppendPing(dst []byte, ack bool, data [8]byte) []byte {
	var flags Flags
	if ack {
		flags = FlagAck
	}
	dst = AppendFrameHeader(dst, 8, FramePing, flags, 0)
	return append(dst, data[:]...)
}

// AppendWindowUpdate appends a WINDOW_UPDATE frame.
func AppendWindowUpdate(dst []byte, stream, incr uint32) []byte {
	dst = AppendFrameHeader(dst, 4, FrameWindowUpdate, 0, stream)
	return binary.BigEndian.AppendUint32(dst, incr)
}

// AppendRSTStream appends an RST_STREAM frame.
func AppendRSTStream(dst []byte, stream uint32, code ErrCode) []byte {
	dst = AppendFrameHeader(dst, 4, FrameRSTStream, 0, stream)
	return binary.BigEndian.AppendUint32(dst, uint32(code))
}

// AppendGoAway appends a GOAWAY frame.
func AppendGoAway(dst []byte, last uint32, code ErrCode, debug string) []byte {
	dst = AppendFrameHeader(dst, 8+len(debug), FrameGoAway, 0, 0)
	dst = binary.BigEndian.AppendUint32(dst, last)
	dst = binary.BigEndian.AppendUint32(dst, uint32(code))
	return append(dst, debug...)
}

// AppendData appends a DATA frame holding data (no padding).
func AppendData(dst []byte, stream uint32, end bool, data []byte) []byte {
	var flags Flags
	if end {
		flags = FlagEndStream
	}
	dst = AppendFrameHeader(dst, len(data), FrameData, flags, stream)
	return append(dst, data...)
}

// AppendHeaders appends a header block as one HEADERS frame followed by as
// many CONTINUATION frames as frames of at most maxFrame octets need.
func AppendHeaders(dst []byte, stream uint32, end bool, block []byte, maxFrame int) []byte {
	t, flags := FrameHeaders, Flags(0)
	if end {
		flags = FlagEndStream
	}
	for {
		n := min(len(block), maxFrame)
		f := flags
		if n == len(block) {
			f |= FlagEndHeaders
		}
		dst = AppendFrameHeader(dst, n, t, f, stream)
		dst = append(dst, block[:n]...)
		block = block[n:]
		if len(block) == 0 {
			return dst
		}
		t, flags = FrameContinuation, 0
	}
}
