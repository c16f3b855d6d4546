// Package certfiles is where ACME's certificates live on disk, shared by
// the master that obtains them (runtime/acme) and the workers that serve
// them (runtime/server), which must not link the ACME client. Under a
// listen's storage directory:
//
//	account.key                       the ACME account's key
//	DOMAIN.crt, DOMAIN.key            a domain's certificate chain and key
//	challenges/DOMAIN.tls-alpn-01     a TLS-ALPN-01 answer (chain and key)
//	challenges/http-01/TOKEN          an HTTP-01 answer (key authorization)
//
// Every file is written mode 0600 and renamed into place, so a reader sees
// an old file or a whole new one.
package certfiles

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
)

// Settings are a listen's ACME settings (paths already expanded) and
// the domains it needs certificates for.
type Settings struct {
	Email     string   // the account's contact; "" none
	Directory string   // the CA's directory URL
	Storage   string   // the directory holding the files above
	CAFile    string   // PEM roots to trust for Directory's HTTPS; "" the system's
	Domains   []string // lower case, without port; the first is the default certificate
}

// Config is what the master tells the ACME manager.
type Config struct {
	Listens []Settings        // the listens with acme
	HTTP01  bool              // a plain listen serves port 80: HTTP-01 can be answered
	Chown   func(path string) // gives a file to the workers' user; nil: nothing to do
	Changed func()            // certificate files changed: the workers load them again
	Infof   func(format string, args ...any)
	Errorf  func(format string, args ...any)
}

// Cert is the certificate chain file of domain.
func Cert(storage, domain string) string { return filepath.Join(storage, domain+".crt") }

// Key is the private key file of domain.
func Key(storage, domain string) string { return filepath.Join(storage, domain+".key") }

// ALPN is the TLS-ALPN-01 answer of domain while a challenge runs.
func ALPN(storage, domain string) string {
	return filepath.Join(storage, "challenges", domain+".tls-alpn-01")
}

// HTTP is the HTTP-01 answer for token while a challenge runs; "" for a
// token that could name another file.
func HTTP(storage, token string) string {
	if token == "" || strings.ContainsAny(token, "/\\.\x00") {
		return ""
	}
	return filepath.Join(storage, "challenges", "http-01", token)
}

// StandIn is the organization of the self-signed certificate served for a
// domain until its first one arrives.
const StandIn = "hetao stand-in until ACME delivers"

// IsStandIn reports a stand-in certificate.
func IsStandIn(c *x509.Certificate) bool {
	return len(c.Subject.Organization) == 1 && c.Subject.Organization[0] == StandIn
}

// Write writes data to path (mode 0600) through a temporary file renamed
// over it; chown, when not nil, gives it to the workers' user first.
func Write(path string, data []byte, chown func(string)) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	if chown != nil {
		chown(tmp)
	}
	return os.Rename(tmp, path)
}
