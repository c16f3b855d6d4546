package compiler

// The parser: recursive descent over the token stream of the main file with
// !include files spliced in. It recovers from the common slips (missing or
// trailing commas, missing colons) so one run reports all of them.

const maxSyntaxErrors = 25

// maxDepth bounds how deep objects and arrays nest. A real configuration
// nests about six deep; the bound keeps a file of a million [ from
// exhausting the stack of the recursive descent.
const maxDepth = 100

type parser struct {
	src    *tokenSource
	d      *diags
	tok    token
	back   []token
	errs   int
	halted bool
	depth  int // objects and arrays open around the current token
}

func (p *parser) next() token {
	if n := len(p.back); n > 0 {
		p.tok = p.back[n-1]
		p.back = p.back[:n-1]
		return p.tok
	}
	p.tok = p.src.next()
	return p.tok
}

func (p *parser) unread(t token) { p.back = append(p.back, t) }

func (p *parser) errorf(pos Pos, format string, args ...any) {
	if p.halted {
		return
	}
	p.errs++
	if p.errs > maxSyntaxErrors {
		p.d.errorf(pos, "too many syntax errors; stopping")
		p.halted = true
		return
	}
	p.d.errorf(pos, format, args...)
}

// parseTop parses the whole configuration: exactly one object.
func (p *parser) parseTop() *node {
	t := p.next()
	lost := false
	for t.kind == tLost {
		t, lost = p.next(), true
	}
	if t.kind == tEOF && lost {
		return nil // the configuration was in the include that failed
	}
	if t.kind == tEOF {
		p.errorf(t.pos, "configuration is empty: it must be one object { ... }")
		return nil
	}
	if t.kind != tLBrace {
		p.errorf(t.pos, "configuration must start with {, found %s", describe(t))
		return nil
	}
	root := p.parseObject(t)
	for !p.halted {
		t := p.next()
		if t.kind == tEOF {
			break
		}
		if t.kind == tBad || t.kind == tLost {
			continue
		}
		if t.kind == tRBrace {
			p.errorf(t.pos, "unbalanced }: the top-level object opened at %s is already closed", root.pos.short(t.pos))
		} else {
			p.errorf(t.pos, "unexpected %s after the end of the top-level object (opened at %s)", describe(t), root.pos.short(t.pos))
		}
		break
	}
	return root
}

// parseObject parses the members after open ({) up to the matching }.
func (p *parser) parseObject(open token) *node {
	obj := &node{kind: nObject, pos: open.pos}
	var comma *token
	seen := false // a member was read, even one dropped after an error
	broken := false
	for !p.halted {
		t := p.next()
		switch t.kind {
		case tRBrace:
			if comma != nil {
				p.errorf(comma.pos, "trailing comma before }: remove it")
			}
			return obj
		case tEOF:
			p.errorf(t.pos, "unexpected end of file: missing } for the object opened at %s", open.pos.short(t.pos))
			return obj
		case tComma:
			if comma != nil || !seen {
				p.errorf(t.pos, "unexpected ,: a key is missing")
			}
			c := t
			comma = &c
			continue
		case tBad:
			continue
		case tLost:
			// The include may have held members, with or without a
			// comma after the last: whatever comes next is fine.
			obj.incomplete = true
			comma, seen, broken = nil, true, true
			continue
		case tString, tBare:
		default:
			p.errorf(t.pos, "expected a \"key\" or }, found %s", describe(t))
			if t.kind == tRBrack {
				continue
			}
			if t.kind == tLBrace || t.kind == tLBrack {
				p.skipValue(t)
			}
			continue
		}
		if t.kind == tBare {
			p.errorf(t.pos, "key %s must be in double quotes", t.text)
		}
		if seen && comma == nil && !broken {
			p.errorf(t.pos, "missing , before %q", t.text)
		}
		comma, seen, broken = nil, true, t.broken
		m := &member{key: t.text, keyPos: t.pos}
		c := p.next()
		if c.kind != tColon {
			p.errorf(c.pos, "missing : after key %q", t.text)
			if !startsValue(c.kind) {
				p.unread(c)
				continue
			}
			p.unread(c)
		}
		v := p.next()
		if v.kind == tLost {
			obj.incomplete, broken = true, true // the value was in the include
			continue
		}
		p.unread(v)
		m.value = p.parseValue(m.key)
		if m.value != nil && m.value.broken {
			broken = true
		}
		if m.value != nil {
			obj.members = append(obj.members, m)
		}
	}
	return obj
}

func startsValue(k tokKind) bool {
	return k == tString || k == tBare || k == tLBrace || k == tLBrack
}

// parseValue parses the value of key. It returns nil after reporting a
// missing value.
func (p *parser) parseValue(key string) *node {
	t := p.next()
	switch t.kind {
	case tBad:
		return nil // reported by the lexer

	case tLBrace, tLBrack:
		if p.depth >= maxDepth {
			p.errorf(t.pos, "value of %q is nested more than %d deep", key, maxDepth)
			p.skipValue(t)
			return nil
		}
		p.depth++
		defer func() { p.depth-- }()
		if t.kind == tLBrace {
			return p.parseObject(t)
		}
		return p.parseArray(t, key)
	case tString:
		return &node{kind: nString, pos: t.pos, text: t.text, plain: t.plain, broken: t.broken}
	case tBare:
		return &node{kind: nBare, pos: t.pos, text: t.text}
	}
	p.errorf(t.pos, "missing value for %q: found %s", key, describe(t))
	if t.kind != tEOF {
		p.unread(t)
	}
	return nil
}

// parseArray parses the elements after open ([) up to the matching ].
func (p *parser) parseArray(open token, key string) *node {
	arr := &node{kind: nArray, pos: open.pos}
	var comma *token
	seen := false
	lost := false // an !include that failed came last: a comma may or may not follow
	for !p.halted {
		t := p.next()
		switch t.kind {
		case tRBrack:
			if comma != nil {
				p.errorf(comma.pos, "trailing comma before ]: remove it")
			}
			return arr
		case tEOF:
			p.errorf(t.pos, "unexpected end of file: missing ] for the array opened at %s", open.pos.short(t.pos))
			return arr
		case tComma:
			if (comma != nil || !seen) && !lost {
				p.errorf(t.pos, "unexpected ,: an element is missing")
			}
			c := t
			comma, lost = &c, false
			continue
		case tBad:
			continue
		case tLost:
			arr.incomplete = true
			comma, lost = nil, true
			continue
		case tRBrace, tColon:
			p.errorf(t.pos, "expected an element or ], found %s", describe(t))
			if t.kind == tRBrace {
				p.unread(t) // most likely the ] is missing; let the object close
				return arr
			}
			continue
		}
		if seen && comma == nil && !lost {
			p.errorf(t.pos, "missing , between elements of %q", key)
		}
		comma, seen, lost = nil, true, false
		p.unread(t)
		if v := p.parseValue(key); v != nil {
			arr.elems = append(arr.elems, v)
		}
	}
	return arr
}

// skipValue skips a stray object or array that starts with open.
func (p *parser) skipValue(open token) {
	depth := 1
	for depth > 0 {
		t := p.next()
		switch t.kind {
		case tEOF:
			p.unread(t)
			return
		case tLBrace, tLBrack:
			depth++
		case tRBrace, tRBrack:
			depth--
		}
	}
}
