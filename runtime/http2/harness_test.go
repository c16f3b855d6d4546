package http2

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// echoHandler answers every request 200 with a small body naming its path,
// or with what its answer function says.
type echoHandler struct {
	requests int
	closed   int
	answer   func(s *Stream)
	body     func(s *Stream)
	writable func(s *Stream)
	onClose  func(s *Stream)
}

func (h *echoHandler) Request(s *Stream) {
	h.requests++
	if h.answer != nil {
		h.answer(s)
		return
	}
	body := []byte("hello " + string(s.Req.Path) + "\n")
	s.DiscardBody()
	s.Respond(200, []byte("Content-Type: text/plain\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n"), false)
	s.Write(body)
	s.End()
}

func (h *echoHandler) Body(s *Stream) {
	if h.body != nil {
		h.body(s)
	}
}

func (h *echoHandler) Writable(s *Stream) {
	if h.writable != nil {
		h.writable(s)
	}
}

func (h *echoHandler) Closed(s *Stream) {
	h.closed++
	if h.onClose != nil {
		h.onClose(s)
	}
}

// client drives a Conn as an HTTP/2 client would, with x/net's Framer:
// what it writes is fed to the engine, what the engine pulls is read back.
type client struct {
	t      *testing.T
	c      *Conn
	h      *echoHandler
	toSrv  bytes.Buffer
	toCli  bytes.Buffer
	fr     *xhttp2.Framer
	encBuf bytes.Buffer
	enc    *hpack.Encoder
	err    error // the connection error Feed returned
	limit  int   // Pull's limit
}

func newClient(t *testing.T, cfg *Config, h *echoHandler) *client {
	t.Helper()
	if cfg == nil {
		cfg = &Config{}
	}
	if h == nil {
		h = &echoHandler{}
	}
	cl := &client{t: t, h: h, limit: 1 << 20}
	cl.c = NewConn(cfg, h)
	cl.fr = xhttp2.NewFramer(&cl.toSrv, &cl.toCli)
	cl.fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	cl.fr.MaxHeaderListSize = 1 << 20
	cl.enc = hpack.NewEncoder(&cl.encBuf)
	cl.toSrv.WriteString(Preface)
	cl.fr.WriteSettings()
	cl.flush()
	// The server's SETTINGS, WINDOW_UPDATE and the ACK of ours.
	fs := cl.frames()
	if len(fs) < 2 {
		t.Fatalf("server greeting: %d frames", len(fs))
	}
	if _, ok := fs[0].(*xhttp2.SettingsFrame); !ok {
		t.Fatalf("first frame %T", fs[0])
	}
	cl.fr.WriteSettingsAck()
	cl.flush()
	return cl
}

// flush feeds what the client wrote, in one Feed.
func (cl *client) flush() {
	b := cl.toSrv.Bytes()
	n, err := cl.c.Feed(b)
	if err != nil && cl.err == nil {
		cl.err = err
	}
	cl.toSrv.Next(n)
}

// frames pulls the engine's output and parses it.
func (cl *client) frames() []xhttp2.Frame {
	cl.t.Helper()
	cl.toCli.Write(cl.c.Pull(nil, cl.limit))
	var out []xhttp2.Frame
	for {
		f, err := cl.fr.ReadFrame()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return out
		}
		if err != nil {
			cl.t.Fatalf("reading server output: %v", err)
		}
		out = append(out, copyFrame(f))
	}
}

// copyFrame keeps a frame past the next ReadFrame (the Framer reuses its
// buffers).
func copyFrame(f xhttp2.Frame) xhttp2.Frame {
	if d, ok := f.(*xhttp2.DataFrame); ok {
		return &dataCopy{DataFrame: d, data: append([]byte(nil), d.Data()...)}
	}
	return f
}

type dataCopy struct {
	*xhttp2.DataFrame
	data []byte
}

func (cl *client) headers(id uint32, end bool, fields ...string) {
	cl.encBuf.Reset()
	for i := 0; i+1 < len(fields); i += 2 {
		cl.enc.WriteField(hpack.HeaderField{Name: fields[i], Value: fields[i+1]})
	}
	cl.fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: id, BlockFragment: cl.encBuf.Bytes(), EndStream: end, EndHeaders: true})
}

func (cl *client) get(id uint32, path string, extra ...string) {
	f := append([]string{":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", path}, extra...)
	cl.headers(id, true, f...)
}

// goAway returns the GOAWAY among fs, or nil.
func goAway(fs []xhttp2.Frame) *xhttp2.GoAwayFrame {
	for _, f := range fs {
		if g, ok := f.(*xhttp2.GoAwayFrame); ok {
			return g
		}
	}
	return nil
}

// pingOf is the first PING (not an ACK) in fs, or nil.
func pingOf(fs []xhttp2.Frame) *xhttp2.PingFrame {
	for _, f := range fs {
		if p, ok := f.(*xhttp2.PingFrame); ok && !p.IsAck() {
			return p
		}
	}
	return nil
}

func rstOf(fs []xhttp2.Frame, id uint32) *xhttp2.RSTStreamFrame {
	for _, f := range fs {
		if r, ok := f.(*xhttp2.RSTStreamFrame); ok && r.StreamID == id {
			return r
		}
	}
	return nil
}

// status returns the :status of the HEADERS for stream id among fs, or "".
func status(fs []xhttp2.Frame, id uint32) string {
	for _, f := range fs {
		if h, ok := f.(*xhttp2.MetaHeadersFrame); ok && h.StreamID == id {
			return h.PseudoValue("status")
		}
	}
	return ""
}

// bodyOf joins the DATA of stream id among fs.
func bodyOf(fs []xhttp2.Frame, id uint32) (body []byte, ended bool) {
	for _, f := range fs {
		switch d := f.(type) {
		case *dataCopy:
			if d.StreamID == id {
				body = append(body, d.data...)
				ended = ended || d.StreamEnded()
			}
		case *xhttp2.MetaHeadersFrame:
			if d.StreamID == id && d.StreamEnded() {
				ended = true
			}
		}
	}
	return body, ended
}

// serveTCP serves HTTP/2 with prior knowledge on ln, a goroutine per
// connection, with the engine in the middle: a stand-in for the runtime's
// transport, for h2spec and real clients.
func serveTCP(ln net.Listener, newHandler func() Handler) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer nc.Close()
			c := NewConn(&Config{}, newHandler())
			defer c.Close()
			buf := make([]byte, 0, 64<<10)
			var out []byte
			for {
				out = c.Pull(out[:0], 64<<10)
				if len(out) > 0 {
					if _, err := nc.Write(out); err != nil {
						return
					}
				}
				if c.Done() {
					return
				}
				if c.Pending() {
					continue
				}
				if len(buf) == cap(buf) {
					return
				}
				n, err := nc.Read(buf[len(buf):cap(buf)])
				if n == 0 && err != nil {
					return
				}
				buf = buf[:len(buf)+n]
				used, _ := c.Feed(buf)
				buf = buf[:copy(buf, buf[used:])]
			}
		}()
	}
}
