package server

import (
	"crypto/tls"
	"io"
	"net"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// TLS in the loop. A TLS connection shakes hands in a goroutine of its own
// (tls_linux.go), where blocking reads with a deadline are simple; once the
// handshake is done, the goroutine hands the socket and its *tls.Conn to
// the loop, which from then on runs the record layer itself: it decrypts
// what it reads and encrypts what it writes, with no copy through another
// socket and no goroutine to wake per request.
//
// crypto/tls is written for blocking connections, but it keeps its state
// when the connection under it returns a temporary net.Error: the bytes of
// a record read so far stay buffered and the next Read goes on from them.
// tlsIO, the connection under the loop's *tls.Conn, returns such an error
// where a read would block, and collects what crypto/tls writes for the
// loop to send as the socket takes it.
//
// What the loop holds for a TLS connection is plaintext, as for any other:
// c.in, c.out, c.outRef and the file being sent. Only the ciphertext that
// the socket did not take (tlsIO.pending) is encrypted already; it goes out
// before anything else, and the connection is blocked while it is there.

// tlsConn is a TLS connection's record layer, owned by the loop.
type tlsConn struct {
	tc *tls.Conn
	io *tlsIO
}

// tlsIO is the net.Conn under a *tls.Conn: the goroutine's blocking
// connection during the handshake (fd < 0), the loop's socket after it.
type tlsIO struct {
	net.Conn // the handshake's connection; closed once the loop has the socket
	fd       int

	// drained: a read of the socket came back short, so it is empty until
	// epoll reports more (the loop clears it on every readiness report).
	drained bool
	// shut: epoll reported the peer's end of stream; a short read does not
	// mean drained then, as no other report follows: read on to the end.
	shut bool
	// held: reading stopped with the socket not empty, because too much
	// ciphertext waits for a client that does not read (see tlsPendingMax).
	held bool
	// capture: Write appends to out (the loop's scratch buffer, sent at
	// once); otherwise to pending.
	capture bool
	out     []byte
	pending []byte // ciphertext the socket has not taken yet

	// seal: the loop seals application data itself (tlsseal_linux.go),
	// and what crypto/tls still writes is sealed again with its state.
	seal *tlsSeal

	// The framing of what crypto/tls has read: nhdr bytes of a record
	// header so far, or body bytes of a record still to come. Either
	// means a record has begun to arrive (see partial).
	hdr  [5]byte
	nhdr int
	body int
}

// frame follows the record framing through p, read from the socket.
func (a *tlsIO) frame(p []byte) {
	for len(p) > 0 {
		if a.body > 0 {
			k := min(a.body, len(p))
			a.body -= k
			p = p[k:]
			continue
		}
		k := copy(a.hdr[a.nhdr:], p)
		a.nhdr += k
		p = p[k:]
		if a.nhdr == len(a.hdr) {
			a.nhdr, a.body = 0, int(a.hdr[3])<<8|int(a.hdr[4])
		}
	}
}

// partial: crypto/tls holds part of a record, the start of what the
// client sends next (a request, as a partial head in c.in would be).
func (a *tlsIO) partial() bool { return a.nhdr > 0 || a.body > 0 }

// errWouldBlock is what tlsIO returns instead of blocking: a temporary
// error, after which crypto/tls keeps what it has read of a record.
var errWouldBlock net.Error = wouldBlock{}

type wouldBlock struct{}

func (wouldBlock) Error() string   { return "tls: socket would block" }
func (wouldBlock) Timeout() bool   { return true }
func (wouldBlock) Temporary() bool { return true }

func (a *tlsIO) Read(p []byte) (int, error) {
	if a.fd < 0 {
		n, err := a.Conn.Read(p)
		a.frame(p[:n]) // the handshake may read the start of a request
		return n, err
	}
	if a.drained {
		return 0, errWouldBlock
	}
	if len(a.pending) >= tlsPendingMax {
		a.held = true
		return 0, errWouldBlock
	}
	for {
		n, err := sysRead(a.fd, p)
		switch {
		case n > 0:
			a.drained = n < len(p) && !a.shut
			a.frame(p[:n])
			return n, nil
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			a.drained = true
			return 0, errWouldBlock
		case err == nil:
			return 0, io.EOF
		default:
			return 0, err
		}
	}
}

func (a *tlsIO) Write(p []byte) (int, error) {
	if a.fd < 0 {
		return a.Conn.Write(p)
	}
	dst := &a.pending
	if a.capture {
		dst = &a.out
	}
	if a.seal == nil {
		*dst = append(*dst, p...)
		return len(p), nil
	}
	var err error
	if *dst, err = a.seal.translate(*dst, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Deadlines belong to the handshake; the loop's timers bound the rest.
func (a *tlsIO) SetDeadline(t time.Time) error {
	if a.fd < 0 {
		return a.Conn.SetDeadline(t)
	}
	return nil
}

func (a *tlsIO) SetReadDeadline(t time.Time) error {
	if a.fd < 0 {
		return a.Conn.SetReadDeadline(t)
	}
	return nil
}

func (a *tlsIO) SetWriteDeadline(t time.Time) error {
	if a.fd < 0 {
		return a.Conn.SetWriteDeadline(t)
	}
	return nil
}

// handOff gives the loop a descriptor of raw's socket, non-blocking and
// close-on-exec, and closes raw (which only takes it out of Go's poller:
// the socket lives on in the new descriptor).
func handOff(raw net.Conn) (int, error) {
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return -1, unix.EINVAL
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0) }); err != nil {
		return -1, err
	}
	raw.Close()
	if derr != nil {
		return -1, derr
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// tlsPiece bounds the plaintext encrypted at once: what the socket does
// not take of it waits as ciphertext, so a slow client holds at most this
// much (and crypto/tls's records) per connection. Each piece is one write:
// 256 KiB rather than 64 cut the CPU per 1 MiB answer over HTTP/2 by 12%
// (fewer writes, fewer TCP pushes and wake-ups of the reader; interleaved
// A/B with h2load -c 50 -m 1, 4 rounds: 679 -> 595 µs; 128 KiB: 626).
const tlsPiece = 256 << 10

// tlsPendingMax bounds the ciphertext waiting for a client. Answers never
// leave more than a piece's; but reading can make crypto/tls write too (a
// TLS 1.3 KeyUpdate that asks for one back), and a client that sends such
// requests without reading would otherwise grow it without end: past this
// much, its socket is not read until it reads.
const tlsPendingMax = 2 * tlsPiece

// tlsRead reads plaintext into p as sysRead reads a socket: n > 0, or
// (-1, EAGAIN) when nothing can be read now, or (0, nil) at the end of
// the stream. It reads until p is full or the socket is empty, so that a
// short read means what it means for a plain socket: nothing is left.
func (l *loop) tlsRead(c *conn, p []byte) (int, error) {
	a := c.tls.io
	a.held = false
	n, err := l.tlsReadSome(c, p)
	if a.held {
		c.readMore = true // read on once the client has read (drain)
	}
	return n, err
}

func (l *loop) tlsReadSome(c *conn, p []byte) (int, error) {
	got := 0
	for got < len(p) {
		n, err := c.tls.tc.Read(p[got:])
		got += n
		if err == nil {
			continue
		}
		_, temporary := err.(wouldBlock)
		if got > 0 {
			if !temporary {
				// An end or an error came behind the data (a close_notify
				// in the same segment): the next Read reports it, but the
				// socket may be empty and epoll report nothing more, so
				// the reader must not take this short read for drained.
				c.hup = true
			}
			break
		}
		if temporary {
			return -1, unix.EAGAIN
		}
		switch {
		case err == io.EOF:
			return 0, nil
		default:
			return -1, unix.EPROTO
		}
	}
	return got, nil
}

// tlsWrite encrypts and sends p as sysWrite writes a socket: it returns how
// much of p it took (and -1 with EAGAIN when it took nothing). It takes p a
// piece at a time while the socket takes all of each piece's ciphertext;
// the part of a piece the socket leaves waits in pending, and the next
// write sends it first. So a write that takes less than p has always met a
// full socket, and epoll reports when it drains.
func (l *loop) tlsWrite(c *conn, p []byte) (int, error) { return l.tlsWriteFrom(c, p, false) }

// tlsWriteFrom is tlsWrite; scratch says p is the loop's own buffer, which
// the sealing may write to for a moment (tlsSeal.sealFrom).
func (l *loop) tlsWriteFrom(c *conn, p []byte, scratch bool) (int, error) {
	a := c.tls.io
	done := 0
	for {
		if ok, err := tlsFlush(a); !ok {
			if done > 0 {
				return done, nil
			}
			return -1, err
		}
		if done == len(p) {
			return done, nil
		}
		piece := p[done:min(len(p), done+tlsPiece)]
		var ct []byte
		var err error
		if a.seal != nil {
			ct = a.seal.sealFrom(l.tlsOut[:0], piece, recordTypeAppData, scratch)
		} else {
			a.capture, a.out = true, l.tlsOut[:0]
			_, err = c.tls.tc.Write(piece)
			ct = a.out
			a.capture, a.out = false, nil
		}
		l.tlsOut = ct[:0]
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return -1, unix.EPROTO
		}
		done += len(piece)
		n, _ := sysWrite(a.fd, ct)
		if n = max(n, 0); n < len(ct) {
			// The socket is full (or failing: the next flush tells).
			a.pending = append(a.pending, ct[n:]...)
		}
	}
}

// tlsFlush sends the ciphertext the socket did not take before. It
// reports whether none is left; when some is, err is EAGAIN or the
// socket's error.
func tlsFlush(a *tlsIO) (bool, error) {
	for len(a.pending) > 0 {
		n, err := sysWrite(a.fd, a.pending)
		if n > 0 {
			a.pending = a.pending[n:]
			continue
		}
		if err == unix.EINTR {
			continue
		}
		return false, err
	}
	a.pending = nil
	return true, nil
}

// tlsPartial: part of a record from c's client has arrived.
func (c *conn) tlsPartial() bool { return c.tls != nil && c.tls.io.partial() }

// tlsPending: c has ciphertext waiting for the socket.
func (c *conn) tlsPending() bool { return c.tls != nil && len(c.tls.io.pending) > 0 }

// tlsCloseNotify tells a TLS client that nothing more comes (close_notify),
// as well as the socket takes it now: before its write side is shut, or
// before it is closed.
func tlsCloseNotify(c *conn) {
	if c.tls == nil {
		return
	}
	c.tls.tc.CloseWrite() // appends the alert to pending
	tlsFlush(c.tls.io)
}

// tlsSendFile sends the next piece of c's file through the record layer
// (there is no sendfile for ciphertext): it reports what tlsWrite does.
func (l *loop) tlsSendFile(c *conn) (int, error) {
	if l.tlsFileBuf == nil {
		l.tlsFileBuf = make([]byte, tlsPiece, tlsPiece+1) // a byte to spare for sealFrom
	}
	buf := l.tlsFileBuf[:min(int64(len(l.tlsFileBuf)), c.fileEnd-c.fileOff)]
	m, err := c.file.ReadAt(buf, c.fileOff)
	if m <= 0 {
		return -1, err
	}
	return l.tlsWriteFrom(c, buf[:m], true)
}

// writev2 writes a then b to c with one system call, as sysWritev2, or
// through c's record layer.
func (l *loop) writev2(c *conn, a, b []byte) (int, error) {
	if c.tls == nil {
		return sysWritev2(int(c.fd), a, b)
	}
	n, err := l.tlsWrite(c, a)
	if n < len(a) {
		return n, err
	}
	if m, _ := l.tlsWrite(c, b); m > 0 {
		n += m
	}
	return n, nil
}

// recv reads from c's socket, through its record layer if it has one.
func (l *loop) recv(c *conn, p []byte) (int, error) {
	if c.tls != nil {
		return l.tlsRead(c, p)
	}
	return sysRead(int(c.fd), p)
}

// sockRead and sockWrite read and write fd, one side of c's tunnel: c's
// own socket through its record layer, if it has one.
func (l *loop) sockRead(c *conn, fd int, p []byte) (int, error) {
	if c.tls != nil && fd == int(c.fd) {
		return l.tlsRead(c, p)
	}
	return sysRead(fd, p)
}

func (l *loop) sockWrite(c *conn, fd int, p []byte) (int, error) {
	if c.tls != nil && fd == int(c.fd) {
		return l.tlsWrite(c, p)
	}
	return sysWrite(fd, p)
}
