package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// planTryFiles: a location without try_files uses its website's, as nginx
// inherits it.
func (s *scope) planTryFiles() {
	s.tryFiles, s.tryFilesName = s.w.TryFiles, s.w.name()+"TryFiles"
	if s.loc != nil && s.loc.TryFiles != nil {
		s.tryFiles, s.tryFilesName = s.loc.TryFiles, s.prefix()+"TryFiles"
	}
}

// declaresTryFiles: the scope whose own try_files it is declares it.
func (s *scope) declaresTryFiles() bool {
	if s.loc == nil {
		return s.tryFiles != nil
	}
	return s.loc.TryFiles != nil
}

// tryFilesVar emits
//
//	// website1TryFiles is try_files $uri $uri.html $uri/ /index.html, hetao.conf:12:17.
//	var website1TryFiles = &server.TryFiles{
//		Try: []server.TryPath{
//			{URI: true},                 // $uri
//			{URI: true, After: ".html"}, // $uri.html
//			{URI: true, After: "/"},     // $uri/
//		},
//		Fallback: "/index.html",
//	}
func (g *generator) tryFilesVar(s *scope) jen.Code {
	t := s.tryFiles
	var tries []jen.Code
	for _, p := range t.Paths {
		before, after, uri := p, "", false
		if i := strings.Index(p, "$uri"); i >= 0 {
			before, after, uri = p[:i], p[i+len("$uri"):], true
		}
		var fs []jen.Code
		if before != "" {
			fs = append(fs, field("Before", jen.Lit(before)))
		}
		if uri {
			fs = append(fs, field("URI", jen.True()))
		}
		if after != "" {
			fs = append(fs, field("After", jen.Lit(after)))
		}
		tries = append(tries, jen.Values(fs...).Op(",").Comment(p))
	}
	items := []jen.Code{jen.Id("Try").Op(":").Index().Qual(serverPkg, "TryPath").Add(lines(tries)).Op(",")}
	if t.Fallback != "" {
		items = append(items, field("Fallback", jen.Lit(t.Fallback)).(*jen.Statement).Op(","))
	} else {
		items = append(items, field("Status", jen.Lit(t.Status)).(*jen.Statement).Op(","))
	}
	return doc(fmt.Sprintf("%s is try_files %s, %s.", s.tryFilesName, t.String(), g.pos(t.Pos))).
		Var().Id(s.tryFilesName).Op("=").Op("&").Qual(serverPkg, "TryFiles").Custom(jen.Options{Open: "{", Close: "}", Multi: true}, items...)
}
