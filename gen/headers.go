package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// planHeaders plans the header fields and cache rules of a scope: a
// website's own; a location's merged over its website's.
func (s *scope) planHeaders() {
	if s.loc == nil {
		s.hdrs, s.cache = s.w.Headers, s.w.Cache
		return
	}
	s.hdrs = compiler.MergeHeaders(s.w.Headers, s.loc.Headers)
	s.cache = compiler.MergeCache(s.w.Cache, s.loc.Cache)
}

// hasHeaders reports whether the scope adds any field.
func (s *scope) hasHeaders() bool { return len(s.hdrs) > 0 || len(s.cache) > 0 }

// declaresHeaders: a website with fields, or a location with fields of its
// own (one without keeps what its website chose).
func (s *scope) declaresHeaders() bool {
	if s.loc != nil && len(s.loc.Headers) == 0 && len(s.loc.Cache) == 0 {
		return false
	}
	return s.hasHeaders()
}

func (s *scope) headersName() string { return s.prefix() + "Headers" }

// headersVar emits
//
//	// website1Headers are the fields website1 adds to its answers.
//	var website1Headers = &server.Headers{
//		Always: "" +
//			"Strict-Transport-Security: max-age=63072000\r\n" + // hetao.conf:12:17
//			"X-Frame-Options: DENY\r\n", // hetao.conf:13:17
//		Cache: []server.CacheRule{
//			{Ext: "html", Field: "Cache-Control: no-cache\r\n"}, // "html", hetao.conf:16:17
//		},
//		Default: "Cache-Control: max-age=3600\r\n", // "*", hetao.conf:17:17
//	}
func (g *generator) headersVar(s *scope) jen.Code {
	var items []jen.Code
	if len(s.hdrs) > 0 {
		always := jen.Id("Always").Op(":").Lit("").Op("+")
		for i, h := range s.hdrs {
			always.Line().Lit(h.Name + ": " + h.Value + "\r\n")
			if i < len(s.hdrs)-1 {
				always.Op("+")
			} else {
				always.Op(",")
			}
			always.Comment(g.pos(h.Pos))
		}
		items = append(items, always)
	}
	var rules []jen.Code
	var def jen.Code
	for _, r := range s.cache {
		line := "Cache-Control: " + r.Value + "\r\n"
		names := append(append([]string(nil), r.Exts...), r.Types...)
		if r.Any {
			names = append(names, "*")
		}
		where := fmt.Sprintf("%q, %s", strings.Join(names, " "), g.pos(r.Pos))
		for _, e := range r.Exts {
			rules = append(rules, jen.Values(field("Ext", jen.Lit(e)), field("Field", jen.Lit(line))).Op(",").Comment(where))
		}
		for _, t := range r.Types {
			rules = append(rules, jen.Values(field("Type", jen.Lit(t)), field("Field", jen.Lit(line))).Op(",").Comment(where))
		}
		if r.Any && def == nil {
			def = jen.Id("Default").Op(":").Lit(line).Op(",").Comment(where)
		}
	}
	if len(rules) > 0 {
		items = append(items, jen.Id("Cache").Op(":").Index().Qual(serverPkg, "CacheRule").Add(lines(rules)).Op(","))
	}
	if def != nil {
		items = append(items, def)
	}
	return doc(fmt.Sprintf("%s are the fields %s adds to its answers (nginx add_header … always; Cache-Control by file type).", s.headersName(), s.prefix())).
		Var().Id(s.headersName()).Op("=").Op("&").Qual(serverPkg, "Headers").Custom(jen.Options{Open: "{", Close: "}", Multi: true}, items...)
}

// headersPhase emits the choice of the fields added to every answer, first
// so that error pages of later phases carry them too:
//
//	c.SetHeaders(website1Headers)
//
// A location whose merged fields are none, in a website that has some,
// clears them: c.SetHeaders(nil).
func (g *generator) headersPhase(s *scope) ([]jen.Code, bool, error) {
	switch {
	case s.loc != nil && len(s.loc.Headers) == 0 && len(s.loc.Cache) == 0:
		return nil, false, nil // its website's stay
	case s.hasHeaders():
		return []jen.Code{jen.Id("c").Dot("SetHeaders").Call(jen.Id(s.headersName()))}, false, nil
	case s.loc != nil && s.w.self.hasHeaders():
		return []jen.Code{jen.Id("c").Dot("SetHeaders").Call(jen.Nil())}, false, nil
	}
	return nil, false, nil
}
