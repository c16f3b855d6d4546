package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// A phase is one step of a handler's request handling. Phases run in
// hetao's order, which is nginx's (find website → rewrite → redirect →
// location → forward → app → static), after the ones that decide whether
// to answer at all: the header fields every answer carries, allow/deny,
// limit_req and auth_basic. The order is fixed here, at build time: a handler calls only
// the phases its website or location has, so a website without redirects
// has no redirect code, as nginx leaves out empty phases.
type phase struct {
	name string // as the handler's doc comment lists it
	// emit returns the phase's statements, none when the scope has nothing
	// to do in it; done means the phase always answers, so no later phase
	// is emitted.
	emit func(g *generator, s *scope) (code []jen.Code, done bool, err error)
}

var phases = []phase{
	{"headers", (*generator).headersPhase},
	{"access", (*generator).accessPhase},
	{"limit_req", (*generator).limitReqPhase},
	{"auth_basic", (*generator).authBasicPhase},
	{"rewrite", (*generator).rewritePhase},
	{"redirect", (*generator).redirectPhase},
	{"location", (*generator).locationPhase},
	{"forward", (*generator).forwardPhase},
	{"app", (*generator).appPhase},
	{"static", (*generator).staticPhase},
}

// A scope is what one generated handler serves: a website, or one of its
// locations. A location's empty fields inherit the website's: its forward,
// app and document root (wwwroot and index each). Its rewrites and
// redirects are its own only: the website's have already run when the
// location is chosen.
type scope struct {
	w   *website
	loc *compiler.Location // nil: the website itself
	n   int                // the location's number in its website, from 1

	rewrites  []*rewriteRule
	redirects []compiler.Redirect
	forward   *upstream    // nil: nothing is forwarded
	app       *appUpstream // nil: no app
	root      string       // the *static.Root variable files are served from
	ownRoot   *ownRoot     // a location's own root, declared with it
	match     *textMatch   // how a location's URI is tested against c.Path

	hdrs  []compiler.Header    // fields added to every answer (headers.go)
	cache []compiler.CacheRule // Cache-Control by file type

	tryFiles     *compiler.TryFiles // nil: the path alone (tryfiles.go)
	tryFilesName string

	access    []compiler.AccessRule // its own allow/deny (access.go)
	limitReq  *compiler.LimitReq    // its own limit_req
	authBasic *compiler.AuthBasic   // its own auth_basic (auth.go)
	autoindex bool                  // directories without an index are listed
}

// ownRoot is the document root of a location that sets wwwroot or index.
type ownRoot struct {
	Dir   string
	Index []string
}

// newScope plans the handler of website w (loc nil) or of its n-th
// location: the names of the variables it declares and what it inherits.
func (g *generator) newScope(w *website, loc *compiler.Location, n int) *scope {
	s := &scope{w: w, loc: loc, n: n, root: w.rootName()}
	s.planHeaders()
	s.planTryFiles()
	if w.Autoindex != nil {
		s.autoindex = *w.Autoindex
	}
	if loc != nil && loc.Autoindex != nil {
		s.autoindex = *loc.Autoindex
		if s.autoindex && loc.TryFiles == nil {
			s.tryFiles = nil // the location's own autoindex beats its website's try_files
		}
	}
	if loc == nil {
		s.access, s.limitReq, s.authBasic = w.Access, w.LimitReq, w.AuthBasic
	} else {
		s.access, s.limitReq, s.authBasic = loc.Access, loc.LimitReq, loc.AuthBasic
	}
	if loc == nil {
		s.rewrites = g.rewriteRules(s, w.Rewrites)
		s.redirects = w.Redirects
		s.forward = g.upstreamOf(s, w.Forward)
		s.app = g.appOf(s, w.App)
		return s
	}
	s.rewrites = g.rewriteRules(s, loc.Rewrites)
	s.redirects = loc.Redirects
	s.forward = g.upstreamOf(s, w.Forward)
	if loc.Forward != nil {
		s.forward = g.upstreamOf(s, loc.Forward)
	}
	s.app = g.appOf(s, w.App)
	if loc.App != nil {
		s.app = g.appOf(s, loc.App)
	}
	if loc.Wwwroot != "" || loc.Index != nil {
		r := &ownRoot{Dir: w.Wwwroot, Index: w.Index}
		if loc.Wwwroot != "" {
			r.Dir = loc.Wwwroot
		}
		if loc.Index != nil {
			r.Index = loc.Index
		}
		s.ownRoot, s.root = r, s.prefix()+"Root"
	}
	switch loc.Match {
	case compiler.MatchExact:
		s.match = &textMatch{kind: matchEqual, lit: loc.URI}
	case compiler.MatchPrefix:
		s.match = &textMatch{kind: matchPrefix, lit: loc.URI}
	default:
		s.match = classify(loc.URI)
		if s.match.kind == matchRegexp {
			s.match.name = s.prefix() + "Regexp"
		}
	}
	return s
}

// prefix is the start of the names the scope declares: "website1" or
// "website1Location2".
func (s *scope) prefix() string {
	if s.loc == nil {
		return s.w.name()
	}
	return fmt.Sprintf("%sLocation%d", s.w.name(), s.n)
}

// serveName names the scope's handler: serveWebsite1, serveWebsite1Location2.
func (s *scope) serveName() string {
	if s.loc == nil {
		return s.w.serveName()
	}
	return fmt.Sprintf("%sLocation%d", s.w.serveName(), s.n)
}

// title names the scope in comments: `"a.example"` or
// `location prefix "/api/" of "a.example"`.
func (s *scope) title() string {
	if s.loc == nil {
		return s.w.title()
	}
	return fmt.Sprintf("location %s %q of %s", s.loc.Match, s.loc.URI, s.w.title())
}

// pos is the config position of the scope's website or location.
func (s *scope) pos() compiler.Pos {
	if s.loc == nil {
		return s.w.Pos
	}
	return s.loc.Pos
}

// redirectPhase emits the scope's redirects, hosts named first, then the
// one for every other host, which ends the handler:
//
//	// redirect "test.com", hetao.conf:44:13
//	if c.HostIs("test.com") {
//		c.Redirect(301, "http://www.test.com")
//		return
//	}
//	// redirect every other host, hetao.conf:47:13
//	c.Redirect(301, "http://www.example.com")
func (g *generator) redirectPhase(s *scope) ([]jen.Code, bool, error) {
	var (
		code     []jen.Code
		catchAll *compiler.Redirect
	)
	if s.redirectTable() {
		code = g.redirectTablePhase(s)
	}
	for i := range s.redirects {
		r := &s.redirects[i]
		if r.Domain == "" {
			if catchAll == nil {
				catchAll = r
			}
			continue
		}
		if s.redirectTable() {
			continue // in the table
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

// staticPhase emits the content phase, which always answers:
//
//	c.Static(website2Root)
//
// or, with try_files:
//
//	c.TryFiles(website2Root, website2TryFiles)
//
// or, with autoindex (and no try_files):
//
//	c.StaticAutoindex(website2Root)
func (g *generator) staticPhase(s *scope) ([]jen.Code, bool, error) {
	if s.tryFiles != nil {
		return []jen.Code{jen.Id("c").Dot("TryFiles").Call(jen.Id(s.root), jen.Id(s.tryFilesName))}, true, nil
	}
	if s.autoindex {
		return []jen.Code{jen.Id("c").Dot("StaticAutoindex").Call(jen.Id(s.root))}, true, nil
	}
	return []jen.Code{jen.Id("c").Dot("Static").Call(jen.Id(s.root))}, true, nil
}
