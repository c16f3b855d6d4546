// Package golden checks the Go that hetaoc generates: every case directory
// of testdata/ holds a hetao.conf and, in want/, the files Generate must
// produce for it; every case must also build. cmd/minihetao is checked the
// same way against templates/minihetao.conf. Refresh with
//
//	go test ./tests/golden -update
package golden

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen"
	"github.com/hetaoc/hetao/gen/build"
)

var update = flag.Bool("update", false, "rewrite the golden files and cmd/minihetao from the current generator")

// repo is the repository root, seen from this package's directory.
const repo = "../.."

// load checks a configuration without looking at the file system, with a
// fixed environment, as a golden needs.
func load(t *testing.T, file string) *compiler.Config {
	t.Helper()
	cfg, diags := compiler.Load(file, compiler.Options{
		NoFS:   true,
		Build:  true, // apps need their module resolved to generate
		Getenv: func(name string) (string, bool) { return "/env/" + name, true },
	})
	if compiler.HasErrors(diags) || cfg == nil {
		var b strings.Builder
		for _, d := range diags {
			b.WriteString(d.String() + "\n")
		}
		t.Fatalf("%s does not check:\n%s", file, b.String())
	}
	return cfg
}

// cases lists the case directories of testdata/.
func cases(t *testing.T) []string {
	t.Helper()
	ents, err := os.ReadDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range ents {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join("testdata", e.Name()))
		}
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases in testdata/")
	}
	return dirs
}

func TestGolden(t *testing.T) {
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			files, err := gen.Generate(load(t, filepath.Join(dir, "hetao.conf")), gen.Options{})
			if err != nil {
				t.Fatal(err)
			}
			compare(t, filepath.Join(dir, "want"), files, "stale golden")
		})
	}
}

// TestMinihetaoFresh fails when cmd/minihetao is not what hetaoc now
// generates from templates/minihetao.conf.
func TestMinihetaoFresh(t *testing.T) {
	cfg := load(t, filepath.Join(repo, "templates", "minihetao.conf"))
	files, err := gen.Generate(cfg, gen.Options{Mini: true})
	if err != nil {
		t.Fatal(err)
	}
	compare(t, filepath.Join(repo, "cmd", "minihetao"), files, "stale generated files in cmd/minihetao")
}

// compare checks that dir holds exactly files (its *.go), or rewrites dir
// under -update.
func compare(t *testing.T, dir string, files map[string][]byte, stale string) {
	t.Helper()
	old, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if *update {
		for _, f := range old {
			if files[filepath.Base(f)] == nil {
				os.Remove(f)
			}
		}
		if err := build.WriteFiles(dir, files); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, f := range old {
		if files[filepath.Base(f)] == nil {
			t.Errorf("%s: %s is no longer generated; run go test ./tests/golden -update", stale, f)
		}
	}
	for _, name := range sortedNames(files) {
		path := filepath.Join(dir, name)
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v; run go test ./tests/golden -update", stale, err)
			continue
		}
		if got := files[name]; !bytes.Equal(got, want) {
			t.Errorf("%s: %s differs from the generator's output; run go test ./tests/golden -update\n%s",
				stale, path, lineDiff(want, got))
		}
	}
}

// lineDiff shows the first differing lines of want and got.
func lineDiff(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n-%s\n+%s", i+1, wl, gl)
		}
	}
	return "(lengths differ)"
}

func sortedNames(files map[string][]byte) []string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestGoldensBuild compiles every case. The module hetaoc builds a site in
// (WriteModule) is the repository's own one (module github.com/hetaoc/hetao,
// hetaoc's go.mod) plus the case's apps, so a case without apps compiles
// here as it would there: its want/ package (the generator's output, by
// TestGolden) is compiled, with the build driver's CGO_ENABLED=0 and
// -trimpath, by one `go list -export` of them all, which compiles without
// linking and takes a case unchanged since the last run from the build
// cache. A case with apps is built through the build driver itself, as
// only that module holds its apps. Linking a site is tested by
// TestReproducible and by every site the e2e and process tests run.
func TestGoldensBuild(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("compiles every case")
	}
	if *update {
		t.Skip("-update rewrites the goldens: they are compiled on the next run")
	}
	var plain []string
	for _, dir := range cases(t) {
		cfg := load(t, filepath.Join(dir, "hetao.conf"))
		if !hasApps(cfg) {
			plain = append(plain, "./"+filepath.ToSlash(filepath.Join(dir, "want")))
			continue
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			if err := build.Build(context.Background(), cfg, os.DevNull, gen.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	cmd := exec.Command("go", append([]string{"list", "-trimpath", "-export", "-f", "{{.Export}}"}, plain...)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compiling the goldens: %v\n%s", err, out)
	}
}

// hasApps reports whether a website or location of cfg runs an app.
func hasApps(cfg *compiler.Config) bool {
	for _, l := range cfg.Listens {
		for _, w := range l.Websites {
			if w.App != nil {
				return true
			}
			for _, loc := range w.Locations {
				if loc.App != nil {
					return true
				}
			}
		}
	}
	return false
}

// TestDeterministic generates every case twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	for _, dir := range cases(t) {
		cfg := load(t, filepath.Join(dir, "hetao.conf"))
		a, err := gen.Generate(cfg, gen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := gen.Generate(load(t, filepath.Join(dir, "hetao.conf")), gen.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for name := range a {
			if !bytes.Equal(a[name], b[name]) {
				t.Errorf("%s: %s differs between two runs:\n%s", dir, name, lineDiff(a[name], b[name]))
			}
		}
	}
}
