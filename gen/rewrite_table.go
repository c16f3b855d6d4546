package gen

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/runtime/phash"
)

// rewriteTableMin is the number of rewrite rules from which a scope's
// rewrites are data, a server.RewriteTable, instead of a switch with a
// case per rule: a site migration's thousands of rules would otherwise
// cost the Go compiler minutes and gigabytes.
const rewriteTableMin = 16

// rewriteTable reports whether the scope's rewrites are a table.
func (s *scope) rewriteTable() bool { return len(s.rewrites) >= rewriteTableMin }

// rewriteTableName names the scope's table: website1Rewrites.
func (s *scope) rewriteTableName() string { return s.prefix() + "Rewrites" }

// rewriteTableVar emits the scope's rules as data:
//
//	// website1Rewrites holds the 22000 rewrite rules of "a.example", in config order:
//	// the exact literal patterns by perfect hash of path?query, the others in a list.
//	var website1Rewrites = &server.RewriteTable{
//		Exact: phash.Table{...},
//		ExactRules: []server.ExactRewrite{
//			{},                              // free
//			{Order: 0, To: "/new/p0.html"},  // "^/old/p0\\.html$" hetao.conf:5:3
//		},
//		Rules: []server.RewriteRule{
//			// "^/r0/([a-z]+)/([0-9]+)$" → "/n0/$2/$1", hetao.conf:14:3
//			{Order: 9, Match: server.RewriteRegexp, Pattern: `^/r0/([a-z]+)/([0-9]+)$`, URI: []server.TemplatePart{...}},
//		},
//	}
//
// An exact literal given twice keeps its first rule: the later one could
// never match first.
func (g *generator) rewriteTableVar(s *scope) jen.Code {
	type exact struct {
		r     *rewriteRule
		order int
	}
	byKey := map[string]exact{}
	var keys []string
	var rules []jen.Code
	for i, r := range s.rewrites {
		if r.match.kind == matchEqual && r.fixed && r.match.lit != "" {
			if _, dup := byKey[r.match.lit]; !dup {
				byKey[r.match.lit] = exact{r, i}
				keys = append(keys, r.match.lit)
			}
			continue
		}
		f := []jen.Code{
			field("Order", jen.Lit(i)),
			field("Match", jen.Qual(serverPkg, map[matchKind]string{
				matchRegexp:   "RewriteRegexp",
				matchEqual:    "RewriteEqual",
				matchPrefix:   "RewritePrefix",
				matchSuffix:   "RewriteSuffix",
				matchContains: "RewriteContains",
			}[r.match.kind])),
		}
		if r.match.kind == matchRegexp {
			f = append(f, field("Pattern", rawLit(r.Pattern)))
		} else {
			f = append(f, field("Pattern", jen.Lit(r.match.lit)))
		}
		if r.fixed {
			f = append(f, field("To", jen.Lit(r.target)))
		} else {
			f = append(f, field("URI", templateLit(r.parts)))
		}
		rules = append(rules,
			jen.Commentf("%q → %q, %s", r.Pattern, r.NewURI, g.pos(r.Pos)),
			jen.Values(f...).Op(","))
	}
	t, err := phash.Build(keys, false)
	if err != nil {
		// The keys are distinct and non-empty: Build cannot fail.
		panic(fmt.Sprintf("gen: rewrite table of %s: %v", s.title(), err))
	}
	comment := func(k string) string {
		e := byKey[k]
		return fmt.Sprintf("%q → %q, %s", e.r.Pattern, e.r.NewURI, g.pos(e.r.Pos))
	}
	var slots []jen.Code
	for _, k := range t.Keys {
		if k == "" {
			slots = append(slots, jen.Values().Op(",").Comment("free"))
			continue
		}
		e := byKey[k]
		slots = append(slots, jen.Values(field("Order", jen.Lit(e.order)), field("To", jen.Lit(e.r.target))).Op(",").Comment(comment(k)))
	}
	items := []jen.Code{jen.Id("Exact").Op(":").Add(phashTable(t, comment)).Op(",")}
	if len(slots) > 0 {
		items = append(items, jen.Id("ExactRules").Op(":").Index().Qual(serverPkg, "ExactRewrite").Add(lines(slots)).Op(","))
	}
	if len(rules) > 0 {
		items = append(items, jen.Id("Rules").Op(":").Index().Qual(serverPkg, "RewriteRule").Add(lines(rules)).Op(","))
	}
	return doc(
		fmt.Sprintf("%s holds the %d rewrite rules of %s, in config order:", s.rewriteTableName(), len(s.rewrites), s.title()),
		"the exact literal patterns by perfect hash of path?query, the others in a list.",
	).Var().Id(s.rewriteTableName()).Op("=").Op("&").Qual(serverPkg, "RewriteTable").Custom(
		jen.Options{Open: "{", Close: "}", Multi: true}, items...)
}

// rewriteTablePhase emits
//
//	// rewrite: the first of the 22000 rules of website1Rewrites that matches path?query
//	c.Rewrite(website1Rewrites)
//	if c.Answered() {
//		return // the new URI is not a clean path: 400
//	}
func (g *generator) rewriteTablePhase(s *scope) []jen.Code {
	return []jen.Code{
		jen.Commentf("rewrite: the first of the %d rules of %s that matches path?query gives the new URI", len(s.rewrites), s.rewriteTableName()),
		jen.Id("c").Dot("Rewrite").Call(jen.Id(s.rewriteTableName())),
		jen.If(jen.Id("c").Dot("Answered").Call()).Block(
			jen.Return().Comment("the new URI is not a clean path: 400"),
		),
	}
}

// templateLit emits []server.TemplatePart{{Lit: "/"}, {Group: 2}}.
func templateLit(parts []templatePart) jen.Code {
	var out []jen.Code
	for _, p := range parts {
		if p.lit != "" {
			out = append(out, jen.Values(field("Lit", jen.Lit(p.lit))))
		} else {
			out = append(out, jen.Values(field("Group", jen.Lit(p.group))))
		}
	}
	return jen.Index().Qual(serverPkg, "TemplatePart").Values(out...)
}

// rawLit emits a string in backquotes when it can be, as a pattern reads
// in the config.
func rawLit(s string) jen.Code {
	if strconv.CanBackquote(s) {
		return jen.Op("`" + s + "`")
	}
	return jen.Lit(s)
}
