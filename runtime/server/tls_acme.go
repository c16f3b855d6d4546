package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"syscall"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// ACME: a listen whose ssl has acme gets its certificates from a CA. The
// master obtains and renews them (runtime/acme, linked only into sites
// that use it, through Site.ACMEClient) and writes them under the storage
// directory (certfiles); a worker loads them at start and again when the
// master says 'C' on its control socket. The CA's TLS-ALPN-01 validation
// reaches the listen itself: a ClientHello offering only "acme-tls/1" gets
// the challenge's certificate, and the connection ends with the
// handshake. An HTTP-01 validation reaches a plain listen on port 80,
// answered before any website's phases.

// ACME is a listen's acme settings, as configured ($VAR$ in paths).
type ACME struct {
	Email     string
	Directory string
	Storage   string
	CAFile    string
	Domains   []string // the listen's website domains without their own certificate
}

// ACMEClient is runtime/acme's entry points.
type ACMEClient struct {
	Prepare func(certfiles.Config) error            // stand-ins where no certificate is, before workers start
	Run     func(context.Context, certfiles.Config) // obtain and renew until the context ends
}

// acmeALPN is the ALPN protocol of TLS-ALPN-01 (RFC 8737).
const acmeALPN = "acme-tls/1"

func isACMEHello(hello *tls.ClientHelloInfo) bool {
	return len(hello.SupportedProtos) == 1 && hello.SupportedProtos[0] == acmeALPN
}

// acmeCerts loads an acme listen's certificates from its storage: the
// first domain's is the default.
func acmeCerts(ln *Listen, st *certStore, load func(what, certFile, keyFile string) (*tls.Certificate, error)) error {
	dir, err := Expand(ln.TLS.ACME.Storage)
	if err != nil {
		return fmt.Errorf("listen %s:%d ssl.acme.storage: %w", ln.IP, ln.Port, err)
	}
	for _, d := range ln.TLS.ACME.Domains {
		c, err := load("acme "+d, certfiles.Cert(dir, d), certfiles.Key(dir, d))
		if err != nil {
			return err
		}
		st.byName[d] = c
		st.all = append(st.all, c)
		if st.def == nil {
			st.def = c
		}
	}
	if st.def == nil {
		return fmt.Errorf("listen %s:%d ssl.acme: no domain to obtain a certificate for", ln.IP, ln.Port)
	}
	return nil
}

// challengeCert is the TLS-ALPN-01 answer for name, while the master has
// one in progress.
func (lc *listenCerts) challengeCert(name string) (*tls.Certificate, error) {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" || strings.ContainsAny(name, "/\\\x00") || strings.Contains(name, "..") {
		return nil, fmt.Errorf("TLS-ALPN-01 for %q: not a domain name", name)
	}
	b, err := os.ReadFile(certfiles.ALPN(lc.storage, name))
	if err != nil {
		return nil, fmt.Errorf("no TLS-ALPN-01 challenge in progress for %q", name)
	}
	c, err := tls.X509KeyPair(b, b)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// reloadCerts loads the certificates of the acme listens again, when the
// master says they changed; a listen whose files do not load keeps what
// it has.
func (rt *runtimeState) reloadCerts() {
	for ln, lc := range rt.certs {
		if ln.TLS.ACME == nil {
			continue
		}
		st, err := loadCerts(ln)
		if err != nil {
			rt.log.Errorf("reloading the certificates: %v; keeping the current ones", err)
			continue
		}
		lc.cur.Store(st)
	}
}

// acmeConfig is the manager's configuration for site, paths expanded, or
// nil when no listen has acme.
func acmeConfig(site *Site) (*certfiles.Config, error) {
	if site.ACMEClient == nil {
		return nil, nil
	}
	cfg := &certfiles.Config{}
	for _, ln := range site.Listens {
		if ln.TLS == nil && ln.Port == 80 {
			cfg.HTTP01 = true
		}
		if ln.TLS == nil || ln.TLS.ACME == nil {
			continue
		}
		a := ln.TLS.ACME
		s := certfiles.Settings{Email: a.Email, Directory: a.Directory, Domains: a.Domains}
		var err error
		if s.Storage, err = Expand(a.Storage); err != nil {
			return nil, fmt.Errorf("listen %s:%d ssl.acme.storage: %w", ln.IP, ln.Port, err)
		}
		if s.CAFile, err = Expand(a.CAFile); err != nil {
			return nil, fmt.Errorf("listen %s:%d ssl.acme.ca_file: %w", ln.IP, ln.Port, err)
		}
		cfg.Listens = append(cfg.Listens, s)
	}
	if len(cfg.Listens) == 0 {
		return nil, nil
	}
	return cfg, nil
}

// acmeHTTP01 answers an HTTP-01 validation on a plain listen, before any
// website's phases; it reports whether it did.
func (x *Ctx) acmeHTTP01() bool {
	const prefix = "/.well-known/acme-challenge/"
	p := x.Req.Path
	if len(x.l.rt.acmeStores) == 0 || x.c.ln.TLS != nil || len(p) <= len(prefix) || string(p[:len(prefix)]) != prefix {
		return false
	}
	token := string(p[len(prefix):])
	for _, dir := range x.l.rt.acmeStores {
		if f := certfiles.HTTP(dir, token); f != "" {
			if b, err := os.ReadFile(f); err == nil {
				x.respond(200, "", b)
				return true
			}
		}
	}
	return false
}

// prepareACME writes stand-ins where a domain has no certificate yet,
// before anything loads them; it returns the manager's configuration (nil
// without acme) and what it has to log once the error log is open.
func prepareACME(site *Site, cred *syscall.Credential) (*certfiles.Config, []string, error) {
	cfg, err := acmeConfig(site)
	if cfg == nil || err != nil {
		return nil, nil, err
	}
	if cred != nil {
		cfg.Chown = func(path string) { os.Chown(path, int(cred.Uid), int(cred.Gid)) }
	}
	var said []string
	cfg.Infof = func(format string, args ...any) { said = append(said, fmt.Sprintf(format, args...)) }
	cfg.Errorf = cfg.Infof
	if err := site.ACMEClient.Prepare(*cfg); err != nil {
		return nil, nil, fmt.Errorf("acme: %w", err)
	}
	return cfg, said, nil
}
