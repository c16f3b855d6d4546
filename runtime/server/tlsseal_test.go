package server

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// translating is the server's connection under its *tls.Conn once the
// write side is taken over: what crypto/tls writes is sealed again, as
// tlsIO.Write does in the loop. written reports each such write.
type translating struct {
	net.Conn
	s       *tlsSeal
	written chan struct{}
}

func (t *translating) Write(p []byte) (int, error) {
	if t.s == nil {
		return t.Conn.Write(p)
	}
	out, err := t.s.translate(nil, p)
	if err != nil {
		return 0, err
	}
	if _, err := t.Conn.Write(out); err != nil {
		return 0, err
	}
	t.written <- struct{}{}
	return len(p), nil
}

// sealPair shakes hands over loopback TCP and takes over the server's
// write side; keyLog receives the client's secrets.
func sealPair(t *testing.T, keyLog io.Writer) (srv *tls.Conn, under *translating, cli *tls.Conn, cliRaw net.Conn) {
	t.Helper()
	certFile, keyFile, pool := selfSigned(t)
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	cliRaw, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cliRaw.Close() })
	raw, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { raw.Close() })
	deadline := time.Now().Add(5 * time.Second)
	raw.SetDeadline(deadline)
	cliRaw.SetDeadline(deadline)
	under = &translating{Conn: raw, written: make(chan struct{}, 8)}
	srv = tls.Server(under, &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	cli = tls.Client(cliRaw, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", KeyLogWriter: keyLog, NextProtos: []string{"h2"},
		ClientSessionCache: tls.NewLRUClientSessionCache(1)}) // so that the server sends a ticket before the hand-off
	hs := make(chan error, 1)
	go func() { hs <- srv.Handshake() }()
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-hs; err != nil {
		t.Fatal(err)
	}
	cs := srv.ConnectionState()
	under.s = takeover(srv, &cs)
	if under.s == nil {
		t.Fatal("takeover left the write side to crypto/tls: the traffic secret or sequence number was not found (a new Go release?)")
	}
	return srv, under, cli, cliRaw
}

// readN reads n bytes of plaintext from the client.
func readN(t *testing.T, cli *tls.Conn, n int) []byte {
	t.Helper()
	got := make([]byte, n)
	if _, err := io.ReadFull(cli, got); err != nil {
		t.Fatalf("the client reads the loop's records: %v", err)
	}
	return got
}

// The loop's records open at the client, after the session ticket
// crypto/tls sent under the same secret; what crypto/tls writes after the
// hand-off (here close_notify) is sealed again in sequence.
func TestTLSSealTakesOver(t *testing.T) {
	t.Parallel()
	srv, under, cli, _ := sealPair(t, nil)
	want := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstu\n"), 5000) // ten records
	for _, piece := range [][]byte{want[:1], want[1:70000], want[70000:]} {
		if _, err := under.Conn.Write(under.s.seal(nil, piece, recordTypeAppData)); err != nil {
			t.Fatal(err)
		}
	}
	if got := readN(t, cli, len(want)); !bytes.Equal(got, want) {
		t.Fatal("the client read other bytes than the loop sealed")
	}
	if err := srv.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := cli.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("after close_notify the client reads %d, %v; want io.EOF", n, err)
	}
}

// A client's KeyUpdate with update_requested (RFC 8446 §4.6.3): crypto/tls
// answers with its own, sealed again by the loop, and both move to the
// next secret; the loop's next records open under it. The client's record
// is sealed here with its secret from the key log, as the Go client has
// no call that sends one.
func TestTLSSealFollowsKeyUpdate(t *testing.T) {
	t.Parallel()
	var keyLog bytes.Buffer
	srv, under, cli, cliRaw := sealPair(t, &keyLog)
	var secret []byte
	for _, line := range strings.Split(keyLog.String(), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "CLIENT_TRAFFIC_SECRET_0" {
			fmt.Sscanf(f[2], "%x", &secret)
		}
	}
	if secret == nil {
		t.Fatalf("no client traffic secret in the key log:\n%s", keyLog.String())
	}
	client := &tlsSeal{suite: cli.ConnectionState().CipherSuite}
	if err := client.ours.set(client.suite, secret); err != nil {
		t.Fatal(err)
	}
	keyUpdate := []byte{handshakeKeyUpdate, 0, 0, 1, 1} // update_requested
	if _, err := cliRaw.Write(client.seal(nil, keyUpdate, recordTypeHshake)); err != nil {
		t.Fatal(err)
	}
	// The server reads the KeyUpdate and answers it; its Read then waits
	// for data that never comes, until the connection closes.
	go srv.Read(make([]byte, 1))
	select {
	case <-under.written:
	case <-time.After(5 * time.Second):
		t.Fatal("crypto/tls did not answer the KeyUpdate")
	}
	if under.s.ours.seq != 0 || under.s.theirs.seq != 0 || !bytes.Equal(under.s.ours.secret, under.s.theirs.secret) {
		t.Fatalf("after the KeyUpdate: ours seq %d, theirs seq %d; both should start the next secret", under.s.ours.seq, under.s.theirs.seq)
	}
	want := []byte("sealed under the next secret")
	if _, err := under.Conn.Write(under.s.seal(nil, want, recordTypeAppData)); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, cli, len(want)); !bytes.Equal(got, want) {
		t.Fatalf("the client read %q", got)
	}
}

// Sealing in place of a scratch buffer gives the records a copy gives,
// and leaves the buffer as it was, up to the byte behind it.
func TestTLSSealFromScratch(t *testing.T) {
	t.Parallel()
	secret := bytes.Repeat([]byte{7}, 32)
	var a, b tlsSeal
	a.suite, b.suite = tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_128_GCM_SHA256
	if a.ours.set(a.suite, secret) != nil || b.ours.set(b.suite, secret) != nil {
		t.Fatal("no keys")
	}
	for _, n := range []int{1, recordMaxPlain - 1, recordMaxPlain, recordMaxPlain + 1, 3*recordMaxPlain + 5} {
		for _, spare := range []int{0, 1} {
			buf := make([]byte, n, n+spare)
			for i := range buf[:cap(buf)] {
				buf[:cap(buf)][i] = byte(i*7 + 1)
			}
			orig := append([]byte(nil), buf[:cap(buf)]...)
			want := a.seal(nil, buf, recordTypeAppData)
			got := b.sealFrom(nil, buf, recordTypeAppData, true)
			if !bytes.Equal(got, want) {
				t.Fatalf("%d bytes (%d spare): the records sealed in place differ from the copy's", n, spare)
			}
			if !bytes.Equal(buf[:cap(buf)], orig) {
				t.Fatalf("%d bytes (%d spare): the scratch buffer was not put back", n, spare)
			}
		}
	}
}
