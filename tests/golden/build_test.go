package golden

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/hetaoc/hetao/gen"
)

// offline is this process's environment with downloads forbidden: a site
// must build from the module cache hetaoc itself was built with.
func offline() []string { return append(os.Environ(), "GOPROXY=off") }

// TestReproducible builds the same config twice, each time in its own temp
// module, and wants the same binary, byte for byte.
func TestReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a site twice")
	}
	cfg := load(t, filepath.Join("testdata", "two-listens", "hetao.conf"))
	var bins [2][]byte
	for i := range bins {
		out := filepath.Join(t.TempDir(), "site")
		if err := gen.Build(context.Background(), cfg, out, gen.Options{Env: offline()}); err != nil {
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
}

// TestBuildOutsideRepo builds hetaoc, then runs `hetaoc build` in a
// directory outside the repository with GOPROXY=off: the runtime comes
// from hetaoc's embedded source, the modules from the cache.
func TestBuildOutsideRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hetaoc and a site")
	}
	hetaoc := filepath.Join(t.TempDir(), "hetaoc")
	build := exec.Command("go", "build", "-o", hetaoc, "github.com/hetaoc/hetao/cmd/hetaoc")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building hetaoc: %v\n%s", err, out)
	}

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
