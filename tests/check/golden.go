// Package check holds the golden tests of `hetaoc check`: one directory per
// case under testdata/, run in-process through cli.Main.
//
// A case directory holds:
//
//	hetao.conf   the configuration (plus any files it includes or names)
//	file         optional: check this path (relative to the case) instead
//	args         optional: extra flags, one per line (--no-fs)
//	env          optional: NAME=value sets, -NAME unsets a variable
//	want.txt     stderr, stdout and the exit code
//	want.print   optional: run with --print; the normalised configuration
//
// Paths in the output are made relative: "testdata/<case>/" is dropped,
// the absolute case directory becomes $CASE and the repository root $REPO.
//
// cli is an internal package of cmd/, so the test that runs these cases
// in-process lives next to it, in cmd/internal/cli/check_test.go, and
// calls Run with cli.Main:
//
//	go test ./cmd/internal/cli -run TestCheckGolden [-update]
package check

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the want files of tests/check")

// MainFunc is the signature of cli.Main.
type MainFunc func(args []string, stdout, stderr io.Writer) int

// Run runs every case under root (tests/check/testdata, as a path from
// the current directory) through main.
func Run(t *testing.T, main MainFunc, root string) {
	dirs, err := filepath.Glob(filepath.Join(root, "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no cases under %s", root)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) { runCase(t, main, dir, root) })
	}
}

func runCase(t *testing.T, main MainFunc, dir, root string) {
	file := filepath.Join(dir, "hetao.conf")
	if b, err := os.ReadFile(filepath.Join(dir, "file")); err == nil {
		file = filepath.Join(dir, strings.TrimSpace(string(b)))
	}
	args := []string{"check"}
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		args = append(args, strings.Fields(string(b))...)
	}
	setEnv(t, dir)
	wantPrint := filepath.Join(dir, "want.print")
	_, err := os.Stat(wantPrint)
	printMode := err == nil
	if printMode {
		args = append(args, "--print")
	}
	args = append(args, file)

	var stdout, stderr bytes.Buffer
	code := main(args, &stdout, &stderr)

	norm := normaliser(t, dir, root)
	got := norm(stderr.String())
	if !printMode {
		got += norm(stdout.String())
	}
	got += fmt.Sprintf("exit %d\n", code)
	compare(t, filepath.Join(dir, "want.txt"), got)
	if printMode {
		compare(t, wantPrint, norm(stdout.String()))
	}
}

func setEnv(t *testing.T, dir string) {
	b, err := os.ReadFile(filepath.Join(dir, "env"))
	if err != nil {
		return
	}
	for _, line := range strings.Fields(string(b)) {
		if name, ok := strings.CutPrefix(line, "-"); ok {
			old, had := os.LookupEnv(name)
			os.Unsetenv(name)
			t.Cleanup(func() {
				if had {
					os.Setenv(name, old)
				}
			})
			continue
		}
		name, val, _ := strings.Cut(line, "=")
		t.Setenv(name, val)
	}
}

func normaliser(t *testing.T, dir, root string) func(string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs(filepath.Join(root, "../../.."))
	if err != nil {
		t.Fatal(err)
	}
	return func(s string) string {
		s = strings.ReplaceAll(s, dir+string(filepath.Separator), "")
		s = strings.ReplaceAll(s, abs, "$CASE")
		return strings.ReplaceAll(s, repo, "$REPO")
	}
}

func compare(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tests/check -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// ShippedConfigsClean makes sure the shipped configurations in confDir
// stay free of errors and warnings.
func ShippedConfigsClean(t *testing.T, main MainFunc, confDir string) {
	for _, f := range []string{filepath.Join(confDir, "hetao.conf"), filepath.Join(confDir, "hetao-2016.conf")} {
		var stdout, stderr bytes.Buffer
		if code := main([]string{"check", f}, &stdout, &stderr); code != 0 || stderr.Len() != 0 {
			t.Errorf("hetaoc check %s: exit %d\n%s", f, code, stderr.String())
		}
		if want := f + ": ok\n"; stdout.String() != want {
			t.Errorf("hetaoc check %s printed %q, want %q", f, stdout.String(), want)
		}
	}
}

// Usage covers the exit code 2 paths and flags after the file.
func Usage(t *testing.T, main MainFunc, confDir string) {
	conf := filepath.Join(confDir, "hetao.conf")
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"check"}, 2},
		{[]string{"check", "a.conf", "b.conf"}, 2},
		{[]string{"check", "--bogus", "a.conf"}, 2},
		{[]string{"check", conf, "--no-fs"}, 0},
		{[]string{"check", "--print", conf, "--no-fs"}, 0},
		{[]string{"check", filepath.Join(confDir, "does-not-exist.conf")}, 1},
	} {
		var stdout, stderr bytes.Buffer
		if code := main(tc.args, &stdout, &stderr); code != tc.code {
			t.Errorf("%v: exit %d, want %d\n%s", tc.args, code, tc.code, stderr.String())
		}
	}
}
