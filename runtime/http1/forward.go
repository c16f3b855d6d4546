package http1

import (
	"strconv"
	"strings"
)

// What a proxy writes itself when it passes a message on: the fields it
// drops (hop-by-hop, and the framing it writes from what it parsed), its
// own chunk framing, and a path or query made fit for a request line. The
// reverse proxy (runtime/server) uses them both ways.

// LastChunk ends a chunked body the proxy frames: no trailer section.
const LastChunk = "0\r\n\r\n"

// AppendChunk appends data as one chunk in canonical framing,
// "<hex>\r\n<data>\r\n", or nothing for no data (an empty chunk would end
// the body).
func AppendChunk(w, data []byte) []byte {
	if len(data) == 0 {
		return w
	}
	w = strconv.AppendInt(w, int64(len(data)), 16)
	w = append(w, "\r\n"...)
	w = append(w, data...)
	return append(w, "\r\n"...)
}

// HopByHop reports whether a field describes one connection, not the
// message (RFC 9110 §7.6.1), or is Transfer-Encoding, which a proxy
// re-frames.
func HopByHop(name []byte) bool {
	switch len(name) {
	case 2:
		return equalFold(name, "te")
	case 7:
		return equalFold(name, "upgrade") || equalFold(name, "trailer")
	case 10:
		return equalFold(name, "connection") || equalFold(name, "keep-alive")
	case 16:
		return equalFold(name, "proxy-connection")
	case 17:
		return equalFold(name, "transfer-encoding")
	}
	return false
}

// ProxyOwned reports whether a request field is one the proxy writes
// itself, from what it parsed or knows, and so never copies, even when a
// Connection field lists it (dropping a listed Content-Length while
// passing the body on is request smuggling): the framing, Host, Expect
// (answered by the proxy), and the forwarding fields it sets.
func ProxyOwned(name []byte) bool {
	switch len(name) {
	case 4:
		return equalFold(name, "host")
	case 6:
		return equalFold(name, "expect")
	case 9:
		return equalFold(name, "x-real-ip")
	case 14:
		return equalFold(name, "content-length")
	case 17:
		return equalFold(name, "transfer-encoding") || equalFold(name, "x-forwarded-proto")
	}
	return false
}

// ListedInConnection reports whether name is one of the tokens of any
// Connection field in hs (each such field is hop-by-hop too).
func ListedInConnection(hs []Header, name []byte) bool {
	for _, h := range hs {
		if equalFold(h.Name, "connection") && TokenListHas(h.Value, string(name)) {
			return true
		}
	}
	return false
}

const upperHex = "0123456789ABCDEF"

// AppendEscapedPath percent-encodes a decoded path for a request line:
// every byte but the unreserved ones, '/' and the sub-delimiters.
func AppendEscapedPath(w, p []byte) []byte {
	for _, c := range p {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			w = append(w, c)
		default:
			switch c {
			case '-', '.', '_', '~', '/', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@':
				w = append(w, c)
			default:
				w = append(w, '%', upperHex[c>>4], upperHex[c&15])
			}
		}
	}
	return w
}

// AppendEscapedQuery percent-encodes what may not stand raw in a request
// line's query: controls, space, non-ASCII, '"', '#', '<', '>', '\\', '^',
// '`', '{', '|', '}'. A rewrite may have put any of them there.
func AppendEscapedQuery(w, q []byte) []byte {
	for _, c := range q {
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"#<>\\^`{|}", c) >= 0 {
			w = append(w, '%', upperHex[c>>4], upperHex[c&15])
			continue
		}
		w = append(w, c)
	}
	return w
}
