package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/gen"
)

func TestBuildHandIR(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	out := filepath.Join(t.TempDir(), "site")
	start := time.Now()
	err := Build(context.Background(), twoListens(), out, gen.Options{})
	t.Logf("build took %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(out); err != nil || fi.Size() == 0 {
		t.Fatalf("no binary: %v", err)
	}
}

func TestBuildErrorNamesConfigLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	cfg := twoListens()
	files, err := gen.Generate(cfg, gen.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Break the redirect's generated code as a runtime without Redirect would.
	files["websites.go"] = []byte(strings.Replace(string(files["websites.go"]), "c.Redirect(302,", "c.Redirekt(302,", 1))
	dir := t.TempDir()
	if err := WriteModule(dir, cfg, files); err != nil {
		t.Fatal(err)
	}
	err = goBuild(context.Background(), dir, os.DevNull, files, cfg, gen.Options{})
	if err == nil {
		t.Fatal("broken module built")
	}
	want := `/abs/dir/hetao.conf:21:9: error: generated code for redirect "test.com" does not compile (go build: websites.go:`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
	}
}

func TestBuildWithoutGo(t *testing.T) {
	err := Build(context.Background(), twoListens(), filepath.Join(t.TempDir(), "site"), gen.Options{Go: "no-such-go-command"})
	if err == nil || !strings.Contains(err.Error(), "not on PATH") {
		t.Fatalf("err = %v", err)
	}
}
