package build

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/gen"
	"github.com/hetaoc/hetao/gen/internal/gentest"
	"golang.org/x/mod/modfile"
)

var (
	withApps     = gentest.WithApps
	appModuleDir = gentest.AppModuleDir
	twoListens   = gentest.TwoListens
)

// TestMergeGoMod merges an app module with requirements and replaces of
// its own into a go.mod, and has the go command read the result.
func TestMergeGoMod(t *testing.T) {
	base := []byte("module github.com/hetaoc/hetao\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/dave/jennifer v1.7.1\n\tgolang.org/x/sys v0.49.0\n)\n")
	app, err := modfile.Parse("go.mod", []byte(`module example.com/shop // the shop

go 1.26.1
toolchain go1.26.1

require golang.org/x/sys v0.50.0
require (
	golang.org/x/text v0.20.0 // indirect
	github.com/dave/jennifer v1.0.0
	"example.com/quoted" v1.0.0
)

replace example.com/fork => ../fork
replace example.com/pinned v1.0.0 => example.com/pinned v1.0.1
exclude golang.org/x/text v0.19.0
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	shop := filepath.Join(dir, "shop")
	out, err := mergeGoMod(base, []*appModule{{dir: shop, mod: app}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), out, 0o666); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "mod", "edit", "-json")
	cmd.Dir = dir
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod edit -json: %v\n%s", err, out)
	}
	var got struct {
		Go      string
		Require []struct {
			Path, Version string
			Indirect      bool
		}
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	if got.Go != "1.26.1" {
		t.Errorf("go %s, want the app's 1.26.1", got.Go)
	}
	req := map[string]string{}
	for _, r := range got.Require {
		ind := ""
		if r.Indirect {
			ind = " indirect"
		}
		req[r.Path] = r.Version + ind
	}
	for p, v := range map[string]string{
		"github.com/dave/jennifer": "v1.7.1",
		"golang.org/x/sys":         "v0.50.0",
		"golang.org/x/text":        "v0.20.0 indirect",
		"example.com/quoted":       "v1.0.0 indirect",
		"example.com/shop":         zeroVersion,
	} {
		if req[p] != v {
			t.Errorf("require %s %q, want %q", p, req[p], v)
		}
	}
	rep := map[string]string{}
	for _, r := range got.Replace {
		rep[strings.TrimSpace(r.Old.Path+" "+r.Old.Version)] = strings.TrimSpace(r.New.Path + " " + r.New.Version)
	}
	for old, new := range map[string]string{
		"example.com/shop":          shop,
		"example.com/fork":          filepath.Join(dir, "fork"),
		"example.com/pinned v1.0.0": "example.com/pinned v1.0.1",
	} {
		if rep[old] != new {
			t.Errorf("replace %s => %q, want %q", old, rep[old], new)
		}
	}
	if len(got.Replace) != 3 || len(got.Require) != 5 {
		t.Errorf("go.mod:\n%s", out)
	}
}

func TestMergeGoSum(t *testing.T) {
	got := string(mergeGoSum([]byte("b h1:x\na h1:y\n"), nil, []byte("a h1:y\nc h1:z")))
	if got != "a h1:y\nb h1:x\nc h1:z\n" {
		t.Errorf("%q", got)
	}
}

// TestBuildErrorNamesApp builds a site whose app lacks its handler: the
// error is the configuration's, at the app's line, and no hetaoc bug.
func TestBuildErrorNamesApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	dir := appModuleDir(t, "package api\n\nfunc Other() {}\n")
	err := Build(context.Background(), withApps(dir), filepath.Join(t.TempDir(), "site"), gen.Options{})
	if err == nil {
		t.Fatal("a site whose app has no handler built")
	}
	want := "/abs/dir/hetao.conf:12:7: error: example.com/shop/api.Serve is not a func(http.ResponseWriter, *http.Request) (go build: websites.go:"
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "bug in hetaoc") {
		t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
	}
	dir = appModuleDir(t, "package api\n\nimport \"net/http\"\n\nfunc Serve(w http.ResponseWriter, r *http.Request) { undefinedThing() }\n")
	err = Build(context.Background(), withApps(dir), filepath.Join(t.TempDir(), "site"), gen.Options{})
	want = "/abs/dir/hetao.conf:12:7: error: app example.com/shop/api does not compile (go build: " + filepath.Join(dir, "api", "api.go") + ":5:"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "bug in hetaoc") {
		t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
	}
}
