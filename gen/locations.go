package gen

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// locationPhase emits the website's choice of location, nginx's: an exact
// URI wins at once; otherwise the first regex that matches, in config
// order; otherwise the longest matching prefix; otherwise the website's
// own later phases. A matching regex beats every prefix, so testing the
// regexes before the prefixes decides the same as nginx, which remembers
// the longest prefix first. The locations see the path after the website's
// rewrites and without the query.
//
//	// location: an exact URI, else the first regex that matches, else the longest prefix
//	switch string(c.Path) {
//	// exact "/", hetao.conf:20:9
//	case "/":
//		serveWebsite1Location1(c)
//		return
//	}
//	switch {
//	// regex "\\.php$", hetao.conf:23:9
//	case bytes.HasSuffix(c.Path, []byte(".php")):
//		serveWebsite1Location4(c)
//		return
//	// prefix "/api/v2/", hetao.conf:22:9
//	case bytes.HasPrefix(c.Path, []byte("/api/v2/")):
//		serveWebsite1Location3(c)
//		return
//	// prefix "/api/", hetao.conf:21:9
//	case bytes.HasPrefix(c.Path, []byte("/api/")):
//		serveWebsite1Location2(c)
//		return
//	}
func (g *generator) locationPhase(s *scope) ([]jen.Code, bool, error) {
	if s.loc != nil || len(s.w.locations) == 0 {
		return nil, false, nil
	}
	var exact, regexes, prefixes []*scope
	for _, l := range s.w.locations {
		switch l.loc.Match {
		case compiler.MatchExact:
			exact = append(exact, l)
		case compiler.MatchPrefix:
			prefixes = append(prefixes, l)
		default:
			regexes = append(regexes, l)
		}
	}
	sort.SliceStable(prefixes, func(i, j int) bool { return len(prefixes[i].loc.URI) > len(prefixes[j].loc.URI) })

	call := func(l *scope) []jen.Code {
		return []jen.Code{jen.Id(l.serveName()).Call(jen.Id("c")), jen.Return()}
	}
	path := jen.Id("c").Dot("Path")
	code := []jen.Code{jen.Comment("location: an exact URI, else the first regex that matches, else the longest prefix")}
	exactTable, prefixTable := locationTables(s.w)
	lookup := func(method string) jen.Code {
		serve := jen.Id("serve")
		return jen.If(serve.Clone().Op(":=").Id(s.w.locationTableName()).Dot(method).Call(path.Clone()), serve.Clone().Op("!=").Nil()).Block(
			serve.Clone().Call(jen.Id("c")), jen.Return())
	}
	if exactTable {
		code = append(code, lookup("Exact"))
		exact = nil
	}
	if len(exact) > 0 {
		var cases []jen.Code
		for _, l := range exact {
			cases = append(cases,
				jen.Commentf("exact %q, %s", l.loc.URI, g.pos(l.loc.Pos)),
				jen.Case(jen.Lit(l.loc.URI)).Block(call(l)...))
		}
		code = append(code, jen.Switch(jen.String().Parens(path)).Block(cases...))
	}
	var cases []jen.Code
	for _, l := range regexes {
		cases = append(cases,
			jen.Commentf("regex %q, %s", l.loc.URI, g.pos(l.loc.Pos)),
			jen.Case(l.match.cond(path)).Block(call(l)...))
	}
	if prefixTable {
		prefixes = nil
	}
	for _, l := range prefixes {
		cases = append(cases,
			jen.Commentf("prefix %q, %s", l.loc.URI, g.pos(l.loc.Pos)),
			jen.Case(l.match.cond(path)).Block(call(l)...))
	}
	if len(cases) > 0 {
		code = append(code, jen.Switch().Block(cases...))
	}
	if prefixTable {
		code = append(code, lookup("Prefix"))
	}
	return code, false, nil
}

// locationDecls emits what a location declares before its handler: its
// regexp (a regex location that is not a literal)
//
//	// website1Location4Regexp is the URI of location regex "\\.ph(p|tml)$" of website1, hetao.conf:23:9.
//	var website1Location4Regexp = regexp.MustCompile(`\.ph(p|tml)$`)
//
// and its own document root, when it sets wwwroot or index (the other
// inherits the website's):
//
//	// website1Location2Root is the document root of location prefix "/img/" of website1.
//	var website1Location2Root = &static.Root{
//		Dir:   "/srv/images",
//		Index: []string{"/index.html"},
//	}
func (g *generator) locationDecls(s *scope) ([]jen.Code, error) {
	var out []jen.Code
	if s.match.kind == matchRegexp {
		out = append(out, doc(fmt.Sprintf("%s is the URI of location regex %q of %s, %s.", s.match.name, s.loc.URI, s.w.name(), g.pos(s.loc.Pos))).
			Var().Id(s.match.name).Op("=").Add(regexpLit(s.loc.URI)), jen.Line())
	}
	if s.ownRoot != nil {
		out = append(out, doc(fmt.Sprintf("%s is the document root of location %s %q of %s.", s.root, s.loc.Match, s.loc.URI, s.w.name())).
			Var().Id(s.root).Op("=").Op("&").Qual(staticPkg, "Root").Add(fields(
			field("Dir", jen.Lit(s.ownRoot.Dir)),
			field("Index", indexList(s.ownRoot.Index)),
		)), jen.Line())
	}
	return out, nil
}

// rootList emits Site.Roots, the document roots of locations, which the
// runtime opens at start besides the websites' own:
//
//	[]*static.Root{
//		website1Location2Root, // location prefix "/img/", hetao.conf:21:9
//	}
func (g *generator) rootList() jen.Code {
	var items []jen.Code
	for _, w := range g.websites {
		for _, l := range w.locations {
			if l.ownRoot != nil {
				items = append(items, jen.Id(l.root).Op(",").Comment(fmt.Sprintf("location %s %q, %s", l.loc.Match, l.loc.URI, g.pos(l.loc.Pos))))
			}
		}
	}
	if len(items) == 0 {
		return nil
	}
	return jen.Index().Op("*").Qual(staticPkg, "Root").Add(lines(items))
}
