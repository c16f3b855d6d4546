package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/runtime/phash"
)

// redirectTableMin is the number of named redirects from which a scope's
// redirects are a server.RedirectTable, found by one hash of the Host,
// instead of one HostIs test each.
const redirectTableMin = 16

// redirectTable reports whether the scope's named redirects are a table.
func (s *scope) redirectTable() bool {
	n := 0
	for _, r := range s.redirects {
		if r.Domain != "" {
			n++
		}
	}
	return n >= redirectTableMin
}

// redirectTableName names the scope's table: website1Redirects.
func (s *scope) redirectTableName() string { return s.prefix() + "Redirects" }

// redirectTableVar emits
//
//	// website1Redirects holds the 2000 named redirects of "a.example":
//	// a perfect hash over the lower-cased domains.
//	var website1Redirects = &server.RedirectTable{
//		Table: phash.Table{...},
//		Rules: []server.RedirectRule{
//			{},                                                 // free
//			{Order: 0, Code: 301, To: "https://new0.example"}, // "old0.example" hetao.conf:5:3
//		},
//	}
func (g *generator) redirectTableVar(s *scope) jen.Code {
	type named struct {
		order int
		i     int
	}
	byKey := map[string]named{}
	var keys []string
	for i, r := range s.redirects {
		if r.Domain == "" {
			continue
		}
		k := phash.Lower(r.Domain) // as the table folds, and HostIs compares
		if _, dup := byKey[k]; dup {
			continue // the compiler refuses it; the first would win
		}
		byKey[k] = named{len(byKey), i}
		keys = append(keys, k)
	}
	t, err := phash.Build(keys, true)
	if err != nil {
		panic(fmt.Sprintf("gen: redirect table of %s: %v", s.title(), err)) // distinct, non-empty keys
	}
	comment := func(k string) string {
		r := s.redirects[byKey[k].i]
		return fmt.Sprintf("%q → %q, %s", r.Domain, r.NewDomain, g.pos(r.Pos))
	}
	var rules []jen.Code
	for _, k := range t.Keys {
		if k == "" {
			rules = append(rules, jen.Values().Op(",").Comment("free"))
			continue
		}
		n := byKey[k]
		r := s.redirects[n.i]
		code := r.Code
		if code == 0 {
			code = 301
		}
		rules = append(rules, jen.Values(field("Order", jen.Lit(n.order)), field("Code", jen.Lit(code)), field("To", jen.Lit(r.NewDomain))).Op(",").Comment(comment(k)))
	}
	return doc(
		fmt.Sprintf("%s holds the %d named redirects of %s:", s.redirectTableName(), len(keys), s.title()),
		"a perfect hash over the lower-cased domains.",
	).Var().Id(s.redirectTableName()).Op("=").Op("&").Qual(serverPkg, "RedirectTable").Custom(
		jen.Options{Open: "{", Close: "}", Multi: true},
		jen.Id("Table").Op(":").Add(phashTable(t, comment)).Op(","),
		jen.Id("Rules").Op(":").Index().Qual(serverPkg, "RedirectRule").Add(lines(rules)).Op(","),
	)
}

// redirectTablePhase emits
//
//	// redirect: the Host's rule among the 2000 of website1Redirects
//	if c.RedirectByHost(website1Redirects) {
//		return
//	}
func (g *generator) redirectTablePhase(s *scope) []jen.Code {
	return []jen.Code{
		jen.Commentf("redirect: the Host's rule among the named redirects of %s", s.redirectTableName()),
		jen.If(jen.Id("c").Dot("RedirectByHost").Call(jen.Id(s.redirectTableName()))).Block(jen.Return()),
	}
}
