package server

import "github.com/hetaoc/hetao/runtime/static"

// answerStream is the seam between handlers and protocols: where one
// request's answer goes. A handler (Ctx: static, redirect, error pages,
// and the proxy's error answers) builds the answer's head in HTTP/1 form,
// the status line, the field lines and the empty line, appended to
// headBuf, gives it back with sendHead, and then the body in one of two
// ways: bytes that stay valid until sent (sendShared), or a range of an
// open file (sendFile). It never learns which protocol carries the answer.
//
// HTTP/1.x (h1Answer) writes the head as it is, in the loop's batch
// buffer, so an answer costs no copy. HTTP/2 sends it as one stream's
// HEADERS (runtime/http2's Stream.RespondHTTP1 encodes an HTTP/1 head with
// HPACK and drops the connection-specific fields) and the body as DATA
// frames, as the flow-control windows allow.
type answerStream interface {
	// headBuf is the buffer the head is appended to; it may hold other
	// answers' bytes before len, which the caller leaves alone.
	headBuf() []byte
	// keepAlive: the connection stays open after this answer (HTTP/1 says
	// so in a Connection field; HTTP/2 has none).
	keepAlive() bool
	// sendHead takes back headBuf with the head appended. A small body
	// (an error page) may follow the head's empty line in w: it is the
	// answer's whole body then.
	sendHead(w []byte)
	// sendShared sends body bytes that nobody changes until they are sent
	// (a cached file's variant): the stream may keep referring to them.
	sendShared(body []byte)
	// sendFile sends bytes [start, end) of f, holding f (static.File.Hold)
	// until they are out and releasing it then.
	sendFile(f *static.File, start, end int64)
}
