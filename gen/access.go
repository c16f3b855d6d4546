package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

const accessPkg = "github.com/hetaoc/hetao/runtime/access"

// A website's allow/deny and limit_req run in its handler; a location's
// run in its own, after the website's: a location can only narrow them.

func (s *scope) accessName() string   { return s.prefix() + "Access" }
func (s *scope) limitReqName() string { return s.prefix() + "LimitReq" }

// accessVar emits the allow/deny list in config order; access.NewList
// orders it most specific first:
//
//	// website1Access is allow 10.0.0.0/8; deny all (hetao.conf:14:15):
//	// the most specific range that holds the client's address decides.
//	var website1Access = access.NewList([]access.Rule{
//		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Allow: true}, // allow, hetao.conf:14:15
//		{Prefix: netip.MustParsePrefix("0.0.0.0/0"), Allow: false}, // deny, hetao.conf:15:14
//		{Prefix: netip.MustParsePrefix("::/0"), Allow: false},      // deny, hetao.conf:15:14
//	})
func (g *generator) accessVar(s *scope) jen.Code {
	var rules []jen.Code
	var allow, deny []string
	for _, r := range s.access {
		verb := "deny"
		if r.Allow {
			verb = "allow"
			allow = append(allow, r.Prefix)
		} else {
			deny = append(deny, r.Prefix)
		}
		rules = append(rules, jen.Values(
			field("Prefix", jen.Qual("net/netip", "MustParsePrefix").Call(jen.Lit(r.Prefix))),
			field("Allow", jen.Lit(r.Allow)),
		).Op(",").Commentf("%s, %s", verb, g.pos(r.Pos)))
	}
	var said []string
	if len(allow) > 0 {
		said = append(said, "allow "+strings.Join(allow, " "))
	}
	if len(deny) > 0 {
		said = append(said, strings.Replace("deny "+strings.Join(deny, " "), "0.0.0.0/0 ::/0", "all", 1))
	}
	return doc(
		fmt.Sprintf("%s is %s (%s):", s.accessName(), strings.Join(said, "; "), g.pos(s.access[0].Pos)),
		"the most specific range that holds the client's address decides.",
	).Var().Id(s.accessName()).Op("=").Qual(accessPkg, "NewList").Call(jen.Index().Qual(accessPkg, "Rule").Add(lines(rules)))
}

// limitReqVar emits
//
//	// website1LimitReq is limit_req rate=10r/s burst=20 (hetao.conf:16:5),
//	// per client address (IPv6 per /64), counted by each worker.
//	var website1LimitReq = &access.Rate{Requests: 10, Per: time.Second, Burst: 20}
func (g *generator) limitReqVar(s *scope) jen.Code {
	l := s.limitReq
	per := jen.Qual("time", "Second")
	if l.Per == 60 {
		per = jen.Qual("time", "Minute")
	}
	return doc(
		fmt.Sprintf("%s is limit_req rate=%s burst=%d (%s),", s.limitReqName(), l.Rate(), l.Burst, g.pos(l.Pos)),
		"per client address (IPv6 per /64), counted by each worker.",
	).Var().Id(s.limitReqName()).Op("=").Op("&").Qual(accessPkg, "Rate").Values(
		field("Requests", jen.Lit(int(l.Requests))), field("Per", per), field("Burst", jen.Lit(int(l.Burst))))
}

// accessPhase emits, before any phase that reads the request:
//
//	if c.Forbidden(website1Access) {
//		return // allow/deny: 403
//	}
func (g *generator) accessPhase(s *scope) ([]jen.Code, bool, error) {
	if len(s.access) == 0 {
		return nil, false, nil
	}
	return []jen.Code{jen.If(jen.Id("c").Dot("Forbidden").Call(jen.Id(s.accessName()))).Block(
		jen.Return().Comment("allow/deny: 403"))}, false, nil
}

// limitReqPhase emits
//
//	if c.RateLimited(website1LimitReq) {
//		return // limit_req: 429 with Retry-After
//	}
func (g *generator) limitReqPhase(s *scope) ([]jen.Code, bool, error) {
	if s.limitReq == nil {
		return nil, false, nil
	}
	return []jen.Code{jen.If(jen.Id("c").Dot("RateLimited").Call(jen.Id(s.limitReqName()))).Block(
		jen.Return().Comment("limit_req: 429 with Retry-After"))}, false, nil
}
