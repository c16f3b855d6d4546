package compiler

import "strings"

// Header is one response header field a website or location adds to its
// answers (nginx add_header … always). An empty Value in a location drops
// the field its website adds.
type Header struct {
	Name  string
	Value string
	Pos   Pos
}

// CacheRule gives Cache-Control for the files it names: extensions
// (without the dot), media types ("image/svg+xml") or "*", every other file.
type CacheRule struct {
	Exts  []string
	Types []string
	Any   bool // "*"
	Value string
	Pos   Pos
}

// serverFields are written by the server itself: a configured value would
// contradict the framing or the file's own description.
var serverFields = map[string]bool{
	"connection": true, "content-length": true, "transfer-encoding": true, "date": true,
	"server": true, "content-type": true, "content-encoding": true, "content-range": true,
	"etag": true, "last-modified": true, "location": true, "accept-ranges": true,
	"keep-alive": true, "upgrade": true, "trailer": true, "vary": true,
	"www-authenticate": true, "retry-after": true,
}

// headers reads "headers" : { "Name" : "value", … }.
func (c *checker) headers(o *obj) []Header {
	n := o.sub("headers")
	if n == nil {
		return nil
	}
	key := o.key("headers")
	if n.kind != nObject {
		c.d.errorf(n.pos, "%s must be an object of header fields, like { \"X-Frame-Options\" : \"DENY\" }, not %s", key, n.kindName())
		return nil
	}
	var out []Header
	seen := map[string]Pos{}
	for _, m := range n.members {
		k := key + "." + m.key
		switch {
		case !isToken(m.key):
			c.d.errorf(m.keyPos, "%s: %q is not a header field name (letters, digits and !#$%%&'*+-.^_`|~)", key, m.key)
			continue
		case serverFields[strings.ToLower(m.key)]:
			c.d.errorf(m.keyPos, "%s: the server writes %s itself; remove it from headers", key, m.key)
			continue
		}
		if f, dup := seen[strings.ToLower(m.key)]; dup {
			c.d.errorf(m.keyPos, "%s is set twice (first at %s): remove one", k, f.short(m.keyPos))
			continue
		}
		seen[strings.ToLower(m.key)] = m.keyPos
		v := m.value
		if v == nil || v.kind == nObject || v.kind == nArray {
			c.d.errorf(m.keyPos, "%s must be a string", k)
			continue
		}
		if !c.fieldValue(v, k) {
			continue
		}
		out = append(out, Header{Name: m.key, Value: v.text, Pos: m.keyPos})
	}
	return out
}

// fieldValue reports whether v can be sent as a header field value, and
// reports it when not.
func (c *checker) fieldValue(v *node, key string) bool {
	for i := 0; i < len(v.text); i++ {
		if b := v.text[i]; b < ' ' && b != '\t' || b == 0x7f {
			c.d.errorf(v.posIn(i), "%s holds a control character, which a header field cannot carry", key)
			return false
		}
	}
	if strings.TrimSpace(v.text) != v.text {
		c.d.errorf(v.pos, "%s %q starts or ends with white space", key, v.text)
		return false
	}
	return true
}

// isToken reports whether s is an HTTP token (RFC 9110 §5.6.2).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0 {
			continue
		}
		return false
	}
	return true
}

