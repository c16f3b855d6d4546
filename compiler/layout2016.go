package compiler

import (
	"strconv"
	"strings"
)

// layout2016 decodes the 2016 layout (hetao v0.1 to v0.3): one listen
// object whose "port" may list several ports ("9527,9528"), the sites in a
// top-level "server" and "servers": { "server" ... }, and an optional
// top-level ssl for every port. Every site is served on every port: the
// result is one Listen per port, all sharing the same websites (one
// website each, with its handler, root and file cache, on every port).
func (c *checker) layout2016(o *obj) []*Listen {
	elems := o.list("listen")
	if len(elems) == 0 && o.misses("listen") {
		c.d.errorf(o.n.pos, "no listen: add \"listen\": { \"ip\": \"\", \"port\": \"80\" }")
	}
	for _, e := range elems[min(1, len(elems)):] {
		c.d.errorf(e.pos, "the 2016 layout (top-level server/servers) has one listen; list several ports in it, like \"port\": \"9527,9528\"")
	}
	var lo *obj
	if len(elems) > 0 {
		lo = c.open(stripMixed(c, elems[0]), "listen(2016)", "listen")
	} else {
		lo = c.open(nil, "listen(2016)", "listen")
	}
	ip := c.ip(lo, "ip", true)
	ports := c.ports2016(lo)
	ssl := c.ssl(o.sub("ssl"), "ssl", sslListen)

	var sites []*node
	var secs []string
	if n := o.sub("server"); n != nil {
		sites, secs = append(sites, n), append(secs, "server")
	}
	missed := o.misses("server")
	if n := o.sub("servers"); n != nil {
		so := c.open(n, "servers", "servers")
		for _, s := range so.list("server") {
			sites, secs = append(sites, s), append(secs, "servers.server")
		}
		missed = missed && so.misses("server")
	}
	var pl []string
	for _, p := range ports {
		pl = append(pl, strconv.Itoa(p))
	}
	label := listenLabel(ip, strings.Join(pl, ","))
	if len(sites) == 0 && missed {
		c.d.errorf(o.n.pos, "no website: the 2016 layout needs \"server\": { \"wwwroot\": ... } or \"servers\": { \"server\": { ... } }")
	}
	var websites []*Website
	seen := map[string]Pos{}
	for i, n := range sites {
		w, at := c.website(n, "server", secs[i])
		if w == nil {
			continue
		}
		key := strings.ToLower(w.Domain)
		if f, dup := seen[key]; dup {
			what := "website " + strconv.Quote(w.Domain)
			if w.Domain == "" {
				what = "default website (domain \"\")"
			}
			c.d.errorf(at, "%s declared twice in listen %s (first at %s)", what, label, f.short(at))
		} else {
			seen[key] = at
		}
		websites = append(websites, w)
	}
	var out []*Listen
	for _, p := range ports {
		out = append(out, &Listen{IP: ip, Port: p, SSL: ssl, HTTP2: true, Pos: lo.keyPos("port"), Websites: websites})
	}
	return out
}

// stripMixed reports websites written inside a 2016 listen and returns the
// listen without them.
func stripMixed(c *checker, n *node) *node {
	if n.kind != nObject {
		return n
	}
	cp := *n
	cp.members = nil
	for _, m := range n.members {
		if m.key == "website" || m.key == "server" {
			c.d.errorf(m.keyPos, "listen.%s cannot be used with a top-level server/servers: use one layout (sites in listen.website, or in server/servers)", m.key)
			continue
		}
		cp.members = append(cp.members, m)
	}
	return &cp
}

// ports2016 reads "port": 80 or "port": "9527,9528".
func (c *checker) ports2016(lo *obj) []int {
	if lo.n == nil {
		return nil
	}
	v := lo.value("port")
	if v == nil {
		if !lo.misses("port") {
			return nil
		}
		c.d.errorf(lo.n.pos, "listen needs a port, like \"port\": \"80\" or \"port\": \"9527,9528\"")
		return nil
	}
	var out []int
	seen := map[int]bool{}
	off := 0
	for _, f := range strings.Split(v.text, ",") {
		pos := v.posIn(off + len(f) - len(strings.TrimLeft(f, " ")))
		off += len(f) + 1
		s := strings.TrimSpace(f)
		p, err := strconv.Atoi(s)
		switch {
		case err != nil:
			c.d.errorf(pos, "listen.port %q is not a port number", s)
		case p < 1 || p > 65535:
			c.d.errorf(pos, "listen.port %d is not between 1 and 65535", p)
		case seen[p]:
			c.d.errorf(pos, "listen.port %d is listed twice in %q", p, v.text)
		default:
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}
