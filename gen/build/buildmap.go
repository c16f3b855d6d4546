package build

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen"
)

// BuildError is a failed `go build` of a generated site. Its lines name
// the config line each message came from, never a bare generated file:
//
//	hetao.conf:21:9: error: generated code for redirect "test.com" does not compile (go build: websites.go:47:5: undefined: x)
type BuildError struct {
	Lines []string
}

func (e *BuildError) Error() string { return strings.Join(e.Lines, "\n") }

var (
	// goPosRE matches a compiler message: "./websites.go:45:3: msg".
	goPosRE = regexp.MustCompile(`^(?:\./)?([^\s:]+\.go):(\d+)(?::(\d+))?: (.*)$`)
	// offlineRE matches a module the cache lacks under GOPROXY=off.
	offlineRE = regexp.MustCompile(`(\S+)@(v\S+): module lookup disabled by GOPROXY=off`)
	// offlineImportRE matches the same when go names only the importing
	// file: "runtime/logs/file.go:8:2: module lookup disabled by GOPROXY=off".
	offlineImportRE = regexp.MustCompile(`^(?:\./)?([^\s:]+\.go):(\d+)(?::\d+)?: module lookup disabled by GOPROXY=off`)
	// netRE matches a download that failed for want of a network.
	netRE = regexp.MustCompile(`(\S+)@(v[^\s:]+): Get .*(dial tcp|no such host|connection refused|i/o timeout)`)
	// downloadingRE matches go's progress line "go: downloading golang.org/x/sys v0.49.0".
	downloadingRE = regexp.MustCompile(`^go: downloading (\S+) (v\S+)$`)
)

// offlineHint is the message for a module the cache lacks under GOPROXY=off.
func offlineHint(mod string) string {
	if mod == "" {
		return "hetaoc: error: a module the site needs is not in the Go module cache and GOPROXY=off forbids downloading it; " +
			"run `go mod download` in the module `hetaoc gen CONF -d DIR` writes, with network access, or build without GOPROXY=off"
	}
	return fmt.Sprintf("hetaoc: error: module %s is not in the Go module cache and GOPROXY=off forbids downloading it; "+
		"run `go mod download %s` with network access, or build without GOPROXY=off", mod, mod)
}

// mapBuildError turns the output of a failed `go build` in dir into a
// BuildError. An error in an app's own package, or at the generated line
// that names an app's handler, is reported at the app's configuration line
// as the app's: no hetaoc bug.
func mapBuildError(output, dir string, files map[string][]byte, cfg *compiler.Config) error {
	confs := confFiles(cfg)
	apps, _ := appModules(cfg) // read already by WriteModule, so no error now
	var (
		e      BuildError
		seen   = map[string]bool{}
		genBug bool
		add    = func(s string) {
			if !seen[s] {
				seen[s] = true
				e.Lines = append(e.Lines, s)
			}
		}
	)
	for _, line := range strings.Split(strings.TrimSpace(output), "\n") {
		line = strings.TrimSpace(line)
		switch m := goPosRE.FindStringSubmatch(line); {
		case line == "" || strings.HasPrefix(line, "# ") || downloadingRE.MatchString(line):
		case m != nil && appOfFile(apps, dir, m[1]) != nil:
			// Named by its absolute path: the build directory is gone.
			a, file := appOfFile(apps, dir, m[1]), m[1]
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, file)
			}
			add(fmt.Sprintf("%s: error: app %s does not compile (go build: %s%s)", a.Pos, a.Package, file, line[strings.Index(line, m[1])+len(m[1]):]))
		case m != nil && files[m[1]] != nil && appNamed(apps, m[4]) != nil:
			a := appNamed(apps, m[4])
			add(fmt.Sprintf("%s: error: app %s cannot be built (go build: %s)", a.Pos, a.Package, strings.TrimPrefix(line, "./")))
		case m != nil && files[m[1]] != nil && isAppLine(files[m[1]], m[2]):
			n, _ := strconv.Atoi(m[2])
			where, what := configLine(files[m[1]], n, confs)
			add(fmt.Sprintf("%s: error: %s is not a func(http.ResponseWriter, *http.Request) (go build: %s)", where, strings.TrimPrefix(what, "app "), strings.TrimPrefix(line, "./")))
		case offlineRE.MatchString(line):
			m := offlineRE.FindStringSubmatch(line)
			add(offlineHint(m[1] + "@" + m[2]))
		case offlineImportRE.MatchString(line):
			m := offlineImportRE.FindStringSubmatch(line)
			n, _ := strconv.Atoi(m[2])
			add(offlineHint(importedModule(m[1], n, files)))
		case netRE.MatchString(line):
			m := netRE.FindStringSubmatch(line)
			add(fmt.Sprintf("hetaoc: error: module %s@%s is not in the Go module cache and could not be downloaded (%s); "+
				"run `go mod download %s@%s` where the network is reachable", m[1], m[2], m[3], m[1], m[2]))
		case m != nil && files[m[1]] != nil:
			genBug = true
			n, _ := strconv.Atoi(m[2])
			where, what := configLine(files[m[1]], n, confs)
			if where == "" {
				where = filepath.Base(cfg.File)
			}
			add(fmt.Sprintf("%s: error: generated code for %s does not compile (go build: %s)", where, what, strings.TrimPrefix(line, "./")))
		case m != nil:
			genBug = true
			add(fmt.Sprintf("hetaoc: error: the runtime embedded in hetaoc does not compile (go build: %s)", line))
		default:
			add("hetaoc: go build: " + line)
		}
	}
	if genBug {
		add("hetaoc: this is a bug in hetaoc, not in the configuration; `hetaoc gen CONF -d DIR` writes the generated module to inspect")
	}
	if len(e.Lines) == 0 {
		e.Lines = []string{"hetaoc: go build failed without a message"}
	}
	return &e
}

