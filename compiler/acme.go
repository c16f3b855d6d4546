package compiler

import (
	"net/netip"
	"net/url"
	"strings"
)

// LetsEncrypt is the ACME directory used when acme names none.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// acme decodes a listen's ssl.acme: email, directory, storage (required),
// ca_file.
func (c *checker) acme(n *node, path string) *ACME {
	o := c.open(n, "acme", path)
	if o.n == nil {
		return nil
	}
	a := &ACME{Pos: n.pos}
	nodes := c.scalars(o, a)
	if v := nodes["directory"]; v != nil {
		if u, err := url.Parse(a.Directory); err != nil || u.Scheme != "https" || u.Host == "" {
			c.d.errorf(v.pos, "%s.directory %q is not an https:// URL like %q", path, a.Directory, LetsEncrypt)
		}
	}
	if v := nodes["email"]; v != nil && a.Email != "" && !strings.Contains(a.Email, "@") {
		c.d.errorf(v.pos, "%s.email %q is not an e-mail address", path, a.Email)
	}
	s, sv := o.str("storage", "")
	if s == "" {
		c.d.errorf(n.pos, "%s needs storage: the directory where the account, certificates and keys are kept (created, mode 0700)", path)
		return nil
	}
	a.Storage = c.path(sv, path+".storage", s)
	if v := nodes["ca_file"]; v != nil {
		c.checkFile(v, path+".ca_file", a.CAFile)
	}
	return a
}

// checkACMEPorts warns about an acme listen the CA cannot validate: it
// connects to port 443 (TLS-ALPN-01) or 80 (HTTP-01), whatever the listen's.
func (c *checker) checkACMEPorts(ls []*Listen) {
	http80 := false
	for _, l := range ls {
		http80 = http80 || l.SSL == nil && l.Port == 80
	}
	for _, l := range ls {
		if l.SSL != nil && l.SSL.ACME != nil && l.Port != 443 && !http80 {
			c.d.warnf(l.SSL.ACME.Pos, "listen.ssl.acme on port %d: the CA validates on port 443 (TLS-ALPN-01) or on a plain listen on port 80 (HTTP-01); forward port 443 to this one, or add a listen on port 80", l.Port)
		}
	}
}

// ACMEDomains are the names a listen with acme obtains certificates for:
// its websites' domains without their own certificate, lower case,
// without port, leaving out "" (the default website), wildcards (which
// need DNS-01) and IP addresses. Sorted as the websites are.
func ACMEDomains(l *Listen) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range l.Websites {
		if w.SSL != nil {
			continue
		}
		d := strings.ToLower(strings.TrimSuffix(hostOnly(w.Domain), "."))
		if _, err := netip.ParseAddr(d); d == "" || err == nil || strings.Contains(d, "*") || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	return out
}
