package server

import (
	"crypto/tls"
	"net"
	"testing"
	"time"

	xhttp2 "golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// heldAfterHello passes the ClientHello and holds what the client writes
// after it: its Finished and its first requests.
type heldAfterHello struct{ *heldConn }

func (h heldAfterHello) Write(p []byte) (int, error) {
	n, err := h.heldConn.Write(p)
	h.hold = true
	return n, err
}

// TestTLSHandshakeEndingAtStopGetsGoAway: a TLS 1.3 client takes its
// handshake for complete once it has sent its Finished, before the server
// has read it, and sends its requests right after. A handshake that the
// server finishes while the site stops must end in a GOAWAY, never in
// a close under them: Go's client fails such requests with "unexpected
// EOF" (TestReloadUnderHTTP2Load). It either answers them or names none
// of them in its final GOAWAY.
func TestTLSHandshakeEndingAtStopGetsGoAway(t *testing.T) {
	t.Parallel()
	ts, _, _ := startH2Site(t, true)
	raw, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	h := &heldConn{Conn: raw}
	c := tls.Client(heldAfterHello{h}, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2"},
		MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13})
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p != "h2" {
		t.Fatalf("ALPN %q, want h2", p)
	}
	// The request, held with the Finished.
	c.Write([]byte(xhttp2.ClientPreface))
	fr := xhttp2.NewFramer(c, c)
	fr.WriteSettings()
	var hb []byte
	enc := hpack.NewEncoder(bytesWriter{&hb})
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "https"}, {":authority", "x"}, {":path", "/a.txt"}} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	fr.WriteHeaders(xhttp2.HeadersFrameParam{StreamID: 1, BlockFragment: hb, EndStream: true, EndHeaders: true})

	stopped := make(chan bool, 1)
	go func() { stopped <- ts.inst.Stop(5 * time.Second) }()
	// The loop has stopped once its listener is closed.
	for deadline := time.Now().Add(5 * time.Second); ; {
		probe, err := net.DialTimeout("tcp", ts.addr, time.Second)
		if err != nil {
			break
		}
		probe.Close()
		if time.Now().After(deadline) {
			t.Fatal("the site still accepts after Stop")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := h.release(); err != nil {
		t.Fatalf("the Finished and the request: %v", err)
	}
	// The stop's GOAWAY comes in two steps (http2.Conn.Shutdown): the
	// first (last stream 2^31-1) with a PING, the final one after its ACK.
	// Stream 1, sent before the client read either, is answered, or named
	// as not served (last stream 0) for the client to send it again;
	// either way never left to a close.
	answered := false
	var final *xhttp2.GoAwayFrame
	for final == nil || (final.LastStreamID == 1 && !answered) {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("the connection ended (%v) with stream 1 neither answered nor refused (final GOAWAY %v)", err, final)
		}
		switch f := f.(type) {
		case *xhttp2.PingFrame:
			if !f.IsAck() {
				fr.WritePing(true, f.Data)
			}
		case *xhttp2.HeadersFrame:
			answered = answered || f.StreamID == 1
		case *xhttp2.GoAwayFrame:
			if f.ErrCode != xhttp2.ErrCodeNo {
				t.Fatalf("GOAWAY %v, want NO_ERROR", f.ErrCode)
			}
			if f.LastStreamID != 1<<31-1 {
				final = f
			}
		}
	}
	if final.LastStreamID == 0 && answered {
		t.Fatal("stream 1 answered, but the final GOAWAY says it was not served")
	}
	c.Close()
	if !<-stopped {
		t.Error("the site did not stop")
	}
}

type bytesWriter struct{ b *[]byte }

func (w bytesWriter) Write(p []byte) (int, error) {
	*w.b = append(*w.b, p...)
	return len(p), nil
}
