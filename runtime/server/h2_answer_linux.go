package server

import (
	"bytes"
	"io"

	"github.com/hetaoc/hetao/runtime/http2"
	"github.com/hetaoc/hetao/runtime/static"
)

// Answering HTTP/2 streams with the HTTP/1.x handlers. The request is the
// stream's http1.Request (runtime/http2 fills it: :authority as Host,
// fields lower-cased), so Ctx and the generated handlers run unchanged,
// and they answer through h2Answer, HTTP/2's answerStream (answer.go): the
// head they build in HTTP/1 form is re-encoded with HPACK for the stream;
// a cached body goes by reference, a small one (an error page) by copy,
// and a file is read a frame at a time under flow control (there is no
// sendfile through HTTP/2 framing). A forward (and an app) answers later,
// from its backend (proxy_h2_linux.go); every other handler answers at
// once and the request body is read off.

// h2Answer collects one stream's answer while the handler makes it; the
// stream gets it when the handler returns (Request), when it is known
// whether a body follows the head.
type h2Answer struct {
	buf       []byte       // the head is built here (kept across answers)
	head      []byte       // the head, and the small body after it if any
	ref       []byte       // a body sent by reference
	file      *static.File // a file range, held until sent
	from, to  int64
	s         *http2.Stream // the stream answered
	forwarded bool          // a backend answers (proxy_h2_linux.go)
}

func (a *h2Answer) headBuf() []byte   { return a.buf[:0] }
func (a *h2Answer) keepAlive() bool   { return true } // HTTP/2 has no Connection field
func (a *h2Answer) sendHead(w []byte) { a.head, a.buf = w, w[:0] }

func (a *h2Answer) sendShared(body []byte) { a.ref = body }

func (a *h2Answer) sendFile(f *static.File, start, end int64) {
	f.Hold() // released by the stream's file source
	a.file, a.from, a.to = f, start, end
}

// Request answers a stream's request with the website's handler.
func (h *h2conn) Request(s *http2.Stream) {
	l, c := h.l, h.c
	x := &l.ctx
	req, elapseAt := x.Req, c.elapseAt
	// The access log times a request from its connection's elapse start:
	// a stream's starts now.
	c.elapseAt = l.now + l.rt.elapse
	x.Req = &s.Req
	x.reset(c)
	a := &l.h2.ans
	*a = h2Answer{buf: a.buf, s: s}
	x.out = a
	if lim := l.rt.limits.MaxBody; lim > 0 && s.Req.ContentLength > lim {
		x.badRequest(413) // as HTTP/1.x does on the declared length
	} else {
		x.serve()
	}
	if !a.forwarded {
		s.DiscardBody() // only a forward reads a request body
		h.answer(x, s)
	}
	x.Req, a.head, a.ref, a.s = req, nil, nil, nil
	c.elapseAt = elapseAt
}

// answer hands what the handler made to the stream.
func (h *h2conn) answer(x *Ctx, s *http2.Stream) {
	a := x.out.(*h2Answer)
	w := a.head
	n, err := s.RespondHTTP1(w, a.ref == nil && a.file == nil && len(w) == headEnd(w))
	if err != nil {
		h.l.rt.logErrorOnce("HTTP/2 answer: "+err.Error()+" (first seen for %s)", x.Path)
		s.Reset(http2.ErrCodeInternal)
		a.release()
		return
	}
	switch body := w[n:]; {
	case a.file != nil:
		s.SendSource(&fileSource{f: a.file, off: a.from, end: a.to}, a.to-a.from)
		a.file = nil // the source releases it
	case a.ref != nil:
		s.WriteRef(a.ref)
		s.End()
	case len(body) > 0:
		s.Write(body)
		s.End()
	}
}

func (a *h2Answer) release() {
	if a.file != nil {
		a.file.Release()
		a.file = nil
	}
}

// headEnd returns the length of the HTTP/1 head at the start of w (the
// handlers end it with CRLF CRLF), or len(w).
func headEnd(w []byte) int {
	if i := bytes.Index(w, crlfCRLF); i >= 0 {
		return i + 4
	}
	return len(w)
}

var crlfCRLF = []byte("\r\n\r\n")

// fileSource reads a range of a file for an HTTP/2 stream, as the windows
// open; the file is held until the stream is done with it.
type fileSource struct {
	f        *static.File
	off, end int64
}

func (fs *fileSource) Read(p []byte) (int, error) {
	if fs.off >= fs.end {
		return 0, io.EOF
	}
	n, err := fs.f.ReadAt(p[:min(int64(len(p)), fs.end-fs.off)], fs.off)
	fs.off += int64(n)
	return n, err
}

func (fs *fileSource) Close() error {
	if fs.f != nil {
		fs.f.Release()
		fs.f = nil
	}
	return nil
}
