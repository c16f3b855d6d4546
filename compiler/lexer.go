package compiler

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// tokKind is the kind of a token of hetao's JSON dialect.
type tokKind int

const (
	tEOF     tokKind = iota
	tLBrace          // {
	tRBrace          // }
	tLBrack          // [
	tRBrack          // ]
	tColon           // :
	tComma           // ,
	tString          // "..." (Text is decoded)
	tBare            // an unquoted value: ERROR, 80, true, null (Text is raw)
	tInclude         // !include name (Text is the name)
	tBad             // a byte that starts no token (already reported)
	// tLost stands where an !include could not be spliced in (missing,
	// unreadable, a cycle; already reported): what it held is unknown.
	tLost
)

// token is one token with the position of its first byte.
type token struct {
	kind tokKind
	text string
	pos  Pos
	// plain is true for a string without escapes, so that byte i of text
	// sits at column pos.Col+1+i.
	plain bool
	// broken is set on a string that was not terminated; the parser then
	// does not also complain about the comma the string swallowed.
	broken bool
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tString:
		return strconv.Quote(t.text)
	case tBare:
		return t.text
	case tInclude, tLost:
		return "!include"
	case tBad:
		return "bad character"
	}
	return "'" + [...]string{tLBrace: "{", tRBrace: "}", tLBrack: "[", tRBrack: "]", tColon: ":", tComma: ","}[t.kind] + "'"
}

// lexer splits one file into tokens. Comments are skipped; problems go to d.
type lexer struct {
	src       []byte
	file      string
	off       int
	line      int
	lineStart int
	d         *diags
}

func newLexer(file string, src []byte, d *diags) *lexer {
	lx := &lexer{src: src, file: file, line: 1, d: d}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		lx.off, lx.lineStart = 3, 3 // a UTF-8 byte order mark is not content
	}
	return lx
}

func (lx *lexer) pos() Pos { return lx.posAt(lx.off) }

func (lx *lexer) posAt(off int) Pos {
	return Pos{File: lx.file, Line: lx.line, Col: off - lx.lineStart + 1}
}

func (lx *lexer) newline(off int) {
	lx.line++
	lx.lineStart = off + 1
}

// skipSpace skips white space and comments.
func (lx *lexer) skipSpace() {
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		switch {
		case c == '\n':
			lx.newline(lx.off)
			lx.off++
		case c == ' ' || c == '\t' || c == '\r':
			lx.off++
		case c == '/' && lx.peek(1) == '/':
			for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
				lx.off++
			}
		case c == '/' && lx.peek(1) == '*':
			start := lx.pos()
			lx.off += 2
			for {
				if lx.off >= len(lx.src) {
					lx.d.errorf(start, "comment is never closed: /* has no matching */")
					return
				}
				if lx.src[lx.off] == '*' && lx.peek(1) == '/' {
					lx.off += 2
					break
				}
				if lx.src[lx.off] == '\n' {
					lx.newline(lx.off)
				}
				lx.off++
			}
		default:
			return
		}
	}
}

func (lx *lexer) peek(n int) byte {
	if lx.off+n < len(lx.src) {
		return lx.src[lx.off+n]
	}
	return 0
}

// next returns the next token.
func (lx *lexer) next() token {
	lx.skipSpace()
	p := lx.pos()
	if lx.off >= len(lx.src) {
		return token{kind: tEOF, pos: p}
	}
	c := lx.src[lx.off]
	if k, ok := punct[c]; ok {
		lx.off++
		return token{kind: k, pos: p}
	}
	switch {
	case c == '"':
		text, plain, ok := lx.quoted()
		return token{kind: tString, text: text, pos: p, plain: plain, broken: !ok}
	case c == '\'':
		lx.d.errorf(p, "single quotes are not allowed: write strings in double quotes")
		lx.off++
		start := lx.off
		for lx.off < len(lx.src) && lx.src[lx.off] != '\'' && lx.src[lx.off] != '\n' {
			lx.off++
		}
		text := string(lx.src[start:lx.off])
		if lx.off < len(lx.src) && lx.src[lx.off] == '\'' {
			lx.off++
		}
		return token{kind: tString, text: text, pos: p}
	case c == '!' && lx.hasWord("!include"):
		return lx.include()
	}
	return lx.bare()
}

var punct = map[byte]tokKind{'{': tLBrace, '}': tRBrace, '[': tLBrack, ']': tRBrack, ':': tColon, ',': tComma}

func (lx *lexer) hasWord(w string) bool {
	if len(lx.src)-lx.off < len(w) || string(lx.src[lx.off:lx.off+len(w)]) != w {
		return false
	}
	if lx.off+len(w) == len(lx.src) {
		return true
	}
	c := lx.src[lx.off+len(w)]
	return c == ' ' || c == '\t' || c == '"' || c == '\r' || c == '\n'
}

