package compiler

import (
	"fmt"
	"strconv"
	"strings"
)

// obj reads the members of one object of section sec against its schema.
// Opening it reports unknown keys and scalar keys given twice; the getters
// then report values of the wrong type. Every getter returns the node the
// value came from (nil when the key is absent) for later messages.
type obj struct {
	c     *checker
	n     *node
	sec   string // schema section, e.g. "website"
	path  string // dotted path for messages, e.g. "listen.website"
	first map[string]*member
	kinds map[string]keyKind
	// misspelt holds the keys an unknown key was taken for, so that a
	// "needs wwwroot" does not repeat "did you mean wwwroot?".
	misspelt map[string]bool
}

// open checks that n is an object and that its keys belong to sec.
func (c *checker) open(n *node, sec, path string) *obj {
	o := &obj{c: c, n: n, sec: sec, path: path, first: map[string]*member{}, kinds: map[string]keyKind{}, misspelt: map[string]bool{}}
	if n == nil {
		return o
	}
	if n.kind != nObject {
		c.d.errorf(n.pos, "%s must be an object { ... }, not %s", path, n.kindName())
		o.n = nil
		return o
	}
	var valid []string
	for _, k := range sectionKeys(sec) {
		o.kinds[k.name] = k.shape
		valid = append(valid, k.name)
	}
	for _, m := range n.members {
		kind, ok := o.kinds[m.key]
		if !ok {
			if sec == "error_pages" && c.errorPageKey(m) {
				continue
			}
			if s := c.unknownKey(m, sec, path, valid); s != "" {
				o.misspelt[s] = true
			}
			continue
		}
		if f, dup := o.first[m.key]; dup && kind != kList {
			c.d.errorf(m.keyPos, "%s is set twice (first at %s): remove one", o.key(m.key), f.keyPos.short(m.keyPos))
			continue
		}
		if _, dup := o.first[m.key]; !dup {
			o.first[m.key] = m
		}
	}
	return o
}

// unknownKey reports m and returns the key it suggested, if any.
func (c *checker) unknownKey(m *member, sec, path string, valid []string) string {
	where := path
	if where == "" {
		where = "the top level"
	}
	if sec == "error_pages" {
		c.d.errorf(m.keyPos, "unknown key %q in error_pages: error page keys are error_page_NNN with a 3-digit status, like error_page_404", m.key)
		return ""
	}
	if s := suggest(m.key, valid); s != "" {
		c.d.errorf(m.keyPos, "unknown key %q in %s: did you mean %q?", m.key, where, s)
		return s
	}
	if homes := keyHome[m.key]; len(homes) > 0 {
		for i, h := range homes {
			if h == "" {
				homes[i] = "the top level"
			}
		}
		c.d.errorf(m.keyPos, "key %q does not belong in %s: it goes in %s", m.key, where, strings.Join(homes, " or "))
		return ""
	}
	c.d.errorf(m.keyPos, "unknown key %q in %s", m.key, where)
	return ""
}

// misses reports whether required key k, found absent or empty, should be
// reported as missing: no misspelling of it was reported already, and no
// !include that could not be read stood in the object (it may have held k).
func (o *obj) misses(k string) bool {
	return !o.misspelt[k] && (o.n == nil || !o.n.incomplete)
}

func (o *obj) key(k string) string {
	if o.path == "" {
		return k
	}
	return o.path + "." + k
}

// value returns the value of scalar key k, or nil. null counts as absent.
func (o *obj) value(k string) *node {
	m := o.first[k]
	if m == nil || m.value == nil {
		return nil
	}
	if m.value.kind == nBare && m.value.text == "null" {
		return nil
	}
	if m.value.kind == nObject || m.value.kind == nArray {
		o.c.d.errorf(m.value.pos, "%s must be a single value, not %s", o.key(k), m.value.kindName())
		return nil
	}
	return m.value
}

// str returns string key k, or def.
func (o *obj) str(k, def string) (string, *node) {
	v := o.value(k)
	if v == nil {
		return def, nil
	}
	return v.text, v
}

// int returns integer key k, or def. "80" and 80 are accepted; "80abc",
// 1.5 and true are errors.
func (o *obj) int(k string, def int64) (int64, *node) {
	v := o.value(k)
	if v == nil {
		return def, nil
	}
	n, err := strconv.ParseInt(v.text, 10, 64)
	if err != nil {
		what := strconv.Quote(v.text)
		if v.kind == nBare {
			what = v.text
		}
		hint := ""
		if strings.ContainsAny(v.text, ".eE") && leadingInt(v.text) != "" {
			hint = " (write it as a whole number, without a fraction or an exponent)"
		} else if p := leadingInt(v.text); p != "" && p != v.text {
			hint = fmt.Sprintf(" (hetao would have read %s; write %s)", p, p)
		}
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			o.c.d.errorf(v.pos, "%s: %s is out of range", o.key(k), what)
		} else {
			o.c.d.errorf(v.pos, "%s must be an integer, not %s%s", o.key(k), what, hint)
		}
		return def, nil
	}
	return n, v
}

func leadingInt(s string) string {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i {
		return ""
	}
	return s[:j]
}

// noMax is the hi of intIn for keys without an upper bound.
const noMax = 1 << 62

// intIn returns integer key k checked against lo..hi.
func (o *obj) intIn(k string, def, lo, hi int64, why string) (int64, *node) {
	n, v := o.int(k, def)
	if v == nil {
		return n, v
	}
	if n < lo || n > hi {
		rng := fmt.Sprintf("at least %d", lo)
		switch {
		case hi != noMax:
			rng = fmt.Sprintf("between %d and %d", lo, hi)
		case n > hi:
			rng = fmt.Sprintf("at most %d", hi)
		}
		if why != "" {
			rng += " (" + why + ")"
		}
		o.c.d.errorf(v.pos, "%s is %d; it must be %s", o.key(k), n, rng)
		return def, nil
	}
	return n, v
}

// bool returns boolean key k: 0/1 as hetao writes them, or true/false.
func (o *obj) bool(k string, def bool) (bool, *node) {
	v := o.value(k)
	if v == nil {
		return def, nil
	}
	switch v.text {
	case "1", "true":
		return true, v
	case "0", "false":
		return false, v
	}
	what := strconv.Quote(v.text)
	if v.kind == nBare {
		what = v.text
	}
	o.c.d.errorf(v.pos, "%s must be 0 or 1 (or false/true), not %s", o.key(k), what)
	return def, nil
}

// sub returns object key k (nil when absent).
func (o *obj) sub(k string) *node {
	m := o.first[k]
	if m == nil || m.value == nil || (m.value.kind == nBare && m.value.text == "null") {
		return nil
	}
	return m.value
}

// list returns the elements of list key k in source order: every repeated
// key, with JSON arrays flattened.
func (o *obj) list(k string) []*node {
	if o.n == nil {
		return nil
	}
	var out []*node
	for _, m := range o.n.members {
		if m.key != k || m.value == nil {
			continue
		}
		if m.value.kind == nArray {
			out = append(out, m.value.elems...)
		} else {
			out = append(out, m.value)
		}
	}
	return out
}

// has reports whether key k is present.
func (o *obj) has(k string) bool { return o.first[k] != nil }

// keyPos is where key k is written, or the object's position.
func (o *obj) keyPos(k string) Pos {
	if m := o.first[k]; m != nil {
		return m.keyPos
	}
	if o.n != nil {
		return o.n.pos
	}
	return Pos{}
}
