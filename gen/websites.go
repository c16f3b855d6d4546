package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// websitesFile emits websites.go: per website, in config order, its
// *server.Website, its document root, what its handler uses (rewrite
// regexps, its upstream, its app) and its handler; then the same for each
// of its locations.
func (g *generator) websitesFile(f *jen.File) error {
	for _, w := range g.websites {
		f.Add(g.websiteVar(w))
		f.Line()
		f.Add(g.rootVar(w))
		f.Line()
		for _, s := range append([]*scope{w.self}, w.locations...) {
			if s.loc != nil {
				decls, err := g.locationDecls(s)
				if err != nil {
					return err
				}
				f.Add(decls...)
			}
			if s.declaresHeaders() {
				f.Add(g.headersVar(s))
				f.Line()
			}
			if len(s.access) > 0 {
				f.Add(g.accessVar(s))
				f.Line()
			}
			if s.limitReq != nil {
				f.Add(g.limitReqVar(s))
				f.Line()
			}
			if s.authBasic != nil {
				f.Add(g.authBasicVar(s))
				f.Line()
			}
			if s.declaresTryFiles() {
				f.Add(g.tryFilesVar(s))
				f.Line()
			}
			f.Add(g.rewriteVars(s)...)
			if s.redirectTable() {
				f.Add(g.redirectTableVar(s), jen.Line())
			}
			if u := s.forward; u != nil && g.declares(s, u) {
				f.Add(g.upstreamVar(u))
				f.Line()
			}
			if a := s.app; a != nil && g.declaresApp(s, a) {
				f.Add(g.appVar(a))
				f.Line()
			}
			serve, err := g.serveFunc(s)
			if err != nil {
				return err
			}
			f.Add(serve)
			f.Line()
		}
		if e, p := locationTables(w); e || p {
			f.Add(g.locationTableVar(w))
			f.Line()
		}
	}
	return nil
}

// declares reports whether s is the first scope that uses u, which
// declares it.
func (g *generator) declares(s *scope, u *upstream) bool {
	for _, w := range g.websites {
		for _, t := range append([]*scope{w.self}, w.locations...) {
			if t.forward == u {
				return t == s
			}
		}
	}
	return false
}

func (w *website) name() string      { return fmt.Sprintf("website%d", w.n) }
func (w *website) rootName() string  { return fmt.Sprintf("website%dRoot", w.n) }
func (w *website) serveName() string { return fmt.Sprintf("serveWebsite%d", w.n) }

// title names a website for comments: `"www.test.com"` or
// `the default website ("")`.
func (w *website) title() string {
	if w.Domain == "" {
		return `the default website ("")`
	}
	return fmt.Sprintf("%q", w.Domain)
}

// on names the listens a website is served on: ":80" or ":80 and :8080".
func (w *website) on() string {
	var addrs []string
	for _, l := range w.listens {
		addrs = append(addrs, listenAddr(l))
	}
	if len(addrs) > 1 {
		return strings.Join(addrs[:len(addrs)-1], ", ") + " and " + addrs[len(addrs)-1]
	}
	return strings.Join(addrs, "")
}

// websiteVar emits
//
//	// website2 is "www.test.com" on :80, hetao.conf:40:9.
//	var website2 = &server.Website{
//		Domain:    "www.test.com",
//		AccessLog: "/var/hetao/log/www_test_com_access.log",
//		Root:      website2Root,
//		Serve:     serveWebsite2,
//	}
func (g *generator) websiteVar(w *website) jen.Code {
	return doc(fmt.Sprintf("%s is %s on %s, %s.", w.name(), w.title(), w.on(), g.pos(w.Pos))).
		Var().Id(w.name()).Op("=").Op("&").Qual(serverPkg, "Website").Add(fields(
		field("Domain", jen.Lit(w.Domain)),
		field("AccessLog", jen.Lit(w.AccessLog)),
		field("Root", jen.Id(w.rootName())),
		field("Serve", jen.Id(w.serveName())),
	))
}

// rootVar emits
//
//	// website2Root is the document root of website2.
//	var website2Root = &static.Root{
//		Dir:   "/var/hetao/www",
//		Index: []string{"/index.html", "/index.htm"},
//	}
//
// It is a variable of its own so that the handler can name it without an
// initialisation cycle through website2.
func (g *generator) rootVar(w *website) jen.Code {
	return doc(fmt.Sprintf("%s is the document root of %s.", w.rootName(), w.name())).
		Var().Id(w.rootName()).Op("=").Op("&").Qual(staticPkg, "Root").Add(fields(
		field("Dir", jen.Lit(w.Wwwroot)),
		field("Index", indexList(w.Index)),
	))
}

// indexList emits []string{"/index.html", "/index.htm"}, or nil.
func indexList(index []string) jen.Code {
	if len(index) == 0 {
		return jen.Nil()
	}
	var names []jen.Code
	for _, n := range index {
		names = append(names, jen.Lit(n))
	}
	return jen.Index().String().Values(names...)
}

// serveFunc emits the handler of a website or location: its phases in
// order, empty ones left out, nothing after a phase that always answers.
//
//	// serveWebsite2 answers requests for "www.test.com" on :80 (hetao.conf:40:9):
//	// phases: redirect, static.
//	func serveWebsite2(c *server.Ctx) {
//		// redirect "test.com", hetao.conf:44:13
//		if c.HostIs("test.com") {
//			c.Redirect(301, "http://www.test.com")
//			return
//		}
//		c.Static(website2Root)
//	}
func (g *generator) serveFunc(s *scope) (jen.Code, error) {
	var (
		body  []jen.Code
		steps []string
	)
	for _, p := range phases {
		code, done, err := p.emit(g, s)
		if err != nil {
			return nil, err
		}
		if len(code) > 0 {
			body = append(body, code...)
			steps = append(steps, p.name)
		}
		if done {
			break
		}
	}
	head := fmt.Sprintf("%s answers requests for %s on %s (%s):", s.serveName(), s.title(), s.w.on(), g.pos(s.pos()))
	if s.loc != nil {
		head = fmt.Sprintf("%s answers the requests of %s that %s chooses (%s):", s.serveName(), s.title(), s.w.serveName(), g.pos(s.pos()))
	}
	return doc(head, "phases: "+strings.Join(steps, ", ")+".").
		Func().Id(s.serveName()).Params(jen.Id("c").Op("*").Qual(serverPkg, "Ctx")).Block(body...), nil
}
