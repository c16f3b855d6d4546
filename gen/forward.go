package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// upstream is one forward block, declared once as upstreamN however many
// scopes use it (a location without a forward of its own shares its
// website's).
type upstream struct {
	*compiler.Forward
	n     int
	owner string // the scope that declares it, for comments and Name
}

func (u *upstream) name() string { return fmt.Sprintf("upstream%d", u.n) }

// upstreamOf returns the upstream of forward f (nil: none), numbering a new
// one in the order scopes are planned.
func (g *generator) upstreamOf(s *scope, f *compiler.Forward) *upstream {
	if f == nil {
		return nil
	}
	if u := g.byForward[f]; u != nil {
		return u
	}
	owner := s.w.title()
	if s.loc != nil {
		owner = fmt.Sprintf("%s location %s %q", s.w.title(), s.loc.Match, s.loc.URI)
	}
	u := &upstream{Forward: f, n: len(g.upstreams) + 1, owner: owner}
	g.upstreams = append(g.upstreams, u)
	g.byForward[f] = u
	return u
}

// upstreamVar emits, for the scope that declares it,
//
//	// upstream1 is the forward of "a.example", hetao.conf:30:9.
//	var upstream1 = &server.Upstream{
//		Name: `"a.example" forward`,
//		Rule: 'R',
//		TLS:  false,
//		Servers: []server.Backend{
//			{IP: "127.0.0.1", Port: 9000}, // hetao.conf:31:13
//		},
//	}
func (g *generator) upstreamVar(u *upstream) jen.Code {
	var servers []jen.Code
	for _, b := range u.Servers {
		servers = append(servers, jen.Values(
			field("IP", jen.Lit(b.IP)),
			field("Port", jen.Lit(b.Port)),
		).Op(",").Comment(g.pos(b.Pos)))
	}
	rule := 'R'
	if u.Rule == "L" {
		rule = 'L'
	}
	return doc(fmt.Sprintf("%s is the forward of %s, %s.", u.name(), u.owner, g.pos(u.Pos))).
		Var().Id(u.name()).Op("=").Op("&").Qual(serverPkg, "Upstream").Add(fields(
		field("Name", jen.Lit(u.owner+" forward")),
		field("Rule", jen.LitRune(rule)),
		field("TLS", jen.Lit(u.SSL != nil)),
		field("Servers", jen.Index().Qual(serverPkg, "Backend").Add(lines(servers))),
	))
}

// upstreamList emits Site.Upstreams, every forward in order, then every
// app:
//
//	[]*server.Upstream{
//		upstream1, // "a.example" forward, hetao.conf:30:9
//		app1,      // the app of "a.example" location prefix "/api/", hetao.conf:33:9
//	}
func (g *generator) upstreamList() jen.Code {
	var items []jen.Code
	for _, u := range g.upstreams {
		items = append(items, jen.Id(u.name()).Op(",").Comment(fmt.Sprintf("%s forward, %s", u.owner, g.pos(u.Pos))))
	}
	for _, a := range g.apps {
		items = append(items, jen.Id(a.name()).Op(",").Comment(fmt.Sprintf("the app of %s, %s", a.owner, g.pos(a.Pos))))
	}
	return jen.Index().Op("*").Qual(serverPkg, "Upstream").Add(lines(items))
}

// forwardPhase emits the forward test of the scope: its forward_type
// against the extension of the (maybe rewritten) path's last element,
// case-sensitive, the query ignored.
//
//	// forward *.php to upstream1, hetao.conf:30:9
//	if string(static.Ext(c.Path)) == "php" {
//		c.Forward(upstream1)
//		return
//	}
//
// forward_type "" forwards the paths whose last element has no extension
// (no dot, or nothing after the last one), "/" and directories included, as
// hetao does:
//
//	if len(static.Ext(c.Path)) == 0 {
func (g *generator) forwardPhase(s *scope) ([]jen.Code, bool, error) {
	u := s.forward
	if u == nil {
		return nil, false, nil
	}
	ext := jen.Qual(staticPkg, "Ext").Call(jen.Id("c").Dot("Path"))
	test := jen.String().Parens(ext).Op("==").Lit(u.Type)
	what := fmt.Sprintf("*.%s", u.Type)
	if u.Type == "" {
		test = jen.Len(ext).Op("==").Lit(0)
		what = "paths without an extension"
	}
	var code []jen.Code
	if u.Type != "" && s.hasIndexOfType(u.Type) {
		code = append(code,
			jen.Commentf("a directory whose index file is *.%s goes there too, as nginx's index does", u.Type),
			jen.If(jen.Id("c").Dot("IndexIs").Call(jen.Id(s.root), jen.Lit(u.Type))).Block(
				jen.Id("c").Dot("Forward").Call(jen.Id(u.name())),
				jen.Return(),
			))
	}
	return append(code,
		jen.Commentf("forward %s to %s, %s", what, u.name(), g.pos(u.Pos)),
		jen.If(test).Block(
			jen.Id("c").Dot("Forward").Call(jen.Id(u.name())),
			jen.Return(),
		),
	), false, nil
}

// hasIndexOfType reports whether one of the scope's index files has
// extension ext, so a directory may have to be forwarded.
func (s *scope) hasIndexOfType(ext string) bool {
	index := s.w.Index
	if s.ownRoot != nil {
		index = s.ownRoot.Index
	}
	for _, name := range index {
		if i := strings.LastIndexByte(name, '.'); i >= 0 && name[i+1:] == ext && !strings.Contains(name[i:], "/") {
			return true
		}
	}
	return false
}
