package compiler

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strings"
	"time"
)

// checkCerts checks the certificates of a listen the way the site will
// use them: each certificate_file with its certificate_key_file (an error
// when they do not make a pair), each still valid (a warning when
// expired), and each website's domain covered by one of them (a warning:
// clients would see a name mismatch). A website's own ssl needs the
// listen's.
func (c *checker) checkCerts(l *Listen, path string) {
	if l.SSL == nil {
		for _, w := range l.Websites {
			if w.SSL != nil {
				c.d.errorf(w.SSL.Pos, "%s.website.ssl needs the listen's ssl: a website's certificate is chosen by SNI on an HTTPS listen", path)
			}
		}
		return
	}
	if l.SSL.ACME != nil {
		// The CA certifies every domain; only the websites' own files here.
		if len(ACMEDomains(l)) == 0 {
			c.d.errorf(l.SSL.ACME.Pos, "%s.ssl.acme: no website of this listen has a domain name to obtain a certificate for", path)
		}
		for _, w := range l.Websites {
			if w.SSL != nil {
				c.loadPair(w.SSL, path+".website.ssl")
			}
		}
		return
	}
	var leaves []*x509.Certificate
	add := func(s *SSL, key string) {
		if leaf := c.loadPair(s, key); leaf != nil {
			leaves = append(leaves, leaf)
		}
	}
	add(l.SSL, path+".ssl")
	for _, w := range l.Websites {
		if w.SSL != nil {
			add(w.SSL, path+".website.ssl")
		}
	}
	if len(leaves) == 0 {
		return // not readable here: nothing to say about names
	}
	for _, w := range l.Websites {
		name := strings.TrimSuffix(hostOnly(w.Domain), ".")
		if name == "" {
			continue
		}
		covered := false
		for _, leaf := range leaves {
			if leaf.VerifyHostname(name) == nil {
				covered = true
				break
			}
		}
		if !covered {
			c.d.warnf(w.Pos, "%s.website %q: no certificate of this listen covers it; give it its own ssl, or clients will see a name mismatch", path, w.Domain)
		}
	}
}

// hostOnly is a domain without its ":port".
func hostOnly(d string) string {
	if i := strings.LastIndexByte(d, ':'); i >= 0 && strings.LastIndexByte(d, ']') < i {
		d = d[:i]
	}
	return strings.TrimSuffix(strings.TrimPrefix(d, "["), "]")
}

// loadPair reads a certificate and its key as the site will, and returns
// the certificate, or nil when the files cannot be read here (already
// reported, or paths expanded only where the site runs).
func (c *checker) loadPair(s *SSL, key string) *x509.Certificate {
	if c.opt.NoFS || s.CertificateKeyFile == "" {
		return nil
	}
	cf, ok1 := c.expand(s.CertificateFile)
	kf, ok2 := c.expand(s.CertificateKeyFile)
	if !ok1 || !ok2 || !regular(cf) || !regular(kf) {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(cf, kf)
	if err != nil {
		c.d.errorf(s.Pos, "%s: certificate_file and certificate_key_file are not a certificate and its key: %v", key, strings.TrimPrefix(err.Error(), "tls: "))
		return nil
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			return nil
		}
	}
	if now := time.Now(); now.After(leaf.NotAfter) {
		c.d.warnf(s.Pos, "%s.certificate_file expired on %s", key, leaf.NotAfter.UTC().Format("2006-01-02"))
	}
	return leaf
}

func regular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
