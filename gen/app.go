package gen

import (
	"fmt"
	"go/token"
	"go/types"
	"path"
	"regexp"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// An app is a Go handler compiled into the site. At run time it is an
// upstream with one backend, the handler's own http.Server in the worker
// (package runtime/app), so the app phase is a forward to it and
// everything the proxy does (streaming, pooling, 502/504, the access log)
// applies unchanged.

// appPkg is the runtime package that runs apps; only sites with an app
// import it (and net/http).
const appPkg = "github.com/hetaoc/hetao/runtime/app"

// appUpstream is one app block, declared once as appN however many scopes
// use it (a location without an app of its own shares its website's).
type appUpstream struct {
	*compiler.App
	n     int
	owner string // the scope that declares it, for comments
	alias string // the name its package is imported under
}

func (a *appUpstream) name() string { return fmt.Sprintf("app%d", a.n) }

// addr is the app's address in the logs: "app:example.com/shop/api.Serve".
func (a *appUpstream) addr() string { return "app:" + a.Package + "." + a.Handler }

// appOf returns the app of block a (nil: none), numbering a new one in the
// order scopes are planned.
func (g *generator) appOf(s *scope, a *compiler.App) *appUpstream {
	if a == nil {
		return nil
	}
	if u := g.byApp[a]; u != nil {
		return u
	}
	owner := s.w.title()
	if s.loc != nil {
		owner = fmt.Sprintf("%s location %s %q", s.w.title(), s.loc.Match, s.loc.URI)
	}
	u := &appUpstream{App: a, n: len(g.apps) + 1, owner: owner, alias: g.aliases[a.Package]}
	if u.alias == "" {
		u.alias = importAlias(a.Package, g.aliases)
		g.aliases[a.Package] = u.alias
	}
	g.apps = append(g.apps, u)
	g.byApp[a] = u
	return u
}

// generatedName matches the package-level names generated code declares,
// which an app package's import name must not shadow.
var generatedName = regexp.MustCompile(`^(main|site|mimeTypes|(hosts|website|serveWebsite|rewrite|upstream|app)[0-9].*)$`)

// numberedName matches the generated names that are a word and a number:
// no suffix makes such a name free.
var numberedName = regexp.MustCompile(`^(hosts|website|serveWebsite|rewrite|upstream|app)[0-9]`)

// importAlias names the import of an app package: its last element made an
// identifier ("example.com/shop/api" → api, "example.com/go-kit/v2" →
// gokit), unless that is taken by another app package, a package the
// generated code imports, a generated name or a Go keyword or predeclared
// name: then "app" is added, and a number if need be ("pkg" goes before a
// name of the generated kind, website3). The alias is always written in
// the import, so the package's real name does not matter.
func importAlias(pkg string, taken map[string]string) string {
	elem := path.Base(pkg)
	if isMajorVersion(elem) && strings.Contains(pkg, "/") {
		elem = path.Base(path.Dir(pkg))
	}
	var b strings.Builder
	for _, r := range elem {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' && b.Len() > 0 {
			b.WriteRune(r)
		}
	}
	base := b.String()
	if base == "" || numberedName.MatchString(base) {
		base = "pkg" + base
	}
	used := func(name string) bool {
		switch name {
		case "", "_", "server", "static", "phash", "logs", "app", "http", "os", "bytes", "regexp", "strings", "c":
			return true
		}
		if token.IsKeyword(name) || types.Universe.Lookup(name) != nil || generatedName.MatchString(name) {
			return true
		}
		for _, a := range taken {
			if a == name {
				return true
			}
		}
		return false
	}
	if !used(base) {
		return base
	}
	alias := base + "app"
	for i := 2; used(alias); i++ {
		alias = fmt.Sprintf("%sapp%d", base, i)
	}
	return alias
}

// isMajorVersion reports whether an import path element is a major
// version suffix: v2, v3, …
func isMajorVersion(e string) bool {
	if len(e) < 2 || e[0] != 'v' {
		return false
	}
	for _, r := range e[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// appVar emits, for the scope that declares it,
//
//	// app1 is the app of "a.example" location prefix "/api/", hetao.conf:30:9:
//	// example.com/shop/api.Serve, run in this process and reached as an upstream.
//	var app1 = &server.Upstream{
//		Name: "app:example.com/shop/api.Serve",
//		App:  app.New(http.HandlerFunc(api.Serve)), // app example.com/shop/api.Serve, hetao.conf:30:9
//	}
//
// The comment on the App line is what a build error there is reported by:
// an app's handler that is missing or of the wrong type is the
// configuration's fault, not hetaoc's.
func (g *generator) appVar(a *appUpstream) jen.Code {
	handler := jen.Qual(appPkg, "New").Call(jen.Qual("net/http", "HandlerFunc").Call(jen.Qual(a.Package, a.Handler)))
	return doc(
		fmt.Sprintf("%s is the app of %s, %s:", a.name(), a.owner, g.pos(a.Pos)),
		fmt.Sprintf("%s.%s, run in this process and reached as an upstream.", a.Package, a.Handler),
	).Var().Id(a.name()).Op("=").Op("&").Qual(serverPkg, "Upstream").Add(lines([]jen.Code{
		jen.Id("Name").Op(":").Lit(a.addr()).Op(","),
		jen.Id("App").Op(":").Add(handler).Op(",").Comment(fmt.Sprintf("app %s.%s, %s", a.Package, a.Handler, g.pos(a.Pos))),
	}))
}

// declaresApp reports whether s is the first scope that uses a, which
// declares it.
func (g *generator) declaresApp(s *scope, a *appUpstream) bool {
	for _, w := range g.websites {
		for _, t := range append([]*scope{w.self}, w.locations...) {
			if t.app == a {
				return t == s
			}
		}
	}
	return false
}

// appPhase emits the app test of the scope, after its forward: the app's
// type against the extension of the (maybe rewritten) path's last element,
// as forward_type is tested,
//
//	// *.do goes to app1 (app:example.com/shop/api.Serve), hetao.conf:30:9
//	if string(static.Ext(c.Path)) == "do" {
//		c.Forward(app1)
//		return
//	}
//
// and with type "" every request that reaches the phase, which then always
// answers:
//
//	// every request goes to app1 (app:example.com/shop/api.Serve), hetao.conf:30:9
//	c.Forward(app1)
func (g *generator) appPhase(s *scope) ([]jen.Code, bool, error) {
	a := s.app
	if a == nil {
		return nil, false, nil
	}
	forward := jen.Id("c").Dot("Forward").Call(jen.Id(a.name()))
	if a.Type == "" {
		return []jen.Code{
			jen.Commentf("every request goes to %s (%s), %s", a.name(), a.addr(), g.pos(a.Pos)),
			forward,
		}, true, nil
	}
	var code []jen.Code
	if s.hasIndexOfType(a.Type) {
		code = append(code,
			jen.Commentf("a directory whose index file is *.%s goes there too, as nginx's index does", a.Type),
			jen.If(jen.Id("c").Dot("IndexIs").Call(jen.Id(s.root), jen.Lit(a.Type))).Block(forward, jen.Return()))
	}
	ext := jen.Qual(staticPkg, "Ext").Call(jen.Id("c").Dot("Path"))
	return append(code,
		jen.Commentf("*.%s goes to %s (%s), %s", a.Type, a.name(), a.addr(), g.pos(a.Pos)),
		jen.If(jen.String().Parens(ext).Op("==").Lit(a.Type)).Block(forward, jen.Return()),
	), false, nil
}
