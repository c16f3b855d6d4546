package gen

import (
	"regexp/syntax"
	"strconv"

	"github.com/dave/jennifer/jen"
)

// A textMatch is how a rewrite pattern or a location's URI is tested. A
// regular expression that is only a literal, maybe anchored, is tested with
// package bytes instead of a regexp: `^/old/` is bytes.HasPrefix(t,
// []byte("/old/")), which costs a length check and a compare.
type textMatch struct {
	kind    matchKind
	lit     string // the literal of every kind but matchRegexp
	pattern string // matchRegexp: the pattern, RE2 syntax
	name    string // matchRegexp: the *regexp.Regexp variable
}

type matchKind int

const (
	matchRegexp   matchKind = iota // a compiled regexp matches somewhere
	matchEqual                     // the text is lit
	matchPrefix                    // the text starts with lit
	matchSuffix                    // the text ends with lit
	matchContains                  // lit occurs in the text
)

// classify reads a pattern (which the compiler has checked) the way
// regexp.Compile does and recognises a literal: "abc" (contains), "^abc"
// (prefix), "abc$" (suffix) and "^abc$" (equal), with escaped
// metacharacters (`\.`) allowed; case folding, classes, repeats and groups
// make it a regexp.
func classify(pattern string) *textMatch {
	rx := &textMatch{kind: matchRegexp, pattern: pattern}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return rx
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	begin, end := false, false
	if len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		begin, subs = true, subs[1:]
	}
	if len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		end, subs = true, subs[:len(subs)-1]
	}
	if len(subs) != 1 || subs[0].Op != syntax.OpLiteral || subs[0].Flags&syntax.FoldCase != 0 {
		return rx
	}
	lit := string(subs[0].Rune)
	switch {
	case begin && end:
		return &textMatch{kind: matchEqual, lit: lit}
	case begin:
		return &textMatch{kind: matchPrefix, lit: lit}
	case end:
		return &textMatch{kind: matchSuffix, lit: lit}
	}
	return &textMatch{kind: matchContains, lit: lit}
}

// cond emits the test of text, a []byte expression:
//
//	bytes.Equal(t, []byte("/old.html"))
//	bytes.HasPrefix(t, []byte("/old/"))
//	bytes.HasSuffix(t, []byte(".php"))
//	bytes.Contains(t, []byte("old"))
//	rewrite1.Match(t)
func (m *textMatch) cond(text jen.Code) jen.Code {
	fn := map[matchKind]string{
		matchEqual:    "Equal",
		matchPrefix:   "HasPrefix",
		matchSuffix:   "HasSuffix",
		matchContains: "Contains",
	}[m.kind]
	if m.kind == matchRegexp {
		return jen.Id(m.name).Dot("Match").Call(text)
	}
	return jen.Qual("bytes", fn).Call(text, bytesLit(m.lit))
}

// bytesLit emits []byte("..."), which the compiler keeps off the heap when
// it does not escape, as in the bytes calls above.
func bytesLit(s string) jen.Code {
	return jen.Index().Byte().Parens(jen.Lit(s))
}

// regexpLit emits
//
//	regexp.MustCompile(`/(.+)/(.+)`)
//
// the pattern in a raw string when it can be one, as it reads like the
// config. strconv.CanBackquote also refuses a byte order mark (U+FEFF),
// which Go rejects anywhere but at the start of a file.
func regexpLit(pattern string) jen.Code {
	if strconv.CanBackquote(pattern) {
		return jen.Qual("regexp", "MustCompile").Call(jen.Op("`" + pattern + "`"))
	}
	return jen.Qual("regexp", "MustCompile").Call(jen.Lit(pattern))
}
