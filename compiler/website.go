package compiler

import (
	"strings"
	"unicode"
)

// website decodes one website (or a 2016 server) and returns it with the
// position duplicates are reported at: its domain, or its {.
func (c *checker) website(n *node, sec, path string) (*Website, Pos) {
	o := c.open(n, sec, path)
	if o.n == nil {
		return nil, n.pos
	}
	w := &Website{Pos: n.pos}
	c.scalars(o, w)
	at := n.pos
	var dv *node
	w.Domain, dv = o.str("domain", "")
	if dv != nil {
		at = dv.pos
		c.checkDomain(dv, path+".domain", w.Domain)
	}
	root, rv := o.str("wwwroot", "")
	if root == "" && o.misses("wwwroot") {
		c.d.errorf(o.keyPos("wwwroot"), "%s needs a wwwroot: the directory its files are served from", path)
	} else {
		w.Wwwroot = c.path(rv, path+".wwwroot", root)
		c.checkDir(rv, path+".wwwroot", w.Wwwroot)
	}
	w.Index = c.index(o)
	w.SSL = c.ssl(o.sub("ssl"), path+".ssl", sslWebsite)
	w.Rewrites = c.rewrites(o)
	w.Redirects = c.redirects(o)
	w.Forward = c.siteForward(o)
	w.App = c.app(o.sub("app"), path+".app")
	c.checkAppForward(w.App, w.Forward)
	w.Locations = c.locations(o)
	w.Policy = c.policy(o)
	return w, at
}

func (c *checker) checkDomain(v *node, key, d string) {
	switch {
	case strings.Contains(d, "://"):
		c.d.errorf(v.pos, "%s %q is a URL; write only the host, like %q", key, d, strings.SplitN(strings.SplitN(d, "://", 2)[1], "/", 2)[0])
	case strings.ContainsAny(d, "/ \t") || strings.IndexFunc(d, invisible) >= 0:
		c.d.errorf(v.pos, "%s %q is not a host name: it is compared with the Host header, like \"www.example.com\" or \"example.com:8080\"", key, d)
	}
}

// invisible reports white space, control and format characters: none
// belongs in a host name or in a header the site writes.
func invisible(r rune) bool { return unicode.IsSpace(r) || !unicode.IsGraphic(r) }

// index reads the comma-separated list of index files.
func (c *checker) index(o *obj) []string {
	s, v := o.str("index", "")
	if v == nil || s == "" {
		return nil
	}
	var out []string
	off := 0
	for _, e := range strings.Split(s, ",") {
		pos := v.posIn(off)
		off += len(e) + 1
		switch {
		case e == "":
			c.d.errorf(pos, "%s: empty entry in %q", o.key("index"), s)
		case !strings.HasPrefix(e, "/"):
			c.d.errorf(pos, "%s entry %q must start with \"/\", like \"/index.html\"", o.key("index"), e)
		case strings.Contains(e, ".."):
			c.d.errorf(pos, "%s entry %q must not contain \"..\"", o.key("index"), e)
		default:
			out = append(out, e)
		}
	}
	return out
}

// rewrites reads the rewrite rules of a website or location.
func (c *checker) rewrites(o *obj) []Rewrite {
	var out []Rewrite
	for _, e := range o.list("rewrite") {
		ro := c.open(e, "rewrite", o.key("rewrite"))
		if ro.n == nil {
			continue
		}
		r := Rewrite{Pos: e.pos}
		c.scalars(ro, &r)
		pat, pv := ro.str("pattern", "")
		key := "new_uri"
		var names []string
		for _, k := range []string{"new_uri", "new_url", "template"} {
			if ro.has(k) {
				names = append(names, k)
			}
		}
		if len(names) > 1 {
			c.d.errorf(ro.keyPos(names[1]), "%s has both %s and %s (older names of new_uri): keep new_uri", ro.path, names[0], names[1])
		}
		if len(names) > 0 {
			key = names[0]
		}
		uri, uv := ro.str(key, "")
		if pat == "" && ro.misses("pattern") {
			c.d.errorf(ro.keyPos("pattern"), "%s needs a pattern: a regular expression matched against the URI", ro.path)
		}
		if uri == "" && ro.misses("new_uri") {
			c.d.errorf(ro.keyPos(key), "%s needs new_uri: the URI to use, with (1) or $1 for groups of the pattern", ro.path)
		}
		if uv != nil && uri != "" && !strings.HasPrefix(uri, "/") && !startsWithGroup(uri) {
			c.d.errorf(uv.pos, "%s %q must start with \"/\" (or with a group that does): the site answers 400 to a new URI without one", ro.key(key), uri)
		}
		if pat != "" {
			if re := c.regex(pv, ro.key("pattern"), pat); re != nil && uv != nil {
				c.checkPlaceholders(uv, ro.key(key), uri, pat, re.NumSubexp())
			}
		}
		r.Pattern, r.NewURI = pat, uri
		out = append(out, r)
	}
	return out
}

