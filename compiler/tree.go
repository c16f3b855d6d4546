package compiler

// The syntax tree of a configuration: objects keep every member in source
// order, repeated keys included, so the schema decides what may repeat.

type nodeKind int

const (
	nObject nodeKind = iota
	nArray
	nString // a double-quoted string
	nBare   // an unquoted value: number, word, true, false or null
)

// node is one value with the position of its first byte.
type node struct {
	kind    nodeKind
	pos     Pos
	text    string // nString: decoded; nBare: as written
	plain   bool   // nString without escapes: byte i of text is at column pos.Col+1+i
	broken  bool   // an unterminated string (already reported)
	members []*member
	elems   []*node

	// incomplete is set on an object or array in which an !include could
	// not be read: members it may have held are unknown, so none is
	// reported missing.
	incomplete bool
}

// member is one "key": value pair of an object.
type member struct {
	key    string
	keyPos Pos
	value  *node
}

func (n *node) kindName() string {
	switch n.kind {
	case nObject:
		return "an object"
	case nArray:
		return "an array"
	case nString:
		return "a string"
	}
	switch n.text {
	case "true", "false":
		return "a boolean"
	case "null":
		return "null"
	}
	return "the unquoted value " + n.text
}

// posIn is the position of byte i of a string value, or the value's own
// position when the source spelled it with escapes.
func (n *node) posIn(i int) Pos {
	p := n.pos
	if n.kind == nString && n.plain {
		p.Col += 1 + i
	} else if n.kind == nBare {
		p.Col += i
	}
	return p
}
