package gen

import (
	"fmt"
	"go/version"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
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

// goMod is what the generated module needs from a go.mod file.
type goMod struct {
	module   string
	goVer    string
	requires []modVersion
	replaces []replace
}

type modVersion struct{ path, version string }

// replace is one replace directive: old (at version, "" any) => new (at
// newVersion; "" for a directory).
type replace struct {
	old, version, new, newVersion string
}

// parseGoMod reads the directives of a go.mod file the generated module
// needs: module, go, require and replace, single or in blocks. Others
// (toolchain, exclude, retract, godebug, tool, ignore) only matter to
// their own module's builds and are skipped.
func parseGoMod(data []byte) (*goMod, error) {
	m := &goMod{}
	block := ""
	for i, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "//")
		f, err := modFields(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+1, err)
		}
		if len(f) == 0 {
			continue
		}
		verb := block
		switch {
		case block != "" && f[0] == ")":
			block = ""
			continue
		case block == "" && len(f) == 2 && f[1] == "(":
			block = f[0]
			continue
		case block == "":
			verb, f = f[0], f[1:]
		}
		switch verb {
		case "module":
			if len(f) != 1 {
				return nil, fmt.Errorf("line %d: module takes one path", i+1)
			}
			m.module = f[0]
		case "go":
			if len(f) != 1 {
				return nil, fmt.Errorf("line %d: go takes one version", i+1)
			}
			m.goVer = f[0]
		case "require":
			if len(f) != 2 {
				return nil, fmt.Errorf("line %d: require takes a path and a version", i+1)
			}
			m.requires = append(m.requires, modVersion{f[0], f[1]})
		case "replace":
			arrow := -1
			for j, s := range f {
				if s == "=>" {
					arrow = j
				}
			}
			if arrow < 1 || arrow > 2 || len(f)-arrow-1 < 1 || len(f)-arrow-1 > 2 {
				return nil, fmt.Errorf("line %d: replace is old [version] => new [version]", i+1)
			}
			r := replace{old: f[0], new: f[arrow+1]}
			if arrow == 2 {
				r.version = f[1]
			}
			if len(f) == arrow+3 {
				r.newVersion = f[arrow+2]
			}
			m.replaces = append(m.replaces, r)
		}
	}
	return m, nil
}

