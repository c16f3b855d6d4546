package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// A phase is one step of a website's request handling. Phases run in
// hetao's order, which is nginx's (find website → rewrite → redirect →
// location → forward → app → static). The order is fixed here, at build
// time: a handler calls only the phases its website has, so a website
// without redirects has no redirect code, as nginx leaves out empty phases.
type phase struct {
	name string // as the handler's doc comment lists it
	// emit returns the phase's statements, none when the website has
	// nothing to do in it; done means the phase always answers, so no later
	// phase is emitted.
	emit func(g *generator, w *website) (code []jen.Code, done bool, err error)
}

var phases = []phase{
	{"rewrite", (*generator).rewritePhase},
	{"redirect", (*generator).redirectPhase},
	{"location", (*generator).locationPhase},
	{"forward", (*generator).forwardPhase},
	{"app", (*generator).appPhase},
	{"static", (*generator).staticPhase},
}

// rewritePhase will rewrite the URI before the later phases see it.
// Not generated yet: a website with rewrite rules is refused.
func (g *generator) rewritePhase(w *website) ([]jen.Code, bool, error) {
	if len(w.Rewrites) > 0 {
		return nil, false, g.notYet(w.Rewrites[0].Pos, "rewrite")
	}
	return nil, false, nil
}

// redirectPhase emits the website's redirects, hosts named first, then the
// one for every other host, which ends the handler:
//
//	// redirect "test.com", hetao.conf:44:13
//	if c.HostIs("test.com") {
//		c.Redirect(301, "http://www.test.com")
//		return
//	}
//	// redirect every other host, hetao.conf:47:13
//	c.Redirect(301, "http://www.example.com")
func (g *generator) redirectPhase(w *website) ([]jen.Code, bool, error) {
	var (
		code     []jen.Code
		catchAll *compiler.Redirect
	)
	for i := range w.Redirects {
		r := &w.Redirects[i]
		if r.Domain == "" {
			if catchAll == nil {
				catchAll = r
			}
			continue
		}
		code = append(code,
			jen.Commentf("redirect %q, %s", r.Domain, g.pos(r.Pos)),
			jen.If(hostIs(r.Domain)).Block(redirect(r), jen.Return()),
		)
	}
	if catchAll != nil {
		code = append(code,
			jen.Commentf("redirect every other host, %s", g.pos(catchAll.Pos)),
			redirect(catchAll),
		)
	}
	return code, catchAll != nil, nil
}

// hostIs emits the test of the request's Host against a domain, ASCII
// case-insensitive, with or without ":port", as website lookup does:
// c.HostIs("test.com").
func hostIs(domain string) jen.Code {
	return jen.Id("c").Dot("HostIs").Call(jen.Lit(domain))
}

// redirect emits c.Redirect(301, "http://www.test.com").
func redirect(r *compiler.Redirect) *jen.Statement {
	code := r.Code
	if code == 0 {
		code = 301
	}
	return jen.Id("c").Dot("Redirect").Call(jen.Lit(code), jen.Lit(r.NewDomain))
}

// locationPhase will hand the request to the location whose URI matches.
// Not generated yet: a website with locations is refused.
func (g *generator) locationPhase(w *website) ([]jen.Code, bool, error) {
	if len(w.Locations) > 0 {
		return nil, false, g.notYet(w.Locations[0].Pos, "location")
	}
	return nil, false, nil
}

// forwardPhase will proxy requests of the forward type to the backends.
// Not generated yet: a website with a forward is refused.
func (g *generator) forwardPhase(w *website) ([]jen.Code, bool, error) {
	if w.Forward != nil {
		return nil, false, g.notYet(w.Forward.Pos, "forward")
	}
	return nil, false, nil
}

// appPhase will call the website's compiled-in application.
// Not generated yet: a website with an app is refused.
func (g *generator) appPhase(w *website) ([]jen.Code, bool, error) {
	if w.App != nil {
		return nil, false, g.notYet(w.App.Pos, "app")
	}
	return nil, false, nil
}

// staticPhase emits the content phase, which always answers:
//
//	c.Static(website2Root)
func (g *generator) staticPhase(w *website) ([]jen.Code, bool, error) {
	return []jen.Code{jen.Id("c").Dot("Static").Call(jen.Id(w.rootName()))}, true, nil
}

// notYet is the error for a phase hetaoc cannot generate yet: refusing the
// config beats building a site that silently ignores part of it.
func (g *generator) notYet(p compiler.Pos, what string) error {
	return fmt.Errorf("%s: %s is not supported by this hetaoc yet; remove it from the website to build", g.pos(p), what)
}
