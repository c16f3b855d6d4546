package golden

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/gen"
	"github.com/hetaoc/hetao/gen/build"
)

// offline is this process's environment with downloads forbidden: a site
// must build from the module cache hetaoc itself was built with.
func offline() []string { return append(os.Environ(), "GOPROXY=off") }

// TestReproducible builds the same config twice, each time in its own temp
// module, and wants the same binary, byte for byte: a static one (no ELF
// interpreter, so it runs in an empty container image), without DWARF,
// that names its configuration's hash and hetaoc's version.
func TestReproducible(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a site twice")
	}
	cfg := load(t, filepath.Join("testdata", "two-listens", "hetao.conf"))
	var bins [2][]byte
	var out string
	for i := range bins {
		out = filepath.Join(t.TempDir(), "site")
		if err := build.Build(context.Background(), cfg, out, gen.Options{Env: offline()}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		bins[i] = b
	}
	if !bytes.Equal(bins[0], bins[1]) {
		t.Fatalf("two builds of one config differ (%d and %d bytes)", len(bins[0]), len(bins[1]))
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("the site has an ELF interpreter: dynamically linked")
		}
	}
	if s := f.Section(".debug_info"); s != nil {
		t.Errorf("the site keeps DWARF (.debug_info, %d bytes)", s.Size)
	}
	if s := f.Section(".symtab"); s != nil {
		t.Errorf("the site keeps its symbol table")
	}
	v, err := exec.Command(out, "-version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "hetao.conf " + cfg.Hash + ", hetaoc " + hetao.Version + ", go"
	if !strings.HasPrefix(string(v), want) || !strings.HasPrefix(cfg.Hash, "sha256:") {
		t.Errorf("site -version = %q, want prefix %q", v, want)
	}
}

// TestBuildOutsideRepo builds hetaoc, then runs `hetaoc build` in a
// directory outside the repository with GOPROXY=off: the runtime comes
// from hetaoc's embedded source, the modules from the cache.
func TestBuildOutsideRepo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds hetaoc and a site")
	}
	hetaoc := hetaocBin(t)
	work := t.TempDir()
	conf, err := os.ReadFile(filepath.Join("testdata", "redirects", "hetao.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, "hetao.conf"), conf, 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(hetaoc, "build", "hetao.conf", "--no-fs", "-o", "site")
	cmd.Dir = work
	tmp := t.TempDir() // hetaoc's build directory goes here, and must go away
	cmd.Env = append(offline(), "TMPDIR="+tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hetaoc build in %s: %v\n%s", work, err, out)
	}
	fi, err := os.Stat(filepath.Join(work, "site"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Errorf("site is not executable: %v", fi.Mode())
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("hetaoc build left %s/%s behind", tmp, left[0].Name())
	}
}

var (
	hetaocOnce sync.Once
	hetaocPath string
	hetaocErr  error
)

// hetaocBin builds cmd/hetaoc once per test run, as a user would install it.
func hetaocBin(t *testing.T) string {
	t.Helper()
	hetaocOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hetaoc-test-")
		if err != nil {
			hetaocErr = err
			return
		}
		hetaocPath = filepath.Join(dir, "hetaoc")
		out, err := exec.Command("go", "build", "-o", hetaocPath, "github.com/hetaoc/hetao/cmd/hetaoc").CombinedOutput()
		if err != nil {
			hetaocErr = errors.New(err.Error() + "\n" + string(out))
		}
	})
	if hetaocErr != nil {
		t.Fatalf("building hetaoc: %v", hetaocErr)
	}
	return hetaocPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if hetaocPath != "" {
		os.RemoveAll(filepath.Dir(hetaocPath))
	}
	os.Exit(code)
}

// TestCLI runs hetaoc build and hetaoc gen for their exit codes and output.
func TestCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds hetaoc")
	}
	hetaoc := hetaocBin(t)
	work := t.TempDir()
	bad := filepath.Join(work, "bad.conf")
	os.WriteFile(bad, []byte("{ \"listen\" : { \"port\" : 80 , \"website\" : { \"domian\" : \"\" } } }\n"), 0o666)
	good, _ := filepath.Abs(filepath.Join("testdata", "two-listens", "hetao.conf"))
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string // a substring, "" for empty stderr
	}{
		{[]string{"build"}, 2, "missing the configuration file"},
		{[]string{"build", "-x", good}, 2, "unknown flag -x"},
		{[]string{"build", "--no-fs", bad, "-o", filepath.Join(work, "site")}, 1, "bad.conf:1:"},
		{[]string{"gen", good}, 2, "missing -d DIR"},
		{[]string{"version"}, 0, ""},
		{[]string{"version", good}, 0, ""},
		{[]string{"version", bad}, 1, "bad.conf:1:"},
		{[]string{"gen", "--no-fs", "-d", filepath.Join(work, "main"), "--main-only", good}, 0, ""},
		{[]string{"gen", good, "--no-fs", "-d=" + filepath.Join(work, "module")}, 0, ""},
	} {
		cmd := exec.Command(hetaoc, tc.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		code := cmd.ProcessState.ExitCode()
		if code != tc.code || tc.stderr == "" && stderr.Len() > 0 || !strings.Contains(stderr.String(), tc.stderr) {
			t.Errorf("hetaoc %s: exit %d, stderr:\n%s\nwant exit %d, stderr with %q", strings.Join(tc.args, " "), code, &stderr, tc.code, tc.stderr)
		}
	}
	if names, _ := filepath.Glob(filepath.Join(work, "main", "*")); len(names) != 5 {
		t.Errorf("gen --main-only wrote %q, want the 5 generated files", names)
	}
	for _, f := range []string{"go.mod", "go.sum", "main.go", "websites.go", "runtime/server/site.go"} {
		if _, err := os.Stat(filepath.Join(work, "module", f)); err != nil {
			t.Errorf("gen -d: %v", err)
		}
	}
	if tests, _ := filepath.Glob(filepath.Join(work, "module", "runtime", "*", "*_test.go")); len(tests) > 0 {
		t.Errorf("gen -d copied tests: %q", tests)
	}
}
