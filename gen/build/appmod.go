package build

import (
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// The generated module is hetaoc's own go.mod and go.sum (module
// github.com/hetaoc/hetao, so that the runtime's import paths resolve)
// plus, for each module that holds an app, what building it needs:
//
//	require example.com/shop v0.0.0-00010101000000-000000000000
//	require ( …the app module's requirements… // indirect )
//	replace example.com/shop => /abs/dir/of/shop
//	replace ( …the app module's own replaces, relative paths made absolute… )
//
// with the go line and shared requirements raised to the highest version
// either side asks for, and the app module's go.sum lines merged in, so
// that `go build -mod=readonly` works offline when the module cache holds
// the app's dependencies (an app without dependencies needs nothing).

// zeroVersion is the version an app module is required at: any does, as
// the replace names a directory.
const zeroVersion = "v0.0.0-00010101000000-000000000000"

// appModule is the module that holds one or more apps.
type appModule struct {
	dir  string // absolute
	mod  *modfile.File
	sum  []byte
	pos  compiler.Pos // the first app that names it
	apps []*compiler.App
}

// appModules reads the go.mod (and go.sum, if any) of the module of every
// app of cfg, each module once, from where the compiler resolved it
// (App.ModuleDir, App.Module: it has checked everything that could fail
// here but I/O).
func appModules(cfg *compiler.Config) ([]*appModule, error) {
	var (
		out   []*appModule
		byMod = map[string]*appModule{}
	)
	for _, a := range configApps(cfg) {
		if a.ModuleDir == "" {
			return nil, fmt.Errorf("gen: app %s at %s has no resolved module: load the configuration with compiler.Options.Build", a.Package, a.Pos)
		}
		if m := byMod[a.Module]; m != nil {
			m.apps = append(m.apps, a)
			continue
		}
		dir := a.ModuleDir
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			return nil, err
		}
		mod, err := modfile.Parse(filepath.Join(dir, "go.mod"), data, nil)
		if err != nil {
			return nil, err // the compiler parsed it: it changed since
		}
		sum, err := os.ReadFile(filepath.Join(dir, "go.sum"))
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		m := &appModule{dir: dir, mod: mod, sum: sum, pos: a.Pos, apps: []*compiler.App{a}}
		byMod[a.Module] = m
		out = append(out, m)
	}
	return out, nil
}

// moduleFiles returns the go.mod and go.sum of the generated module:
// hetaoc's own, unchanged when the site has no app.
func moduleFiles(cfg *compiler.Config) (gomod, gosum []byte, err error) {
	gomod, err = fs.ReadFile(hetao.Source, "go.mod")
	if err != nil {
		return nil, nil, err
	}
	gosum, err = fs.ReadFile(hetao.Source, "go.sum")
	if err != nil {
		return nil, nil, err
	}
	mods, err := appModules(cfg)
	if err != nil || len(mods) == 0 {
		return gomod, gosum, err
	}
	gomod, err = mergeGoMod(gomod, mods)
	if err != nil {
		return nil, nil, err
	}
	sums := [][]byte{gosum}
	for _, m := range mods {
		sums = append(sums, m.sum)
	}
	return gomod, mergeGoSum(sums...), nil
}

// mergeGoMod adds the app modules to hetaoc's go.mod (see the top of
// this file), edited with golang.org/x/mod/modfile and formatted as the go
// command writes it. Requirements hetaoc has already are raised in place
// when an app module asks for more. Two app modules replacing one module
// differently were refused by the compiler (checkModuleReplaces): the
// first replace is kept.
func mergeGoMod(base []byte, mods []*appModule) ([]byte, error) {
	own, err := modfile.Parse("go.mod", base, nil)
	if err != nil {
		return nil, fmt.Errorf("hetaoc's own go.mod: %v", err)
	}
	want := map[string]string{} // module → the highest version asked for
	var order []string
	raise := func(p, v string) {
		old, ok := want[p]
		if !ok {
			order = append(order, p)
		}
		if !ok || semver.Compare(v, old) > 0 {
			want[p] = v
		}
	}
	have := map[string]bool{}
	for _, r := range own.Require {
		raise(r.Mod.Path, r.Mod.Version)
		have[r.Mod.Path] = true
	}
	goVer := ""
	if own.Go != nil {
		goVer = own.Go.Version
	}
	isApp := map[string]bool{}
	for _, m := range mods {
		isApp[m.mod.Module.Mod.Path] = true
		raise(m.mod.Module.Mod.Path, zeroVersion)
		for _, r := range m.mod.Require {
			raise(r.Mod.Path, r.Mod.Version)
		}
		if m.mod.Go != nil && version.Compare("go"+m.mod.Go.Version, "go"+goVer) > 0 {
			goVer = m.mod.Go.Version
		}
	}
	if own.Go == nil || goVer != own.Go.Version {
		if err := own.AddGoStmt(goVer); err != nil {
			return nil, err
		}
	}
	for _, p := range order {
		switch {
		case have[p]:
			if err := own.AddRequire(p, want[p]); err != nil { // raised in place
				return nil, err
			}
		default:
			own.AddNewRequire(p, want[p], !isApp[p])
		}
	}
	replaced := map[string]bool{}
	addReplace := func(oldPath, oldVersion, newPath, newVersion string) error {
		key := oldPath + "@" + oldVersion
		if replaced[key] {
			return nil
		}
		replaced[key] = true
		return own.AddReplace(oldPath, oldVersion, newPath, newVersion)
	}
	for _, m := range mods {
		if err := addReplace(m.mod.Module.Mod.Path, "", m.dir, ""); err != nil {
			return nil, err
		}
	}
	for _, m := range mods {
		for _, r := range m.mod.Replace {
			newPath := r.New.Path
			if modfile.IsDirectoryPath(newPath) && !filepath.IsAbs(newPath) {
				newPath = filepath.Join(m.dir, newPath)
			}
			if isApp[r.Old.Path] && r.Old.Version == "" {
				continue // an app module's replace of another app module: the directory hetaoc was given wins
			}
			if err := addReplace(r.Old.Path, r.Old.Version, newPath, r.New.Version); err != nil {
				return nil, err
			}
		}
	}
	own.Cleanup()
	return modfile.Format(own.Syntax), nil
}

// mergeGoSum joins go.sum files: every distinct line once, sorted as the
// go command writes them.
func mergeGoSum(sums ...[]byte) []byte {
	seen := map[string]bool{}
	var lines []string
	for _, s := range sums {
		for _, line := range strings.Split(string(s), "\n") {
			if line = strings.TrimSpace(line); line != "" && !seen[line] {
				seen[line] = true
				lines = append(lines, line)
			}
		}
	}
	sort.Strings(lines)
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// configApps lists the app blocks of cfg in config order, each once.
func configApps(cfg *compiler.Config) []*compiler.App {
	var out []*compiler.App
	seen := map[*compiler.App]bool{}
	add := func(a *compiler.App) {
		if a != nil && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, l := range cfg.Listens {
		for _, w := range l.Websites {
			add(w.App)
			for _, loc := range w.Locations {
				add(loc.App)
			}
		}
	}
	return out
}
