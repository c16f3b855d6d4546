package server

import "fmt"

// A client connection's life is two values: its phase, what it is doing
// now, and its close policy, what it does once its answers are out. Every
// change of phase goes through conn.to, which the tests check against
// phaseMoves; the policy only ever hardens (conn.closeWhen).
//
//	head ──(request with a body)──► discard ──(body read)──► head
//	head ──(Forward, no body)─────► backend ──(answered)───► head
//	discard ──(Forward)──► forward ──(body read)──► backend ──(101)──► tunnel
//	forward ──(answered before the body was read)──► discard
//	any ──► linger ──► closed;  any ──► closed
type phase uint8

const (
	phaseHead    phase = iota // reading a request head, or idle between requests
	phaseDiscard              // reading off the body of a request answered without it
	phaseForward              // passing a request body on to the backend answering it
	phaseBackend              // the request is with its backend: waiting for the answer
	phaseTunnel               // relaying bytes both ways after a 101 (tunnel_linux.go)
	phaseLinger               // write side shut, reading off what the client still sends
	phaseClosed
)

var phaseNames = [...]string{"head", "discard", "forward", "backend", "tunnel", "linger", "closed"}

func (p phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("phase(%d)", p)
}

// phaseMoves lists, for each phase, the phases a connection may go to
// from it. Any phase may end (linger or close); a tunnel only closes.
var phaseMoves = [...][]phase{
	phaseHead:    {phaseDiscard, phaseBackend, phaseLinger, phaseClosed},
	phaseDiscard: {phaseHead, phaseForward, phaseLinger, phaseClosed},
	phaseForward: {phaseBackend, phaseDiscard, phaseLinger, phaseClosed},
	phaseBackend: {phaseHead, phaseTunnel, phaseLinger, phaseClosed},
	phaseTunnel:  {phaseClosed},
	phaseLinger:  {phaseClosed},
	phaseClosed:  {},
}

// checkPhases makes conn.to panic on a move phaseMoves does not list; the
// tests turn it on, so every move they cause is checked.
var checkPhases bool

// to moves c to phase p.
func (c *conn) to(p phase) {
	if checkPhases && !legalMove(c.phase, p) {
		panic(fmt.Sprintf("connection %d: %v → %v", c.fd, c.phase, p))
	}
	c.phase = p
}

func legalMove(from, to phase) bool {
	if from == to {
		return true // not a move
	}
	for _, p := range phaseMoves[from] {
		if p == to {
			return true
		}
	}
	return false
}

// bodyComing: the body of the current request is still being read.
func (c *conn) bodyComing() bool { return c.phase == phaseDiscard || c.phase == phaseForward }

// withBackend: a backend is answering the current request (c.proxy is set).
func (c *conn) withBackend() bool {
	return c.phase == phaseForward || c.phase == phaseBackend || c.phase == phaseTunnel
}

// backendDone detaches c from the backend that answered its request: what
// is left of the body is read off.
func (c *conn) backendDone() {
	c.proxy = nil
	if c.phase == phaseForward {
		c.to(phaseDiscard)
	} else {
		c.to(phaseHead)
	}
}

// after is a connection's close policy, from the mildest to the hardest.
type after uint8

const (
	afterKeep   after = iota // keep alive: read the next request
	afterAnswer              // close once the answer under way is complete (it says "Connection: close")
	afterDrain               // close as soon as the output is sent
	afterLinger              // as afterDrain, but shut the write side and read off input first
)

// closeWhen hardens c's close policy to a; a milder one changes nothing.
func (c *conn) closeWhen(a after) {
	if a > c.after {
		c.after = a
	}
}

// keepAlive: the answers written now leave the connection open.
func (c *conn) keepAlive() bool { return c.after == afterKeep }

// The upstream exchange's states: a backend connection is pooled,
// connecting, sending the request and awaiting the answer's head,
// streaming the answer's body, or relaying a tunnel.
const (
	upIdle       = iota // pooled, or not yet given to a client
	upConnecting        // the connect has not completed
	upHead              // connected: the request goes out, the answer's head is awaited
	upBody              // the client has its answer's head (or an error answer): the body follows
	upTunnel            // switched protocols: bytes relayed both ways
)

// halfPipe is one direction of a tunnel: what is read from one side and
// written to the other (tunnel_linux.go).
type halfPipe struct {
	out   []byte // read from the source, not yet taken by the destination
	more  bool   // the source may hold unread bytes
	hup   bool   // the source's end of stream was reported: a short read is not the end
	eof   bool   // the source has ended
	shut  bool   // the end has been passed on: the destination's write side is shut
	moved int64  // bytes relayed
}
