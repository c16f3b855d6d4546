package server

import (
	"math"
	"regexp"
	"sync"
	"unsafe"

	"github.com/hetaoc/hetao/runtime/phash"
)

// Rewrite rules as data. A scope with a few rules gets a generated switch
// (rewrite.go); one with many, as a site migration leaves behind, gets a
// RewriteTable instead, so that its build does not grow a case per rule:
//
//	// rewrite: the first of the 22000 rules of rewrites1 that matches path?query
//	c.Rewrite(rewrites1)
//	if c.Answered() {
//		return
//	}
//
// The rules whose pattern is an exact literal (`^/old/p1\.html$`) are
// found in one step, by a perfect hash of the subject; every other rule
// (prefix, suffix or contained literals, regexps) is tried in config order,
// and only before the exact rule the hash found, if any: the first rule in
// config order that matches wins, as in the switch.

// RewriteMatch is how a RewriteRule's pattern is tested.
type RewriteMatch uint8

const (
	RewriteRegexp   RewriteMatch = iota // the regexp Pattern matches somewhere in the subject
	RewriteEqual                        // the subject is Pattern
	RewritePrefix                       // the subject starts with Pattern
	RewriteSuffix                       // the subject ends with Pattern
	RewriteContains                     // Pattern occurs in the subject
)

// RewriteRule is one rule of a RewriteTable not found by hash. It is plain
// data, so that a table of thousands builds fast; regexps are compiled
// when the table is first used.
type RewriteRule struct {
	Order   int32 // the rule's position among the scope's rules, from 0
	Match   RewriteMatch
	Pattern string // a literal, or a regexp (RE2, checked at build time)
	// The new URI: To when URI is nil, else URI expanded with the groups
	// of the regexp.
	To  string
	URI []TemplatePart
}

// ExactRewrite is the rule of one slot of RewriteTable.Exact.
type ExactRewrite struct {
	Order int32  // the rule's position among the scope's rules
	To    string // its new URI
}

// RewriteTable is every rewrite rule of a scope: Exact and ExactRules (by
// slot) hold the rules whose pattern is an exact literal, Rules the others
// in config order.
type RewriteTable struct {
	Exact      phash.Table
	ExactRules []ExactRewrite
	Rules      []RewriteRule

	once sync.Once
	res  []*regexp.Regexp // by rule, for RewriteRegexp rules
}

// Rewrite applies the first rule of t, in config order, that matches the
// request's RewriteSubject, as RewriteTo does; nothing when none matches.
// The handler checks Answered afterwards (a new URI that is not a clean
// path is answered 400). After the first call, which compiles the
// regexps, it allocates only as Expand does.
func (x *Ctx) Rewrite(t *RewriteTable) {
	t.once.Do(t.compile)
	s := x.RewriteSubject()
	exact := int32(math.MaxInt32)
	slot := t.Exact.Index(s)
	if slot >= 0 {
		exact = t.ExactRules[slot].Order
	}
	for i := range t.Rules {
		r := &t.Rules[i]
		if r.Order > exact {
			break // the exact rule comes first
		}
		if !t.matches(i, s) {
			continue
		}
		if r.URI == nil {
			x.RewriteTo(stringBytes(r.To))
		} else {
			x.RewriteTo(x.Expand(t.res[i], r.URI, s))
		}
		return
	}
	if slot >= 0 {
		x.RewriteTo(stringBytes(t.ExactRules[slot].To))
	}
}

// compile compiles the regexps of t's rules; the compiler has checked
// every one, so MustCompile cannot fail on a generated table.
func (t *RewriteTable) compile() {
	t.res = make([]*regexp.Regexp, len(t.Rules))
	for i, r := range t.Rules {
		if r.Match == RewriteRegexp {
			t.res[i] = regexp.MustCompile(r.Pattern)
		}
	}
}

// matches tests rule i against the subject s without allocating.
func (t *RewriteTable) matches(i int, s []byte) bool {
	r := &t.Rules[i]
	lit := r.Pattern
	switch r.Match {
	case RewriteEqual:
		return string(s) == lit
	case RewritePrefix:
		return len(s) >= len(lit) && string(s[:len(lit)]) == lit
	case RewriteSuffix:
		return len(s) >= len(lit) && string(s[len(s)-len(lit):]) == lit
	case RewriteContains:
		for j := 0; j+len(lit) <= len(s); j++ {
			if string(s[j:j+len(lit)]) == lit { // compared in place
				return true
			}
		}
		return false
	}
	return t.res[i].Match(s)
}

// stringBytes views s as bytes without copying, for RewriteTo, which only
// reads its target.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
