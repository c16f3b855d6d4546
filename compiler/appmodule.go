package compiler

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// hetaoModule is hetaoc's own module, which the generated module is: an
// app module of that path could not be added to it.
const hetaoModule = "github.com/hetaoc/hetao"

// appModule is a module apps are taken from, as resolveModule found it.
type appModule struct {
	dir  string // absolute, expanded
	at   Pos    // the dir of the first app taken from it
	key  string // that dir's key path, for messages
	file *modfile.File
}

// resolveModule finds the module that holds app a and records it in the
// IR (a.ModuleDir, a.Module): everything the build adds to the generated
// module comes from there, so everything that would make that fail is
// reported here, at the key to change. It runs when the file system may
// be consulted, and with Options.Build always (the build cannot do
// without it). It reports whether the module was resolved.
func (c *checker) resolveModule(o *obj, a *App) bool {
	dv, pv := o.value("dir"), o.value("package")
	if a.Dir == "" || dv == nil || pv == nil || a.Package == "" || checkImportPath(a.Package) != "" {
		return false
	}
	if c.opt.NoFS && !c.opt.Build {
		return false
	}
	dir, ok := c.expand(a.Dir)
	if !ok {
		return false // an unset variable: an error at it (path)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if c.opt.NoFS { // checkDir has not said it
			c.d.errorf(dv.pos, "%s %q is not a directory", o.key("dir"), dir)
		}
		return false
	}
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		c.d.errorf(dv.pos, "%s %q has no go.mod (%s): dir is the root of the module that holds package %q",
			o.key("dir"), dir, describeFileErr(err), a.Package)
		return false
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		c.d.errorf(dv.pos, "%s: %s", o.key("dir"), firstLine(err))
		return false
	}
	if f.Module == nil || f.Module.Mod.Path == "" {
		c.d.errorf(dv.pos, "%s: %s has no module line", o.key("dir"), gomod)
		return false
	}
	mod := f.Module.Mod.Path
	if mod == hetaoModule || strings.HasPrefix(mod, hetaoModule+"/") {
		c.d.errorf(dv.pos, "%s %q holds module %s, hetaoc's own, which a site cannot import: put the handler in a module of its own", o.key("dir"), dir, mod)
		return false
	}
	if rel, in := strings.CutPrefix(a.Package, mod); !in || rel != "" && rel[0] != '/' {
		c.d.errorf(pv.pos, "%s %q is not in module %s, which dir %q holds", o.key("package"), a.Package, mod, dir)
		return false
	}
	if c.modules == nil {
		c.modules = map[string]*appModule{}
	}
	if m := c.modules[mod]; m != nil && m.dir != dir {
		c.d.errorf(dv.pos, "%s %q holds module %s, which an app at %s takes from %q already: the site can hold one copy of a module, so point every app of it at one dir",
			o.key("dir"), dir, mod, m.at.short(dv.pos), m.dir)
		return false
	} else if m == nil {
		c.modules[mod] = &appModule{dir: dir, at: dv.pos, key: o.key("dir"), file: f}
		c.moduleOrder = append(c.moduleOrder, mod)
	}
	a.ModuleDir, a.Module = dir, mod
	return true
}

// checkModuleReplaces reports app modules whose replace directives
// disagree: the generated module holds every app module's replaces, one
// per module (and version). A replace of another app module is left out
// of it (the dir hetaoc was given wins), so it cannot clash.
func (c *checker) checkModuleReplaces() {
	type rep struct {
		new, from string
		at        Pos
	}
	seen := map[string]rep{}
	for _, mod := range c.moduleOrder {
		m := c.modules[mod]
		for _, r := range m.file.Replace {
			if _, app := c.modules[r.Old.Path]; app && r.Old.Version == "" {
				continue
			}
			newPath := r.New.Path
			if modfile.IsDirectoryPath(newPath) && !filepath.IsAbs(newPath) {
				newPath = filepath.Join(m.dir, newPath)
			}
			if r.New.Version != "" {
				newPath += " " + r.New.Version
			}
			key := r.Old.Path + "@" + r.Old.Version
			if f, dup := seen[key]; dup && f.new != newPath {
				c.d.errorf(m.at, "%s: module %s replaces %s with %s, and app module %s (at %s) with %s: the site's module can hold one replacement, so make them agree",
					m.key, mod, r.Old.Path, newPath, f.from, f.at.short(m.at), f.new)
				continue
			}
			seen[key] = rep{new: newPath, from: mod, at: m.at}
		}
	}
}
