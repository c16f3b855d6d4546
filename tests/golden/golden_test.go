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

// TestGoldensBuild compiles every case into a throw-away binary, through
// the build driver hetaoc build uses (WriteModule in a temp dir, go build).
func TestGoldensBuild(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs go build for every case")
	}
	for _, dir := range cases(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel() // at most GOMAXPROCS at once
			cfg := load(t, filepath.Join(dir, "hetao.conf"))
			if err := build.Build(context.Background(), cfg, os.DevNull, gen.Options{}); err != nil {
				t.Fatal(err)
			}
		})
	}
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
