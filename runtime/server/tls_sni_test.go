package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// namedCert writes a self-signed certificate with common name cn for the
// DNS names given (and 127.0.0.1), and its key, as PEM files in dir.
func namedCert(t testing.TB, dir, cn string, names ...string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: cn},
		DNSNames:     names,
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, cn+".pem"), filepath.Join(dir, cn+".key")
	kb, _ := x509.MarshalECPrivateKey(key)
	if os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600) != nil ||
		os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600) != nil {
		t.Fatal("writing the certificate")
	}
	return certFile, keyFile
}

// peerName shakes hands with addr sending serverName as SNI ("" none) and
// returns the common name of the certificate the server chose.
func peerName(t *testing.T, addr, serverName string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: serverName})
	if err != nil {
		t.Fatalf("SNI %q: %v", serverName, err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

func TestSNI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	defCert, defKey := namedCert(t, dir, "default")
	otherCert, otherKey := namedCert(t, dir, "other", "other.example")
	wildCert, wildKey := namedCert(t, dir, "wild", "*.wild.example", "wild.example")
	// old.example's own certificate also names other.example: the
	// website's domain wins over the certificates' names.
	oldCert, oldKey := namedCert(t, dir, "old", "old.example", "other.example")
	ts := startTestSite(t, func(s *Site) {
		s.Listens[0].TLS = &TLS{CertFile: defCert, KeyFile: defKey, Certs: []Cert{
			{Domain: "old.example:443", CertFile: oldCert, KeyFile: oldKey},
			{Domain: "wild.example", CertFile: wildCert, KeyFile: wildKey},
			{Domain: "other.example", CertFile: otherCert, KeyFile: otherKey},
		}}
	})
	for _, tc := range []struct{ sni, want string }{
		{"other.example", "other"},
		{"OTHER.example.", "other"},
		{"old.example", "old"},
		{"wild.example", "wild"},
		{"a.wild.example", "wild"},      // by the certificate's own wildcard name
		{"a.b.wild.example", "default"}, // a wildcard covers one label
		{"unknown.example", "default"},
		{"", "default"},
	} {
		if got := peerName(t, ts.addr, tc.sni); got != tc.want {
			t.Errorf("SNI %q: certificate %q, want %q", tc.sni, got, tc.want)
		}
	}
}
