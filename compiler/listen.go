package compiler

import (
	"fmt"
	"net/netip"
	"strings"
)

// listens decodes the newer layout: listen repeated, each with its own
// websites.
func (c *checker) listens(o *obj) []*Listen {
	elems := o.list("listen")
	if len(elems) == 0 {
		if o.misses("listen") {
			c.d.errorf(o.n.pos, "no listen: add \"listen\": { \"port\": 80, \"website\": { \"wwwroot\": \"www\" } }")
		}
		return nil
	}
	var out []*Listen
	addrs := map[string]Pos{}
	for _, e := range elems {
		lo := c.open(e, "listen", "listen")
		if lo.n == nil {
			continue
		}
		l := &Listen{Pos: e.pos}
		set := c.scalars(lo, l)
		l.IP = c.ip(lo, "ip", true)
		if l.IPv6Only && !strings.Contains(l.IP, ":") {
			c.d.warnf(lo.keyPos("ipv6only"), "listen.ipv6only applies to an IPv6 ip such as \"::\"; this listen takes IPv4 clients only")
		}
		l.Port = c.port(lo, "port")
		l.SSL = c.ssl(lo.sub("ssl"), "listen.ssl", sslListen)
		c.checkHTTP2(l, set)
		label := listenLabel(l.IP, fmt.Sprint(l.Port))
		if l.Port == 0 {
			label = "at " + e.pos.short(e.pos)
		}
		if l.Port != 0 {
			key := l.IP + ":" + fmt.Sprint(l.Port)
			if f, dup := addrs[key]; dup {
				c.d.errorf(lo.keyPos("port"), "listen %s declared twice (first at %s)", label, f.short(lo.keyPos("port")))
			} else {
				addrs[key] = lo.keyPos("port")
			}
		}
		sites := lo.list("website")
		sec, path := "website", "listen.website"
		if lo.has("server") {
			if lo.has("website") {
				c.d.errorf(lo.keyPos("server"), "listen has both website and server (the pre-0.5 name of website): use website")
			} else {
				sites, sec, path = lo.list("server"), "server", "listen.server"
			}
		}
		if len(sites) == 0 && lo.misses(sec) {
			c.d.errorf(e.pos, "listen %s has no website: add \"website\": { \"domain\": \"\", \"wwwroot\": \"...\" }", label)
		}
		l.Websites = c.websites(sites, sec, path, label)
		c.checkCerts(l, "listen")
		out = append(out, l)
	}
	c.checkACMEPorts(out)
	return out
}

func listenLabel(ip, ports string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]:" + ports
	}
	return ip + ":" + ports
}

// port reads a required port number; null counts as absent.
func (c *checker) port(o *obj, k string) int {
	if m := o.first[k]; m == nil || m.value == nil || m.value.kind == nBare && m.value.text == "null" {
		if o.n != nil && o.misses(k) {
			c.d.errorf(o.n.pos, "%s needs a port (1 to 65535)", o.path)
		}
		return 0
	}
	p, _ := o.intIn(k, 0, 1, 65535, "")
	return int(p)
}

// ip reads an IPv4 or IPv6 address ("[::1]" accepted for "::1");
// "" or 0.0.0.0 (every IPv4 address) only when allowAny, and "::" (every
// address of both families) is kept as written.
func (c *checker) ip(o *obj, k string, allowAny bool) string {
	s, v := o.str(k, "")
	if v == nil || s == "" {
		if !allowAny && o.n != nil && o.misses(k) {
			c.d.errorf(o.keyPos(k), "%s needs an ip: the IPv4 or IPv6 address of the backend", o.path)
		}
		return ""
	}
	lit := s
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		lit = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(lit)
	switch {
	case err != nil:
		c.d.errorf(v.pos, "%s %q is not an IP address like 192.168.1.10 or 2001:db8::10", o.key(k), s)
	case a.Zone() != "":
		c.d.errorf(v.pos, "%s %q: an address with a zone (%%%s) is not supported", o.key(k), s, a.Zone())
	case allowAny && a.Is4() && a.IsUnspecified():
		return ""
	default:
		return a.Unmap().String()
	}
	return ""
}

// sslRole says whose ssl an object is.
type sslRole int

