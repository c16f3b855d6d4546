package compiler

import (
	"fmt"
	gotoken "go/token"
	"strings"
)

// siteForward reads a website's forward, or for a 2016 server the older
// spelling with forward_type, forward_rule and forward_servers directly in
// the server.
func (c *checker) siteForward(o *obj) *Forward {
	legacy := o.sec == "server" && (o.has("forward_type") || o.has("forward_rule") || o.has("forward_servers"))
	if legacy {
		if o.has("forward") {
			c.d.errorf(o.keyPos("forward"), "%s has forward and also forward_type/forward_rule/forward_servers directly: move them into forward", o.path)
		}
		return c.forward(o, o.path)
	}
	return c.forward(c.open(o.sub("forward"), "forward", o.key("forward")), o.key("forward"))
}

var forwardRules = []string{"R", "L"}

// forward reads forward_type, forward_rule, ssl and the backends from fo.
// An empty forward_rule turns forwarding off, as in hetao.
func (c *checker) forward(fo *obj, path string) *Forward {
	if fo.n == nil {
		return nil
	}
	f := &Forward{Pos: fo.n.pos}
	if fo.sec == "forward" { // not the v0.2 keys read from a 2016 server
		c.scalars(fo, f)
	}
	typ, tv := fo.str("forward_type", "")
	rule, rv := fo.str("forward_rule", "")
	if tv != nil {
		c.checkExt(tv, fo.key("forward_type"), typ)
	}
	// Backends are listed in forward itself or in its forward_servers
	// object; each is named by the path it was written at.
	servers := fo.list("forward_server")
	paths := make([]string, len(servers), len(servers)+4)
	for i := range paths {
		paths[i] = fo.key("forward_server")
	}
	serversMissed := fo.misses("forward_server")
	if fs := fo.sub("forward_servers"); fs != nil {
		so := c.open(fs, "forward_servers", fo.key("forward_servers"))
		for _, e := range so.list("forward_server") {
			servers, paths = append(servers, e), append(paths, so.key("forward_server"))
		}
		serversMissed = serversMissed && so.misses("forward_server")
	}
	if rule == "" {
		if (len(servers) > 0 || typ != "") && fo.misses("forward_rule") {
			c.d.warnf(fo.keyPos("forward_rule"), "%s has no forward_rule, so nothing is forwarded: set forward_rule to \"R\" (round robin) or \"L\" (least connections)", path)
		}
		return nil
	}
	if rule != "R" && rule != "L" {
		msg := fmt.Sprintf("%s %q is not R (round robin) or L (least connections)", fo.key("forward_rule"), rule)
		if g := suggestWord(rule, forwardRules); g != "" {
			msg += fmt.Sprintf(": did you mean %q?", g)
		}
		c.d.errorf(rv.pos, "%s", msg)
	}
	f.Type, f.Rule = typ, rule
	f.SSL = c.ssl(fo.sub("ssl"), fo.key("ssl"), sslBackend)
	if len(servers) == 0 && serversMissed {
		c.d.errorf(fo.keyPos("forward_rule"), "%s needs at least one forward_server { \"ip\": ..., \"port\": ... }", path)
	}
	seen := map[string]Pos{}
	for i, e := range servers {
		so := c.open(e, "forward_server", paths[i])
		if so.n == nil {
			continue
		}
		s := ForwardServer{Pos: e.pos}
		c.scalars(so, &s)
		s.IP = c.ip(so, "ip", false)
		s.Port = c.port(so, "port")
		if s.IP != "" && s.Port != 0 {
			addr := listenLabel(s.IP, fmt.Sprint(s.Port))
			if first, dup := seen[addr]; dup {
				c.d.errorf(e.pos, "forward_server %s declared twice (first at %s)", addr, first.short(e.pos))
			}
			seen[addr] = e.pos
		}
		f.Servers = append(f.Servers, s)
	}
	return f
}

// checkExt checks a forward_type or app type: one extension, no dot.
func (c *checker) checkExt(v *node, key, ext string) {
	switch {
	case strings.HasPrefix(ext, ".") && !strings.ContainsAny(ext[1:], "./\\"):
		c.d.errorf(v.pos, "%s %q: write the extension without the dot: %q", key, ext, ext[1:])
	case strings.ContainsAny(ext, "./\\ ,"):
		c.d.errorf(v.pos, "%s %q must be one file extension, like \"php\" (no dot, slash or list)", key, ext)
	case !printableExt(ext):
		c.d.errorf(v.pos, "%s %q must be one file extension, like \"php\" (no space or control character)", key, ext)
	}
}

// printableExt reports whether ext is made of visible characters only: an
// extension never holds white space, a control character or a format
// character such as U+FEFF (which would also break the generated Go).
func printableExt(ext string) bool { return strings.IndexFunc(ext, invisible) < 0 }

// app reads a compiled-in application handler.
func (c *checker) app(n *node, path string) *App {
	if n == nil {
		return nil
	}
	o := c.open(n, "app", path)
	if o.n == nil {
		return nil
	}
	a := &App{Pos: n.pos}
	c.scalars(o, a)
	var v *node
	if a.Type, v = o.str("type", ""); v != nil {
		c.checkExt(v, o.key("type"), a.Type)
	}
	a.Package, v = o.str("package", "")
	switch {
	case a.Package == "" && !o.misses("package"):
	case a.Package == "":
		c.d.errorf(o.keyPos("package"), "%s needs package: the Go import path of the handler, like \"example.com/shop/api\"", path)
	default:
		if why := checkImportPath(a.Package); why != "" {
			c.d.errorf(v.pos, "%s %q is not a valid Go import path: %s", o.key("package"), a.Package, why)
		}
	}
	if s, dv := o.str("dir", ""); s != "" {
		a.Dir = c.path(dv, o.key("dir"), s)
		c.checkDir(dv, o.key("dir"), a.Dir)
	} else if o.misses("dir") {
		c.d.errorf(o.keyPos("dir"), "%s needs dir: the root of the module that holds its package (a checkout, or its copy in the module cache); hetaoc builds offline, from source on this machine", path)
	}
	a.Handler, v = o.str("handler", "Serve")
	switch {
	case !gotoken.IsIdentifier(a.Handler):
		c.d.errorf(v.pos, "%s %q is not a Go identifier", o.key("handler"), a.Handler)
	case !gotoken.IsExported(a.Handler):
		c.d.errorf(v.pos, "%s %q is not exported: Go handlers start with an upper-case letter, like %q", o.key("handler"), a.Handler, strings.ToUpper(a.Handler[:1])+a.Handler[1:])
	}
	c.checkAppSource(o, a)
	return a
}

// checkAppForward warns when an app can never run because forward takes
// the same requests first.
func (c *checker) checkAppForward(a *App, f *Forward) {
	if a != nil && f != nil && a.Type == f.Type {
		c.d.warnf(a.Pos, "app type %q is also the forward_type, and forward is tried first: the app never runs", a.Type)
	}
}

// checkImportPath returns why p is not a valid import path, or "".
func checkImportPath(p string) string {
	if strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") {
		return "it must not start or end with /"
	}
	for _, e := range strings.Split(p, "/") {
		switch {
		case e == "":
			return "it has an empty element (//)"
		case e == "." || e == "..":
			return "it has a . or .. element"
		case e[0] == '.' || e[len(e)-1] == '.':
			return fmt.Sprintf("element %q starts or ends with a dot", e)
		}
		for _, r := range e {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~+", r)) {
				return fmt.Sprintf("%q is not allowed in an import path", r)
			}
		}
	}
	return ""
}
