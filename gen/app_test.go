package gen

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/compiler"
)

// withApps is twoListens with an app by type on the default website, the
// same app inherited by a location, and an app of the location's own whose
// package would be imported as "server" but for its alias.
func withApps(dir string) *compiler.Config {
	cfg := twoListens()
	def := cfg.Listens[0].Websites[0]
	def.App = &compiler.App{Type: "do", Package: "example.com/shop/api", Dir: dir, Handler: "Serve", Pos: pos(12, 7), ModuleDir: dir, Module: "example.com/shop"}
	def.Index = append(def.Index, "/index.do")
	def.Locations = []*compiler.Location{
		{Match: compiler.MatchPrefix, URI: "/inherit/", Pos: pos(13, 7)},
		{Match: compiler.MatchPrefix, URI: "/all/", Pos: pos(14, 7),
			App: &compiler.App{Package: "example.com/shop/server", Dir: dir, Handler: "Handle", Pos: pos(14, 40), ModuleDir: dir, Module: "example.com/shop"}},
	}
	return cfg
}

func TestAppGenerated(t *testing.T) {
	files, err := Generate(withApps("/abs/dir/shop"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws, site := string(files["websites.go"]), string(files["site.go"])
	for _, want := range []string{
		`api "example.com/shop/api"`,
		`serverapp "example.com/shop/server"`,
		"\t\"github.com/hetaoc/hetao/runtime/app\"\n",
		`App:  app.New(http.HandlerFunc(api.Serve)), // app example.com/shop/api.Serve, hetao.conf:12:7`,
		`Name: "app:example.com/shop/server.Handle",`,
		"if c.IndexIs(website1Root, \"do\") {\n\t\tc.Forward(app1)",
		"if string(static.Ext(c.Path)) == \"do\" {\n\t\tc.Forward(app1)",
		"\tc.Forward(app2)\n}",
	} {
		if !strings.Contains(ws, want) {
			t.Errorf("websites.go lacks %q", want)
		}
	}
	if n := strings.Count(ws, "var app"); n != 2 {
		t.Errorf("%d app variables, want 2 (the inherited one shared)", n)
	}
	// type "": the app answers everything, no static phase after it.
	loc2 := ws[strings.Index(ws, "func serveWebsite1Location2("):]
	if loc2 = loc2[:strings.Index(loc2, "\n}\n")]; strings.Contains(loc2, "c.Static") {
		t.Errorf("a static phase after an app of type \"\":\n%s", loc2)
	}
	if !strings.Contains(site, "app1, // the app of the default website") || !strings.Contains(site, "app2, // the app of") {
		t.Errorf("site.go does not list the apps:\n%s", site)
	}
	if strings.Contains(ws+site, "/abs/dir") {
		t.Error("the generated code holds the app's directory; only go.mod may")
	}
}

func TestImportAlias(t *testing.T) {
	taken := map[string]string{"example.com/a/api": "api"}
	for pkg, want := range map[string]string{
		"example.com/b/api":       "apiapp",
		"example.com/go-kit/kit":  "kit",
		"example.com/go-kit/v2":   "gokit",
		"example.com/x/site":      "siteapp",
		"example.com/x/website3":  "pkgwebsite3",
		"example.com/x/app2":      "pkgapp2",
		"example.com/x/_":         "_app",
		"example.com/x/--":        "pkg",
		"example.com/x/http":      "httpapp",
		"example.com/x/func":      "funcapp",
		"example.com/x/9lives":    "lives",
		"example.com/x/hetao_app": "hetao_app",
	} {
		if got := importAlias(pkg, taken); got != want {
			t.Errorf("importAlias(%q) = %q, want %q", pkg, got, want)
		}
	}
}

func TestCompareSemver(t *testing.T) {
	ordered := []string{
		"v0.0.0-00010101000000-000000000000",
		"v0.0.0-20200101000000-abcdefabcdef",
		"v0.9.0",
		"v1.0.0-alpha",
		"v1.0.0-alpha.1",
		"v1.0.0-alpha.beta",
		"v1.0.0-beta.2",
		"v1.0.0-beta.11",
		"v1.0.0-rc.1",
		"v1.0.0",
		"v1.2.0",
		"v1.10.0",
		"v2.0.0+incompatible",
	}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareSemver(ordered[i], ordered[j]); got != want {
				t.Errorf("compareSemver(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

// TestMergeGoMod merges an app module with requirements and replaces of
// its own into a go.mod, and has the go command read the result.
func TestMergeGoMod(t *testing.T) {
	base := []byte("module github.com/hetaoc/hetao\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/dave/jennifer v1.7.1\n\tgolang.org/x/sys v0.49.0\n)\n")
	app, err := parseGoMod([]byte(`module example.com/shop // the shop

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
`))
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

// appModuleDir writes a module example.com/shop with package api into a
// temporary directory.
func appModuleDir(t *testing.T, api string) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "api"), 0o777)
	os.MkdirAll(filepath.Join(dir, "server"), 0o777)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o666)
	os.WriteFile(filepath.Join(dir, "api", "api.go"), []byte(api), 0o666)
	os.WriteFile(filepath.Join(dir, "server", "server.go"), []byte("package server\n\nimport \"net/http\"\n\nfunc Handle(w http.ResponseWriter, r *http.Request) {}\n"), 0o666)
	return dir
}

// TestBuildErrorNamesApp builds a site whose app lacks its handler: the
// error is the configuration's, at the app's line, and no hetaoc bug.
func TestBuildErrorNamesApp(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	dir := appModuleDir(t, "package api\n\nfunc Other() {}\n")
	err := Build(context.Background(), withApps(dir), filepath.Join(t.TempDir(), "site"), Options{})
	if err == nil {
		t.Fatal("a site whose app has no handler built")
	}
	want := "/abs/dir/hetao.conf:12:7: error: example.com/shop/api.Serve is not a func(http.ResponseWriter, *http.Request) (go build: websites.go:"
	if !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "bug in hetaoc") {
		t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
	}
	dir = appModuleDir(t, "package api\n\nimport \"net/http\"\n\nfunc Serve(w http.ResponseWriter, r *http.Request) { undefinedThing() }\n")
	err = Build(context.Background(), withApps(dir), filepath.Join(t.TempDir(), "site"), Options{})
	want = "/abs/dir/hetao.conf:12:7: error: app example.com/shop/api does not compile (go build: " + filepath.Join(dir, "api", "api.go") + ":5:"
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "bug in hetaoc") {
		t.Errorf("error:\n%v\nwant prefix:\n%s", err, want)
	}
}
