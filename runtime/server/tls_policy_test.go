package server

import (
	"crypto/tls"
	"testing"
)

// The intermediate policy: TLS 1.2 with ECDHE and AEAD suites, and TLS
// 1.3; a client that offers only CBC suites (or only RSA key exchange, or
// only TLS 1.1) is refused. The modern policy refuses TLS 1.2 as well.
func TestTLSPolicy(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t)
	inter := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile}
	})
	modern := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: certFile, KeyFile: keyFile, MinVersion: tls.VersionTLS13}
	})
	dial := func(addr string, min, max uint16, suites ...uint16) (*tls.ConnectionState, error) {
		c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1",
			MinVersion: min, MaxVersion: max, CipherSuites: suites})
		if err != nil {
			return nil, err
		}
		defer c.Close()
		st := c.ConnectionState()
		return &st, nil
	}
	for _, tc := range []struct {
		name     string
		addr     string
		min, max uint16
		suites   []uint16
		want     uint16 // the suite agreed; 0: refused
	}{
		{"1.2 ECDHE-AES-GCM", inter.addr, tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
		{"1.2 ECDHE-CHACHA20", inter.addr, tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
		{"1.2 ECDHE-CBC", inter.addr, tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}, 0},
		{"1.1", inter.addr, tls.VersionTLS10, tls.VersionTLS11, nil, 0},
		{"1.3", inter.addr, tls.VersionTLS13, tls.VersionTLS13, nil, tls.TLS_AES_128_GCM_SHA256},
		{"modern 1.2", modern.addr, tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, 0},
		{"modern 1.3", modern.addr, tls.VersionTLS12, tls.VersionTLS13, nil, tls.TLS_AES_128_GCM_SHA256},
	} {
		st, err := dial(tc.addr, tc.min, tc.max, tc.suites...)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("%s: accepted (%s), want refused", tc.name, tls.CipherSuiteName(st.CipherSuite))
		case tc.want != 0 && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != 0 && st.CipherSuite != tc.want && tc.max == tls.VersionTLS12:
			t.Errorf("%s: suite %s, want %s", tc.name, tls.CipherSuiteName(st.CipherSuite), tls.CipherSuiteName(tc.want))
		case tc.want != 0 && tc.max == tls.VersionTLS13 && st.Version != tls.VersionTLS13:
			t.Errorf("%s: version %x, want TLS 1.3", tc.name, st.Version)
		}
	}
}