const (
	sslListen  sslRole = iota // a listen's: certificate, key and policy
	sslWebsite                // a website's own certificate and key (SNI)
	sslBackend                // towards the backends: the certificate only
)

// ssl decodes a certificate and key pair. A listen or a website needs
// both; towards backends only the certificate is required.
func (c *checker) ssl(n *node, path string, role sslRole) *SSL {
	needKey := role != sslBackend
	if n == nil {
		return nil
	}
	o := c.open(n, "ssl", path)
	if o.n == nil {
		return nil
	}
	s := &SSL{Pos: n.pos}
	c.scalars(o, s)
	if v, vv := o.str("min_version", ""); vv != nil {
		switch {
		case role != sslListen:
			c.d.errorf(vv.pos, "%s.min_version applies to a listen's ssl only", path)
		case v == "1.2" || v == "1.3":
			s.MinVersion = v
		default:
			c.d.errorf(vv.pos, "%s.min_version %q: use \"1.2\" (TLS 1.2 and 1.3, the default) or \"1.3\" (TLS 1.3 only)", path, v)
		}
	}
	if an := o.sub("acme"); an != nil {
		if role != sslListen {
			c.d.errorf(an.pos, "%s.acme applies to a listen's ssl only", path)
		} else {
			if o.has("certificate_file") || o.has("certificate_key_file") {
				c.d.errorf(an.pos, "%s has both acme and certificate_file: the certificates come from the CA, remove certificate_file and certificate_key_file", path)
			}
			if s.ACME = c.acme(an, path+".acme"); s.ACME == nil {
				return nil // reported
			}
			return s
		}
	}
	cert, cv := o.str("certificate_file", "")
	key, kv := o.str("certificate_key_file", "")
	if cert == "" {
		if !o.misses("certificate_file") {
			return nil // it may be in an !include that could not be read
		}
		if key != "" {
			c.d.errorf(kv.pos, "%s.certificate_key_file is set but certificate_file is not", path)
		} else if cv == nil {
			c.d.errorf(n.pos, "%s needs certificate_file (remove ssl for plain HTTP)", path)
		} else {
			c.d.warnf(cv.pos, "%s.certificate_file is empty, so TLS is off", path)
		}
		return nil
	}
	s.CertificateFile = c.path(cv, path+".certificate_file", cert)
	c.checkFile(cv, path+".certificate_file", s.CertificateFile)
	if key == "" {
		if needKey && o.misses("certificate_key_file") {
			c.d.errorf(o.keyPos("certificate_key_file"), "%s.certificate_key_file is required when certificate_file is set", path)
		}
	} else {
		s.CertificateKeyFile = c.path(kv, path+".certificate_key_file", key)
		c.checkFile(kv, path+".certificate_key_file", s.CertificateKeyFile)
	}
	return s
}

// websites decodes the websites of one listen and reports duplicate
// domains (Host matching is case-insensitive).
func (c *checker) websites(elems []*node, sec, path, label string) []*Website {
	var out []*Website
	seen := map[string]Pos{}
	for _, e := range elems {
		w, at := c.website(e, sec, path)
		if w == nil {
			continue
		}
		key := strings.ToLower(w.Domain)
		if f, dup := seen[key]; dup {
			if w.Domain == "" {
				c.d.errorf(at, "default website (domain \"\") declared twice in listen %s (first at %s)", label, f.short(at))
			} else {
				c.d.errorf(at, "website %q declared twice in listen %s (first at %s)", w.Domain, label, f.short(at))
			}
		} else {
			seen[key] = at
		}
		out = append(out, w)
	}
	return out
}

// checkHTTP2: http2 chooses what ALPN offers, so it belongs to a listen
// with ssl; h2c is HTTP/2 without TLS, so it belongs to one without.
func (c *checker) checkHTTP2(l *Listen, set map[string]*node) {
	if v := set["http2"]; v != nil && l.SSL == nil {
		c.d.errorf(v.pos, "listen.http2 applies to a listen with ssl (HTTP/2 is offered by ALPN there); on a plain listen, \"h2c\" : 1 takes HTTP/2 with prior knowledge")
	}
	if v := set["h2c"]; v != nil && l.H2C && l.SSL != nil {
		c.d.errorf(v.pos, "listen.h2c applies to a listen without ssl; with ssl, HTTP/2 is offered by ALPN (\"http2\", on by default)")
	}
}