// startsWithGroup reports whether uri starts with a placeholder, (n) or $n.
func startsWithGroup(uri string) bool {
	digits := strings.TrimLeft(uri[1:], "0123456789")
	n := len(uri) - 1 - len(digits)
	return n > 0 && (uri[0] == '$' || uri[0] == '(' && strings.HasPrefix(digits, ")"))
}

var redirectCodes = map[int64]bool{301: true, 302: true, 303: true, 307: true, 308: true}

// redirects reads the redirects of a website or location; one per domain.
func (c *checker) redirects(o *obj) []Redirect {
	var out []Redirect
	seen := map[string]Pos{}
	for _, e := range o.list("redirect") {
		ro := c.open(e, "redirect", o.key("redirect"))
		if ro.n == nil {
			continue
		}
		r := Redirect{Pos: e.pos}
		c.scalars(ro, &r)
		var dv *node
		r.Domain, dv = ro.str("domain", "")
		at := e.pos
		if dv != nil {
			at = dv.pos
			c.checkDomain(dv, ro.key("domain"), r.Domain)
		}
		var nv *node
		r.NewDomain, nv = ro.str("new_domain", "")
		if r.NewDomain == "" && ro.misses("new_domain") {
			c.d.errorf(ro.keyPos("new_domain"), "%s needs new_domain: where to send the client", ro.path)
		}
		if i := strings.IndexFunc(r.NewDomain, invisible); i >= 0 {
			c.d.errorf(nv.posIn(i), "%s %q holds white space or a control character, which the Location header cannot carry: percent-encode it", ro.key("new_domain"), r.NewDomain)
		}
		code, cv := ro.int("code", 301)
		if cv != nil && !redirectCodes[code] {
			c.d.errorf(cv.pos, "%s is %d; it must be 301, 302, 303, 307 or 308", ro.key("code"), code)
			code = 301
		}
		r.Code = int(code)
		key := strings.ToLower(r.Domain)
		if f, dup := seen[key]; dup {
			c.d.errorf(at, "redirect for domain %q declared twice (first at %s): only the first would be used", r.Domain, f.short(at))
		} else {
			seen[key] = at
		}
		out = append(out, r)
	}
	return out
}

// locations reads the locations of a website.
func (c *checker) locations(o *obj) []*Location {
	var out []*Location
	seen := map[string]Pos{}
	for _, e := range o.list("location") {
		lo := c.open(e, "location", o.key("location"))
		if lo.n == nil {
			continue
		}
		l := &Location{Pos: e.pos}
		c.scalars(lo, l)
		var v *node
		for _, m := range []LocationMatch{MatchPrefix, MatchExact, MatchRegex} {
			if !lo.has(string(m)) {
				continue
			}
			if l.Match != "" {
				c.d.errorf(lo.keyPos(string(m)), "%s has both %s and %s: a location matches in exactly one way", lo.path, l.Match, m)
				continue
			}
			l.Match = m
			l.URI, v = lo.str(string(m), "")
		}
		switch {
		case l.Match == "":
			if !lo.misses("prefix") {
				break // the match may be in an !include that could not be read
			}
			c.d.errorf(e.pos, "%s needs one of prefix, exact or regex, like \"prefix\": \"/api/\"", lo.path)
		case v == nil || l.URI == "":
			c.d.errorf(lo.keyPos(string(l.Match)), "%s.%s is empty", lo.path, l.Match)
		case l.Match == MatchRegex:
			c.regex(v, lo.key("regex"), l.URI)
		case !strings.HasPrefix(l.URI, "/"):
			c.d.errorf(v.pos, "%s.%s %q must start with \"/\"", lo.path, l.Match, l.URI)
		}
		if v != nil && l.URI != "" {
			key := string(l.Match) + " " + l.URI
			if f, dup := seen[key]; dup {
				c.d.errorf(v.pos, "location %s %q declared twice (first at %s)", l.Match, l.URI, f.short(v.pos))
			} else {
				seen[key] = v.pos
			}
		}
		if s, rv := lo.str("wwwroot", ""); s != "" {
			l.Wwwroot = c.path(rv, lo.key("wwwroot"), s)
			c.checkDir(rv, lo.key("wwwroot"), l.Wwwroot)
		}
		l.Index = c.index(lo)
		l.Rewrites = c.rewrites(lo)
		l.Redirects = c.redirects(lo)
		l.Forward = c.forward(c.open(lo.sub("forward"), "forward", lo.key("forward")), lo.key("forward"))
		l.App = c.app(lo.sub("app"), lo.key("app"))
		c.checkAppForward(l.App, l.Forward)
		l.Policy = c.policy(lo)
		out = append(out, l)
	}
	return out
}