// modFields splits a go.mod line into its tokens, unquoting "…" and `…`.
func modFields(line string) ([]string, error) {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' || line[0] == '`' {
			q, err := strconv.QuotedPrefix(line)
			if err != nil {
				return nil, err
			}
			s, _ := strconv.Unquote(q)
			out = append(out, s)
			line = line[len(q):]
			continue
		}
		end := strings.IndexAny(line, " \t")
		if end < 0 {
			end = len(line)
		}
		out = append(out, line[:end])
		line = line[end:]
	}
	return out, nil
}

// appModule is the module that holds one or more apps.
type appModule struct {
	dir  string // absolute
	mod  *goMod
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
		mod, err := parseGoMod(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(dir, "go.mod"), err)
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

// mergeGoMod adds the app modules to hetaoc's go.mod text (see the top of
// this file). Requirements hetaoc has already are raised in place when an
// app module asks for more.
func mergeGoMod(base []byte, mods []*appModule) ([]byte, error) {
	own, err := parseGoMod(base)
	if err != nil {
		return nil, fmt.Errorf("hetaoc's own go.mod: %v", err)
	}
	want := map[string]string{} // module → the highest version asked for
	raise := func(p, v string) {
		if old, ok := want[p]; !ok || compareSemver(v, old) > 0 {
			want[p] = v
		}
	}
	for _, r := range own.requires {
		raise(r.path, r.version)
	}
	goVer := own.goVer
	replaced := map[string]replace{}
	var replaces []replace
	addReplace := func(r replace, m *appModule) error {
		key := r.old + "@" + r.version
		if old, ok := replaced[key]; ok {
			if old != r {
				return fmt.Errorf("%s: error: app module %s replaces %s with %s, and another app module with %s: the generated module can hold one", m.pos, m.mod.module, r.old, r.new, old.new)
			}
			return nil
		}
		replaced[key] = r
		replaces = append(replaces, r)
		return nil
	}
	for _, m := range mods {
		raise(m.mod.module, zeroVersion)
		for _, r := range m.mod.requires {
			raise(r.path, r.version)
		}
		if m.mod.goVer != "" && version.Compare("go"+m.mod.goVer, "go"+goVer) > 0 {
			goVer = m.mod.goVer
		}
	}
	for _, m := range mods {
		if err := addReplace(replace{old: m.mod.module, new: m.dir}, m); err != nil {
			return nil, err
		}
	}
	for _, m := range mods {
		for _, r := range m.mod.replaces {
			if isLocalPath(r.new) && !filepath.IsAbs(r.new) {
				r.new = filepath.Join(m.dir, r.new)
			}
			if _, own := replaced[r.old+"@"]; own && r.version == "" {
				continue // an app module's replace of another app module: the directory hetaoc was given wins
			}
			if err := addReplace(r, m); err != nil {
				return nil, err
			}
		}
	}

	text := string(base)
	if goVer != own.goVer {
		text = regexp.MustCompile(`(?m)^go \S+$`).ReplaceAllLiteralString(text, "go "+goVer)
	}
	have := map[string]bool{}
	for _, r := range own.requires {
		have[r.path] = true
		if v := want[r.path]; v != r.version {
			re := regexp.MustCompile(`(?m)^(\s*(?:require\s+)?` + regexp.QuoteMeta(r.path) + `\s+)` + regexp.QuoteMeta(r.version) + `\b`)
			text = re.ReplaceAllString(text, "${1}"+v)
		}
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(text, "\n"))
	b.WriteString("\n\n// Added by hetaoc for the site's apps.\n\nrequire (\n")
	for _, m := range mods {
		fmt.Fprintf(&b, "\t%s %s\n", quotePath(m.mod.module), want[m.mod.module])
		have[m.mod.module] = true
	}
	b.WriteString(")\n")
	var indirect []string
	for p := range want {
		if !have[p] {
			indirect = append(indirect, p)
		}
	}
	sort.Strings(indirect)
	if len(indirect) > 0 {
		b.WriteString("\nrequire (\n")
		for _, p := range indirect {
			fmt.Fprintf(&b, "\t%s %s // indirect\n", quotePath(p), want[p])
		}
		b.WriteString(")\n")
	}
	b.WriteString("\nreplace (\n")
	for _, r := range replaces {
		b.WriteString("\t" + quotePath(r.old))
		if r.version != "" {
			b.WriteString(" " + r.version)
		}
		b.WriteString(" => " + quotePath(r.new))
		if r.newVersion != "" {
			b.WriteString(" " + r.newVersion)
		}
		b.WriteString("\n")
	}
	b.WriteString(")\n")
	return []byte(b.String()), nil
}

// isLocalPath reports whether a replacement is a directory, as the go
// command decides: absolute, or starting with ./ or ../.
func isLocalPath(p string) bool {
	return filepath.IsAbs(p) || p == "." || p == ".." ||
		strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") ||
		strings.HasPrefix(p, `.\`) || strings.HasPrefix(p, `..\`)
}

// quotePath quotes a go.mod token when it holds what a bare one cannot.
func quotePath(p string) string {
	if p == "" || strings.ContainsAny(p, " \t\"'`(),;[]{}") || strings.Contains(p, "//") || strings.Contains(p, "/*") {
		return strconv.Quote(p)
	}
	return p
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

// compareSemver orders two module versions by semantic versioning
// (pseudo-versions included, build metadata such as +incompatible
// ignored): -1, 0 or +1. A version that does not parse orders before one
// that does, and two that do not, as strings.
func compareSemver(a, b string) int {
	pa, oka := parseSemver(a)
	pb, okb := parseSemver(b)
	switch {
	case !oka && !okb:
		return strings.Compare(a, b)
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := 0; i < 3; i++ {
		if c := compareNum(pa.nums[i], pb.nums[i]); c != 0 {
			return c
		}
	}
	switch {
	case pa.pre == "" && pb.pre == "":
		return 0
	case pa.pre == "":
		return 1
	case pb.pre == "":
		return -1
	}
	x, y := strings.Split(pa.pre, "."), strings.Split(pb.pre, ".")
	for i := 0; i < len(x) && i < len(y); i++ {
		nx, ny := isNum(x[i]), isNum(y[i])
		var c int
		switch {
		case nx && ny:
			c = compareNum(x[i], y[i])
		case nx:
			c = -1
		case ny:
			c = 1
		default:
			c = strings.Compare(x[i], y[i])
		}
		if c != 0 {
			return c
		}
	}
	return compareNum(strconv.Itoa(len(x)), strconv.Itoa(len(y)))
}

type semver struct {
	nums [3]string
	pre  string
}

func parseSemver(v string) (semver, bool) {
	var s semver
	v, ok := strings.CutPrefix(v, "v")
	if !ok {
		return s, false
	}
	v, _, _ = strings.Cut(v, "+")
	v, s.pre, _ = strings.Cut(v, "-")
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return s, false
	}
	for i, p := range parts {
		if !isNum(p) {
			return s, false
		}
		s.nums[i] = p
	}
	return s, true
}

func isNum(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// compareNum orders two decimal numbers written without sign.
func compareNum(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