// bare reads an unquoted value. It ends at white space (TAB included,
// unlike hetao), at { } [ ] : , " and at the start of a comment.
func (lx *lexer) bare() token {
	p := lx.pos()
	start := lx.off
	for lx.off < len(lx.src) {
		c := lx.src[lx.off]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '"' || c == '\'' || punct[c] != 0 {
			break
		}
		if c == '/' && (lx.peek(1) == '/' || lx.peek(1) == '*') {
			break
		}
		lx.off++
	}
	text := string(lx.src[start:lx.off])
	if !utf8.ValidString(text) {
		lx.d.errorf(p, "invalid UTF-8 in unquoted value")
		return token{kind: tBad, pos: p}
	}
	for i, r := range text {
		if r == '\\' || r == '(' || r == ')' || r == '!' || r < ' ' || r == 0x7f {
			lx.d.errorf(lx.posAt(start+i), "unexpected %q in unquoted value %q: put the value in double quotes", r, text)
			return token{kind: tBad, pos: p}
		}
	}
	return token{kind: tBare, text: text, pos: p}
}

// quoted reads a double-quoted string starting at lx.off. A string ends at
// the end of its line at the latest, so one missing quote does not swallow
// the rest of the file.
func (lx *lexer) quoted() (text string, plain, ok bool) {
	open := lx.pos()
	lx.off++
	var buf []byte
	plain = true
	for {
		if lx.off >= len(lx.src) || lx.src[lx.off] == '\n' || lx.src[lx.off] == '\r' {
			lx.d.errorf(open, "string is not terminated: no closing \" before the end of the line")
			return string(buf), false, false
		}
		c := lx.src[lx.off]
		switch {
		case c == '"':
			lx.off++
			return string(buf), plain, true
		case c == '\t':
			lx.d.errorf(lx.pos(), "raw TAB in string: write \\t")
			buf = append(buf, c)
			lx.off++
		case c < ' ' || c == 0x7f:
			lx.d.errorf(lx.pos(), "control character %#02x in string", c)
			lx.off++
		case c == '\\':
			plain = false
			buf = lx.escape(buf)
		default:
			r, n := utf8.DecodeRune(lx.src[lx.off:])
			if r == utf8.RuneError && n == 1 {
				lx.d.errorf(lx.pos(), "invalid UTF-8 byte %#02x in string", c)
				lx.off++
				continue
			}
			buf = append(buf, lx.src[lx.off:lx.off+n]...)
			lx.off += n
		}
	}
}

// escape decodes the escape sequence at lx.off and appends it to buf.
func (lx *lexer) escape(buf []byte) []byte {
	p := lx.pos()
	c := lx.peek(1)
	simple := map[byte]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
	if e, ok := simple[c]; ok {
		lx.off += 2
		return append(buf, e)
	}
	if c != 'u' {
		if c == '\n' || c == '\r' || c == 0 {
			lx.off++
			lx.d.errorf(p, "string ends with a lone \\")
			return buf
		}
		lx.d.errorf(p, "invalid escape sequence \\%c in string: use \\\\ for a backslash", rune(c))
		lx.off += 2
		return buf
	}
	r, ok := lx.hex4(lx.off + 2)
	if !ok {
		lx.d.errorf(p, "invalid escape sequence: \\u needs four hex digits")
		lx.off += 2
		return buf
	}
	lx.off += 6
	if utf16.IsSurrogate(r) {
		if lx.peek(0) == '\\' && lx.peek(1) == 'u' {
			if r2, ok := lx.hex4(lx.off + 2); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					lx.off += 6
					return utf8.AppendRune(buf, d)
				}
			}
		}
		lx.d.errorf(p, "invalid escape sequence: \\u%04X is half of a UTF-16 surrogate pair", r)
		return buf
	}
	return utf8.AppendRune(buf, r)
}

func (lx *lexer) hex4(off int) (rune, bool) {
	if off+4 > len(lx.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(lx.src[off:off+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}

// include reads `!include name` or `!include "name"`. A bare name ends at
// white space; quote names that hold spaces.
func (lx *lexer) include() token {
	p := lx.pos()
	lx.off += len("!include")
	for lx.off < len(lx.src) && (lx.src[lx.off] == ' ' || lx.src[lx.off] == '\t') {
		lx.off++
	}
	var name string
	if lx.off < len(lx.src) && lx.src[lx.off] == '"' {
		name, _, _ = lx.quoted()
	} else {
		start := lx.off
		for lx.off < len(lx.src) {
			c := lx.src[lx.off]
			if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				break
			}
			lx.off++
		}
		name = string(lx.src[start:lx.off])
	}
	if name == "" {
		lx.d.errorf(p, "!include needs a file name")
		return token{kind: tBad, pos: p}
	}
	return token{kind: tInclude, text: name, pos: p}
}

func describe(t token) string {
	if t.kind == tString || t.kind == tBare {
		return fmt.Sprintf("value %s", t)
	}
	return t.String()
}
