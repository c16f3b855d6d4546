package server

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// An acme listen serves the certificates in its storage, loads new ones
// when told, answers a TLS-ALPN-01 validation with the challenge's
// certificate, and a plain listen answers HTTP-01 before any website's
// phases (here a redirect of everything).
func TestACMEWorkerSide(t *testing.T) {
	t.Parallel()
	storage := t.TempDir()
	install := func(domain, cn string) {
		cert, key := namedCert(t, t.TempDir(), cn, domain)
		for src, dst := range map[string]string{cert: certfiles.Cert(storage, domain), key: certfiles.Key(storage, domain)} {
			b, _ := os.ReadFile(src)
			if err := certfiles.Write(dst, b, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	install("a.example", "first")
	var tlsLn *Listen
	ts := startTestSite(t, func(s *Site) {
		plain := s.Listens[0]
		redirectAll := &Website{Domain: "", Serve: func(c *Ctx) { c.Redirect(301, "https://a.example") }}
		plain.Hosts = &HostTable{Default: redirectAll}
		tlsLn = &Listen{IP: "127.0.0.1", TLS: &TLS{ACME: &ACME{Storage: storage, Domains: []string{"a.example"}}},
			Hosts: plain.Hosts}
		s.Listens = append(s.Listens, tlsLn)
	})
	tlsAddr := fmt.Sprintf("127.0.0.1:%d", tlsLn.Port)
	if cn := peerName(t, tlsAddr, "a.example"); cn != "first" {
		t.Fatalf("certificate %q, want first", cn)
	}
	install("a.example", "renewed")
	ts.inst.rt.reloadCerts()
	if cn := peerName(t, tlsAddr, "a.example"); cn != "renewed" {
		t.Errorf("after reloadCerts: certificate %q, want renewed", cn)
	}

	// TLS-ALPN-01: the challenge's certificate for "acme-tls/1" only, and
	// the connection ends with the handshake.
	chalCert, chalKey := namedCert(t, t.TempDir(), "challenge", "a.example")
	cb, _ := os.ReadFile(chalCert)
	kb, _ := os.ReadFile(chalKey)
	certfiles.Write(certfiles.ALPN(storage, "a.example"), append(cb, kb...), nil)
	c, err := tls.Dial("tcp", tlsAddr, &tls.Config{InsecureSkipVerify: true, ServerName: "a.example", NextProtos: []string{"acme-tls/1"}})
	if err != nil {
		t.Fatalf("TLS-ALPN-01 handshake: %v", err)
	}
	st := c.ConnectionState()
	if st.NegotiatedProtocol != "acme-tls/1" || st.PeerCertificates[0].Subject.CommonName != "challenge" {
		t.Errorf("TLS-ALPN-01: protocol %q, certificate %q", st.NegotiatedProtocol, st.PeerCertificates[0].Subject.CommonName)
	}
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("TLS-ALPN-01 connection still open: %d, %v", n, err)
	}
	c.Close()
	if cn := peerName(t, tlsAddr, "a.example"); cn != "renewed" {
		t.Errorf("a plain client got %q", cn)
	}

	// HTTP-01 on the plain listen, before the redirect; other paths redirect.
	if err := certfiles.Write(filepath.Join(storage, "challenges", "http-01", "tok_en-1"), []byte("tok_en-1.keyauth"), nil); err != nil {
		t.Fatal(err)
	}
	r := get(t, "http://"+ts.addr+"/.well-known/acme-challenge/tok_en-1")
	body, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 || string(body) != "tok_en-1.keyauth" {
		t.Errorf("HTTP-01: %d %q", r.StatusCode, body)
	}
	for _, p := range []string{"/.well-known/acme-challenge/missing", "/.well-known/acme-challenge/..", "/x"} {
		if r := get(t, "http://"+ts.addr+p); r.StatusCode != 301 {
			t.Errorf("GET %s: %d, want the website's 301", p, r.StatusCode)
		}
	}
}
