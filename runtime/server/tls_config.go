package server

import (
	"crypto/tls"
)

// The TLS policy of every HTTPS listen is Mozilla's "intermediate"
// profile (https://wiki.mozilla.org/Security/Server_Side_TLS): TLS 1.2
// with ECDHE key exchange and AEAD suites only, and TLS 1.3 (whose suites
// are all AEAD and not configurable in crypto/tls). No CBC suite is
// offered, so LUCKY13 and its kin have nothing to work on, and no static
// RSA key exchange, so every session has forward secrecy. A listen whose
// ssl says "min_version" : "1.3" gets Mozilla's "modern" profile: TLS 1.3
// only.

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

// nextProtos are the protocols a TLS listen offers in ALPN, best first.
// HTTP/2 joins here when it is served.
func nextProtos() []string { return []string{"http/1.1"} }

// tlsPolicy is the crypto/tls configuration of a listen with the given
// minimum version (0 or tls.VersionTLS12: intermediate; tls.VersionTLS13:
// modern), without its certificates.
func tlsPolicy(minVersion uint16) *tls.Config {
	if minVersion < tls.VersionTLS12 {
		minVersion = tls.VersionTLS12
	}
	return &tls.Config{
		MinVersion:   minVersion,
		CipherSuites: intermediateSuites,
		NextProtos:   nextProtos(),
	}
}

// tlsConfig loads a listen's certificate and key (paths already expanded).
func tlsConfig(certFile, keyFile string, minVersion uint16) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	cfg := tlsPolicy(minVersion)
	cfg.Certificates = []tls.Certificate{cert}
	return cfg, nil
}
