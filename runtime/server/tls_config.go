package server

import (
	"crypto/tls"
	"fmt"
	"strings"
	"sync/atomic"
)

// The TLS policy of every HTTPS listen is Mozilla's "intermediate"
// profile (https://wiki.mozilla.org/Security/Server_Side_TLS): TLS 1.2
// with ECDHE key exchange and AEAD suites only, and TLS 1.3 (whose suites
// are all AEAD and not configurable in crypto/tls). No CBC suite is
// offered, so LUCKY13 and its kin have nothing to work on, and no static
// RSA key exchange, so every session has forward secrecy. A listen whose
// ssl says "min_version" : "1.3" gets Mozilla's "modern" profile: TLS 1.3
// only.
//
// Certificates (SNI): a listen has its own certificate, the default, and
// its websites may have theirs. A ClientHello's server name picks the
// certificate of the website with that domain, else the first certificate
// whose own names (wildcards included) cover it, else the default, which
// is also what a client sending no name gets.

// intermediateSuites are the TLS 1.2 suites offered, in Mozilla's order
// (crypto/tls orders them itself by the hardware it runs on anyway).
var intermediateSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// curves are the key exchanges offered: Mozilla's X25519, P-256 and
// P-384, after the post-quantum hybrid X25519MLKEM768 that crypto/tls
// offers first (P-521, which it also would, is left out, as Mozilla does).
var curves = []tls.CurveID{tls.X25519MLKEM768, tls.X25519, tls.CurveP256, tls.CurveP384}

// nextProtos are the protocols a TLS listen offers in ALPN, best first;
// listenTLS puts h2 before them unless the listen turns HTTP/2 off.
func nextProtos() []string { return []string{"http/1.1"} }

// tlsPolicy is the crypto/tls configuration of a listen with the given
// minimum version (0 or tls.VersionTLS12: intermediate; tls.VersionTLS13:
// modern), without its certificates.
func tlsPolicy(minVersion uint16) *tls.Config {
	if minVersion < tls.VersionTLS12 {
		minVersion = tls.VersionTLS12
	}
	return &tls.Config{
		MinVersion:       minVersion,
		CipherSuites:     intermediateSuites,
		CurvePreferences: curves,
		NextProtos:       nextProtos(),
	}
}

// certStore is the certificates of one listen, as loaded at one time; it
// is never changed once published, only replaced.
type certStore struct {
	def    *tls.Certificate
	byName map[string]*tls.Certificate // website domain (lower case, no port) → its certificate
	all    []*tls.Certificate          // the websites' then the default, for their own names
}

// listenCerts is what a listen's GetCertificate reads.
type listenCerts struct {
	cur     atomic.Pointer[certStore]
	ln      *Listen
	storage string // with acme: its storage directory, expanded
}

// listenTLS loads a listen's certificates and returns its configuration.
func listenTLS(ln *Listen) (*tls.Config, *listenCerts, error) {
	st, err := loadCerts(ln)
	if err != nil {
		return nil, nil, err
	}
	lc := &listenCerts{ln: ln}
	lc.cur.Store(st)
	cfg := tlsPolicy(ln.TLS.MinVersion)
	if !ln.NoHTTP2 {
		cfg.NextProtos = append([]string{"h2"}, cfg.NextProtos...)
	}
	cfg.GetCertificate = lc.get
	if ln.TLS.ACME != nil {
		lc.storage, _ = Expand(ln.TLS.ACME.Storage) // loadCerts expanded it already
		cfg.NextProtos = append(cfg.NextProtos, acmeALPN)
	}
	return cfg, lc, nil
}

// loadCerts reads the PEM files of ln's certificates ($VAR$ expanded).
func loadCerts(ln *Listen) (*certStore, error) {
	load := func(what, certFile, keyFile string) (*tls.Certificate, error) {
		cf, err := Expand(certFile)
		if err != nil {
			return nil, fmt.Errorf("listen %s:%d %s certificate_file: %w", ln.IP, ln.Port, what, err)
		}
		kf, err := Expand(keyFile)
		if err != nil {
			return nil, fmt.Errorf("listen %s:%d %s certificate_key_file: %w", ln.IP, ln.Port, what, err)
		}
		c, err := tls.LoadX509KeyPair(cf, kf)
		if err != nil {
			return nil, fmt.Errorf("listen %s:%d %s: %w", ln.IP, ln.Port, what, err)
		}
		return &c, nil
	}
	st := &certStore{byName: map[string]*tls.Certificate{}}
	var err error
	if a := ln.TLS.ACME; a != nil {
		if err := acmeCerts(ln, st, load); err != nil {
			return nil, err
		}
	} else if st.def, err = load("ssl", ln.TLS.CertFile, ln.TLS.KeyFile); err != nil {
		return nil, err
	}
	for _, c := range ln.TLS.Certs {
		cert, err := load(fmt.Sprintf("website %q ssl", c.Domain), c.CertFile, c.KeyFile)
		if err != nil {
			return nil, err
		}
		st.byName[sniName(c.Domain)] = cert
		st.all = append(st.all, cert)
	}
	st.all = append(st.all, st.def)
	return st, nil
}

// sniName is a website domain as a ClientHello names it: lower case,
// without ":port" or a trailing dot.
func sniName(domain string) string {
	return strings.ToLower(string(bareHost([]byte(domain))))
}

// get chooses the certificate for a ClientHello (crypto/tls calls it from
// the handshake goroutines).
func (lc *listenCerts) get(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	if lc.storage != "" && isACMEHello(hello) {
		return lc.challengeCert(hello.ServerName)
	}
	st := lc.cur.Load()
	if hello.ServerName == "" {
		return st.def, nil
	}
	name := strings.ToLower(strings.TrimSuffix(hello.ServerName, "."))
	if c := st.byName[name]; c != nil {
		return c, nil
	}
	for _, c := range st.all {
		if c.Leaf != nil && c.Leaf.VerifyHostname(name) == nil {
			return c, nil
		}
	}
	return st.def, nil
}
