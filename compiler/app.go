package compiler

import (
	"bytes"
	"go/ast"
	"go/build"
	goparser "go/parser"
	"go/printer"
	gotoken "go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// checkAppSource proves, when the file system may be consulted, that app a
// resolves as hetaoc build will compile it: dir is the root of a module
// (resolveModule), package lies in that module and has a directory there,
// and the package declares
//
//	func Handler(w http.ResponseWriter, r *http.Request)
//
// The files are only parsed (go/parser), never type-checked: parameter
// names and the name net/http is imported under do not matter, and a
// handler declared as a variable is left to the build. Each problem is
// reported at the value of the key to change (handler: at the app, when
// the default is used).
func (c *checker) checkAppSource(o *obj, a *App) {
	if !c.resolveModule(o, a) || c.opt.NoFS {
		return
	}
	pv, hv := o.value("package"), o.value("handler")
	dir, mod := a.ModuleDir, a.Module
	rel := strings.TrimPrefix(a.Package, mod)
	pkgDir := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(rel, "/")))
	files, err := goFiles(pkgDir)
	switch {
	case os.IsNotExist(err):
		c.d.errorf(pv.pos, "%s %q: module %s has no directory %s", o.key("package"), a.Package, mod, pkgDir)
		return
	case err != nil:
		c.d.errorf(pv.pos, "%s %q: %s: %s", o.key("package"), a.Package, pkgDir, describeFileErr(err))
		return
	case len(files) == 0:
		c.d.errorf(pv.pos, "%s %q: %s holds no Go files that build here", o.key("package"), a.Package, pkgDir)
		return
	}
	hpos, hkey := o.n.pos, o.key("handler")
	if hv != nil {
		hpos = hv.pos
	}
	if a.Handler == "" || !gotoken.IsIdentifier(a.Handler) || !gotoken.IsExported(a.Handler) {
		return // reported by app
	}
	fset := gotoken.NewFileSet()
	for _, f := range files {
		file, err := goparser.ParseFile(fset, f, nil, goparser.SkipObjectResolution)
		if err != nil {
			c.d.errorf(pv.pos, "%s %q does not parse: %v", o.key("package"), a.Package, firstLine(err))
			return
		}
		if file.Name.Name == "main" {
			c.d.errorf(pv.pos, "%s %q is a main package, which cannot be imported: put the handler in a package of its own", o.key("package"), a.Package)
			return
		}
		for _, d := range file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil || d.Name.Name != a.Handler {
					continue
				}
				if !isHandlerFunc(file, d.Type) {
					c.d.errorf(hpos, "%s: %s.%s is %s, not a handler: func(w http.ResponseWriter, r *http.Request)",
						hkey, a.Package, a.Handler, nodeString(fset, d.Type))
				}
				return
			case *ast.GenDecl:
				if d.Tok == gotoken.VAR && declares(d, a.Handler) {
					return // a variable: its type is for the build to check
				}
			}
		}
	}
	c.d.errorf(hpos, "%s: package %q (%s) declares no func %s(w http.ResponseWriter, r *http.Request)", hkey, a.Package, pkgDir, a.Handler)
}

// goFiles lists the Go files of the package in dir that a build on this
// machine compiles: not tests, and only those whose build constraints and
// _GOOS_GOARCH suffixes match, sorted.
func goFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	sort.Strings(out)
	return out, nil
}

// isHandlerFunc reports whether ft, in file, is
// func(http.ResponseWriter, *http.Request), with any parameter names and
// net/http imported under any name (or with a dot).
func isHandlerFunc(file *ast.File, ft *ast.FuncType) bool {
	if ft.TypeParams != nil || ft.Results != nil && len(ft.Results.List) > 0 {
		return false
	}
	var types []ast.Expr
	for _, p := range ft.Params.List {
		n := max(len(p.Names), 1)
		for range n {
			types = append(types, p.Type)
		}
	}
	if len(types) != 2 {
		return false
	}
	httpName := ""
	for _, imp := range file.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "net/http" {
			httpName = "http"
			if imp.Name != nil {
				httpName = imp.Name.Name
			}
		}
	}
	if httpName == "" || httpName == "_" {
		return false
	}
	isHTTP := func(e ast.Expr, name string) bool {
		if httpName == "." {
			id, ok := e.(*ast.Ident)
			return ok && id.Name == name
		}
		sel, ok := e.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		x, ok := sel.X.(*ast.Ident)
		return ok && x.Name == httpName && sel.Sel.Name == name
	}
	star, ok := types[1].(*ast.StarExpr)
	return isHTTP(types[0], "ResponseWriter") && ok && isHTTP(star.X, "Request")
}

// declares reports whether a var declaration names name.
func declares(d *ast.GenDecl, name string) bool {
	for _, s := range d.Specs {
		if vs, ok := s.(*ast.ValueSpec); ok {
			for _, n := range vs.Names {
				if n.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// nodeString prints a syntax node as Go source on one line.
func nodeString(fset *gotoken.FileSet, n ast.Node) string {
	var b bytes.Buffer
	printer.Fprint(&b, fset, n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// firstLine is the first line of an error's message.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