// cache reads "cache" : { "html" : "no-cache", "css js" : "max-age=…", … }:
// each key is a space-separated list of extensions, media types or "*".
func (c *checker) cache(o *obj, hdrs []Header) []CacheRule {
	n := o.sub("cache")
	if n == nil {
		return nil
	}
	key := o.key("cache")
	if n.kind != nObject {
		c.d.errorf(n.pos, "%s must be an object, like { \"html\" : \"no-cache\", \"css js\" : \"max-age=31536000, immutable\" }, not %s", key, n.kindName())
		return nil
	}
	for _, h := range hdrs {
		if strings.EqualFold(h.Name, "Cache-Control") {
			c.d.errorf(h.Pos, "%s.%s and %s both set Cache-Control: write it in cache, under \"*\" for every file", o.key("headers"), h.Name, key)
		}
	}
	var out []CacheRule
	seen := map[string]Pos{}
	for _, m := range n.members {
		r := CacheRule{Pos: m.keyPos}
		k := key + "." + m.key
		off := 0
		for _, name := range strings.Split(m.key, " ") {
			p := m.keyPos
			p.Col += 1 + off
			off += len(name) + 1
			switch {
			case name == "":
				continue
			case name == "*":
				r.Any = true
			case strings.HasPrefix(name, "."):
				c.d.errorf(p, "%s: write the extension %q without its dot, like %q", key, name, name[1:])
				continue
			case strings.Count(name, "/") == 1 && isToken(strings.Replace(name, "/", "", 1)):
				r.Types = append(r.Types, strings.ToLower(name))
			case isToken(name) && !strings.Contains(name, "/"):
				r.Exts = append(r.Exts, name)
			default:
				c.d.errorf(p, "%s: %q is neither a file extension, a media type like \"text/html\", nor \"*\"", key, name)
				continue
			}
			lk := name // extensions are case-sensitive, as the MIME table
			if strings.Contains(name, "/") {
				lk = strings.ToLower(name)
			}
			if f, dup := seen[lk]; dup {
				c.d.errorf(p, "%s: %q is named twice (first at %s): one rule per file type", key, name, f.short(p))
				continue
			}
			seen[lk] = p
		}
		v := m.value
		if v == nil || v.kind == nObject || v.kind == nArray || v.text == "" {
			c.d.errorf(m.keyPos, "%s must be a Cache-Control value, like \"no-cache\" or \"max-age=3600\"", k)
			continue
		}
		if !c.fieldValue(v, k) {
			continue
		}
		r.Value = v.text
		if len(r.Exts)+len(r.Types) > 0 || r.Any {
			out = append(out, r)
		}
	}
	return out
}

// MergeHeaders is what a location adds: the website's fields with the
// location's replacing those of the same name (case-insensitive) and an
// empty value dropping one; the website's order first, then the
// location's new fields.
func MergeHeaders(site, loc []Header) []Header {
	var out []Header
	over := map[string]Header{}
	for _, h := range loc {
		over[strings.ToLower(h.Name)] = h
	}
	for _, h := range site {
		if o, ok := over[strings.ToLower(h.Name)]; ok {
			h = o
			delete(over, strings.ToLower(h.Name))
		}
		if h.Value != "" {
			out = append(out, h)
		}
	}
	for _, h := range loc {
		if o, ok := over[strings.ToLower(h.Name)]; ok && o.Value != "" {
			out = append(out, o)
		}
	}
	return out
}

// MergeCache is a location's cache rules: its own first, then the
// website's for the files its own do not name.
func MergeCache(site, loc []CacheRule) []CacheRule {
	if len(loc) == 0 {
		return site
	}
	named := map[string]bool{}
	anyRule := false
	for _, r := range loc {
		for _, e := range r.Exts {
			named["."+e] = true
		}
		for _, t := range r.Types {
			named[t] = true
		}
		anyRule = anyRule || r.Any
	}
	out := append([]CacheRule(nil), loc...)
	for _, r := range site {
		k := CacheRule{Value: r.Value, Pos: r.Pos, Any: r.Any && !anyRule}
		for _, e := range r.Exts {
			if !named["."+e] {
				k.Exts = append(k.Exts, e)
			}
		}
		for _, t := range r.Types {
			if !named[t] {
				k.Types = append(k.Types, t)
			}
		}
		if len(k.Exts)+len(k.Types) > 0 || k.Any {
			out = append(out, k)
		}
	}
	return out
}

// headersObj and cacheObj print the keys back.
func headersObj(hs []Header) pobj {
	o := pobj{}
	for _, h := range hs {
		o = append(o, pm{h.Name, h.Value})
	}
	return o
}

func cacheObj(rs []CacheRule) pobj {
	o := pobj{}
	for _, r := range rs {
		names := append(append([]string(nil), r.Exts...), r.Types...)
		if r.Any {
			names = append(names, "*")
		}
		o = append(o, pm{strings.Join(names, " "), r.Value})
	}
	return o
}
