package gen

import (
	"strings"
	"testing"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen/internal/gentest"
)

func withApps(dir string) *compiler.Config { return gentest.WithApps(dir) }

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
