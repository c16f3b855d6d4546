// Package wsapp is a WebSocket echo written as an ordinary net/http
// handler that takes its connection over with http.Hijacker, as WebSocket
// libraries do; the end-to-end tests compile it into a site. The protocol
// (RFC 6455) is implemented here minimally, with no dependencies.
package wsapp

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"strings"
)

// Echo shakes hands and sends every message back, until the client
// closes. Its first message tells what the handler saw of the request.
func Echo(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || key == "" {
		http.Error(w, "a WebSocket endpoint", http.StatusUpgradeRequired)
		return
	}
	c, brw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer c.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
	writeFrame(brw.Writer, 1, []byte("app "+r.URL.RequestURI()+" proto="+r.Header.Get("X-Forwarded-Proto")))
	if brw.Flush() != nil {
		return
	}
	for {
		op, payload, err := readFrame(brw.Reader)
		if err != nil {
			return
		}
		if op == 8 { // close: answer it and end
			writeFrame(brw.Writer, 8, payload)
			brw.Flush()
			return
		}
		writeFrame(brw.Writer, op, payload)
		if brw.Flush() != nil {
			return
		}
	}
}

func accept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// writeFrame writes one unmasked, unfragmented frame (a server's).
func writeFrame(w *bufio.Writer, op byte, payload []byte) {
	w.WriteByte(0x80 | op)
	switch n := len(payload); {
	case n < 126:
		w.WriteByte(byte(n))
	case n < 1<<16:
		w.WriteByte(126)
		binary.Write(w, binary.BigEndian, uint16(n))
	default:
		w.WriteByte(127)
		binary.Write(w, binary.BigEndian, uint64(n))
	}
	w.Write(payload)
}

// readFrame reads one masked, unfragmented frame (a client's).
func readFrame(r *bufio.Reader) (op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	if h[0]&0x80 == 0 || h[1]&0x80 == 0 {
		return 0, nil, errors.New("wsapp: fragmented or unmasked frame")
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var x uint16
		err = binary.Read(r, binary.BigEndian, &x)
		n = uint64(x)
	case 127:
		err = binary.Read(r, binary.BigEndian, &n)
	}
	if err != nil || n > 16<<20 {
		return 0, nil, errors.New("wsapp: bad length")
	}
	var mask [4]byte
	if _, err = io.ReadFull(r, mask[:]); err != nil {
		return 0, nil, err
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return 0, nil, err
	}
	for i := range payload {
		payload[i] ^= mask[i%4]
	}
	return h[0] & 0x0f, payload, nil
}