// importedModule names the module (path@version, from the embedded go.mod)
// that provides the import on line n of file, a generated or a runtime
// file; "" when it cannot tell.
func importedModule(file string, n int, files map[string][]byte) string {
	src, ok := files[file]
	if !ok {
		src, _ = fs.ReadFile(hetao.Source, file)
	}
	lines := strings.Split(string(src), "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	_, imp, _ := strings.Cut(lines[n-1], `"`)
	imp, _, _ = strings.Cut(imp, `"`)
	gomod, _ := fs.ReadFile(hetao.Source, "go.mod")
	best := ""
	for _, m := range requireRE.FindAllStringSubmatch(string(gomod), -1) {
		if (imp == m[1] || strings.HasPrefix(imp, m[1]+"/")) && len(m[1]) > len(best) {
			best = m[1] + "@" + m[2]
		}
	}
	return best
}

// requireRE matches a requirement line of go.mod: "\tgolang.org/x/sys v0.49.0".
var requireRE = regexp.MustCompile(`(?m)^(?:require)?\s+(\S+) (v\S+)`)

// configLine finds the config position that generated line n (from 1) of
// src: the nearest "name.conf:L:C" in a comment at or above it. It returns
// the position with the config's path as given on the command line, and
// the rest of that comment as a description ("redirect \"a.com\"").
func configLine(src []byte, n int, confs map[string]string) (where, what string) {
	lines := strings.Split(string(src), "\n")
	if n > len(lines) {
		n = len(lines)
	}
	for i := n - 1; i >= 0; i-- {
		code, comment, ok := strings.Cut(lines[i], "// ")
		if !ok {
			continue
		}
		for base, full := range confs {
			re := regexp.MustCompile(regexp.QuoteMeta(base) + `:(\d+):(\d+)`)
			loc := re.FindStringSubmatchIndex(comment)
			if loc == nil {
				continue
			}
			what = strings.Trim(comment[:loc[0]]+comment[loc[1]:], " ,.():")
			if what == "" {
				what = strings.Trim(code, " \t,{}")
			}
			return fmt.Sprintf("%s:%s:%s", full, comment[loc[2]:loc[3]], comment[loc[4]:loc[5]]), what
		}
	}
	return "", "this configuration"
}

// confFiles maps the base name of every file the config was read from (the
// main file and its includes) to its path as the compiler recorded it.
func confFiles(cfg *compiler.Config) map[string]string {
	m := map[string]string{}
	add := func(file string) {
		if file != "" {
			if _, ok := m[gen.ConfName(file)]; !ok {
				m[gen.ConfName(file)] = file
			}
		}
	}
	add(cfg.File)
	add(cfg.Pos.File)
	for _, l := range cfg.Listens {
		add(l.Pos.File)
		for _, w := range l.Websites {
			add(w.Pos.File)
			for _, r := range w.Redirects {
				add(r.Pos.File)
			}
			for _, r := range w.Rewrites {
				add(r.Pos.File)
			}
			if w.Forward != nil {
				add(w.Forward.Pos.File)
			}
			for _, l := range w.Locations {
				add(l.Pos.File)
				for _, r := range l.Rewrites {
					add(r.Pos.File)
				}
				for _, r := range l.Redirects {
					add(r.Pos.File)
				}
				if l.Forward != nil {
					add(l.Forward.Pos.File)
				}
			}
		}
	}
	for _, p := range cfg.ErrorPages {
		add(p.Pos.File)
	}
	for _, t := range cfg.MIME {
		add(t.Pos.File)
	}
	if len(m) == 0 {
		m["hetao.conf"] = "hetao.conf"
	}
	return m
}

// appOfFile returns the app whose module directory holds file (as go build
// in dir names it: absolute, or relative to dir when that is shorter), or
// nil.
func appOfFile(mods []*appModule, dir, file string) *compiler.App {
	if !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	for _, m := range mods {
		if strings.HasPrefix(file, m.dir+string(filepath.Separator)) {
			return m.apps[0]
		}
	}
	return nil
}

// isAppLine reports whether generated line n of src is the one that names
// an app's handler (its comment starts "app ", see appVar).
func isAppLine(src []byte, n string) bool {
	i, _ := strconv.Atoi(n)
	lines := strings.Split(string(src), "\n")
	if i < 1 || i > len(lines) {
		return false
	}
	_, comment, ok := strings.Cut(lines[i-1], "// ")
	return ok && strings.HasPrefix(comment, "app ") && strings.Contains(lines[i-1], "App:")
}

// appNamed returns the app whose package a go build message names (as a
// whole import path), or nil: "no required module provides package …".
func appNamed(mods []*appModule, msg string) *compiler.App {
	for _, m := range mods {
		for _, a := range m.apps {
			if i := strings.Index(msg, a.Package); i >= 0 {
				end := i + len(a.Package)
				if end == len(msg) || strings.ContainsRune(" \";:,", rune(msg[end])) {
					return a
				}
			}
		}
	}
	return nil
}
