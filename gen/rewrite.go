package gen

import (
	"fmt"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// A rewriteRule is one rewrite of a scope, planned: how its pattern is
// tested and how its new URI is built.
type rewriteRule struct {
	compiler.Rewrite
	match *textMatch
	parts []templatePart // new_uri split at its placeholders
	// fixed: the new URI is the constant target, as the template names no
	// group, or the pattern is a literal and the template names no group
	// but the whole match (which is that literal).
	fixed  bool
	target string
}

// templatePart is server.TemplatePart at build time.
type templatePart struct {
	lit   string
	group int
}

// rewriteRules plans the rewrites of scope s. A literal pattern whose
// new_uri uses no group, or only the whole match (which is that literal),
// gets a constant new URI and no regexp; other patterns are compiled into
// package variables rewrite1, rewrite2 … in config order.
func (g *generator) rewriteRules(s *scope, rs []compiler.Rewrite) []*rewriteRule {
	var out []*rewriteRule
	table := len(rs) >= rewriteTableMin // regexps live in the table, unnamed
	for _, r := range rs {
		rr := &rewriteRule{Rewrite: r, match: classify(r.Pattern), parts: splitTemplate(r.NewURI)}
		whole, other := false, false // the template uses group 0, other groups
		for _, p := range rr.parts {
			if p.lit == "" {
				whole = whole || p.group == 0
				other = other || p.group != 0
			}
		}
		if rr.match.kind == matchRegexp && !table {
			g.nRewrites++
			rr.match.name = fmt.Sprintf("rewrite%d", g.nRewrites)
		}
		if (rr.match.kind != matchRegexp && !other) || (!whole && !other) {
			rr.fixed = true
			for _, p := range rr.parts {
				if p.lit == "" {
					rr.target += rr.match.lit // group 0 is the literal the pattern matched
				}
				rr.target += p.lit
			}
		}
		out = append(out, rr)
	}
	return out
}

// splitTemplate splits a new_uri at its placeholders, read as the
// compiler's check reads them: "(n)" and "$n" (n decimal digits) are group
// n; everything else, a "$" without digits included, is literal.
func splitTemplate(uri string) []templatePart {
	var (
		parts []templatePart
		lit   []byte
	)
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		j := i + 1
		for j < len(uri) && uri[j] >= '0' && uri[j] <= '9' {
			j++
		}
		end := -1 // after the placeholder at i
		if j > i+1 {
			switch {
			case c == '$':
				end = j
			case c == '(' && j < len(uri) && uri[j] == ')':
				end = j + 1
			}
		}
		n, err := strconv.Atoi(uri[i+1 : j])
		if end < 0 || err != nil {
			lit = append(lit, c)
			continue
		}
		if len(lit) > 0 {
			parts = append(parts, templatePart{lit: string(lit)})
			lit = lit[:0]
		}
		parts = append(parts, templatePart{group: n})
		i = end - 1
	}
	if len(lit) > 0 {
		parts = append(parts, templatePart{lit: string(lit)})
	}
	return parts
}

// rewriteVars emits, for each rule of s that needs a regexp,
//
//	// rewrite1 is the rewrite of website1 at hetao.conf:12:9:
//	// "/(.+)/(.+)" → "/(2)/(1)".
//	var (
//		rewrite1    = regexp.MustCompile(`/(.+)/(.+)`)
//		rewrite1URI = []server.TemplatePart{{Lit: "/"}, {Group: 2}, {Lit: "/"}, {Group: 1}}
//	)
//
// or, when the new URI is a constant, only
//
//	var rewrite3 = regexp.MustCompile(`^/a|^/b`)
func (g *generator) rewriteVars(s *scope) []jen.Code {
	if s.rewriteTable() {
		return []jen.Code{g.rewriteTableVar(s), jen.Line()}
	}
	var out []jen.Code
	for _, r := range s.rewrites {
		if r.match.kind != matchRegexp {
			continue
		}
		defs := []jen.Code{jen.Id(r.match.name).Op("=").Add(regexpLit(r.Pattern))}
		if !r.fixed {
			var parts []jen.Code
			for _, p := range r.parts {
				if p.lit != "" {
					parts = append(parts, jen.Values(field("Lit", jen.Lit(p.lit))))
				} else {
					parts = append(parts, jen.Values(field("Group", jen.Lit(p.group))))
				}
			}
			defs = append(defs, jen.Id(r.match.name+"URI").Op("=").Index().Qual(serverPkg, "TemplatePart").Values(parts...))
		}
		decl := doc(
			fmt.Sprintf("%s is the rewrite of %s at %s:", r.match.name, s.prefix(), g.pos(r.Pos)),
			fmt.Sprintf("%q → %q.", r.Pattern, r.NewURI),
		).Var()
		if len(defs) == 1 {
			decl.Add(defs[0])
		} else {
			decl.Defs(defs...)
		}
		out = append(out, decl, jen.Line())
	}
	return out
}

// rewritePhase emits the scope's rewrites: the first rule whose pattern
// matches the request's path?query (see server.Ctx.RewriteSubject) gives
// the new URI.
//
//	// rewrite: the first rule that matches path?query gives the new URI
//	switch t := c.RewriteSubject(); {
//	// "^/old\\.html$" → "/new.html", hetao.conf:13:9
//	case bytes.Equal(t, []byte("/old.html")):
//		c.RewriteTo([]byte("/new.html"))
//	// "/(.+)/(.+)" → "/(2)/(1)", hetao.conf:12:9
//	case rewrite1.Match(t):
//		c.RewriteTo(c.Expand(rewrite1, rewrite1URI, t))
//	}
//	if c.Answered() {
//		return // the new URI is not a clean path: 400
//	}
func (g *generator) rewritePhase(s *scope) ([]jen.Code, bool, error) {
	if len(s.rewrites) == 0 {
		return nil, false, nil
	}
	if s.rewriteTable() {
		return g.rewriteTablePhase(s), false, nil
	}
	var cases []jen.Code
	t := jen.Id("t")
	for _, r := range s.rewrites {
		target := jen.Id("c").Dot("Expand").Call(jen.Id(r.match.name), jen.Id(r.match.name+"URI"), t)
		if r.fixed {
			target = bytesLit(r.target).(*jen.Statement)
		}
		cases = append(cases,
			jen.Commentf("%q → %q, %s", r.Pattern, r.NewURI, g.pos(r.Pos)),
			jen.Case(r.match.cond(t)).Block(jen.Id("c").Dot("RewriteTo").Call(target)),
		)
	}
	return []jen.Code{
		jen.Comment("rewrite: the first rule that matches path?query gives the new URI"),
		jen.Switch(jen.Id("t").Op(":=").Id("c").Dot("RewriteSubject").Call().Op(";")).Block(cases...),
		jen.If(jen.Id("c").Dot("Answered").Call()).Block(
			jen.Return().Comment("the new URI is not a clean path: 400"),
		),
	}, false, nil
}
