// Package gentest holds the hand-built IR the tests of gen and gen/build
// share: configurations whose every field is chosen, no compiler involved.
package gentest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hetaoc/hetao/compiler"
)

// Pos is a position in /abs/dir/hetao.conf.
func Pos(line, col int) compiler.Pos {
	return compiler.Pos{File: "/abs/dir/hetao.conf", Line: line, Col: col}
}

// TwoListens is the newer layout: two listens, three websites, one of them
// the default, redirects, and a shared website.
func TwoListens() *compiler.Config {
	def := &compiler.Website{Domain: "", Wwwroot: "$HOME$/www", Index: []string{"/index.html", "/index.htm"}, Pos: Pos(10, 5)}
	test := &compiler.Website{Domain: "WWW.Test.com", Wwwroot: "/srv/test", Index: []string{"/index.html"}, AccessLog: "/var/log/test.log",
		Redirects: []compiler.Redirect{
			{Domain: "", NewDomain: "http://www.example.com", Code: 301, Pos: Pos(22, 9)},
			{Domain: "test.com", NewDomain: "http://www.test.com", Code: 302, Pos: Pos(21, 9)},
		}, Pos: Pos(18, 5)}
	api := &compiler.Website{Domain: "api.test.com:8080", Wwwroot: "/srv/api", Pos: Pos(30, 5)}
	return &compiler.Config{
		File:            "/abs/dir/hetao.conf",
		WorkerProcesses: 2,
		ErrorLog:        "$HOME$/log/error.log",
		LogLevel:        "WARN",
		User:            "nobody",
		Limits:          compiler.Limits{MaxHTTPSessionCount: 100000, MaxFileCache: 1024000, MaxConnectionsPerIP: -1, MaxHeadersCount: 128, MaxHeadersLength: 4096, MaxHeaderContentLength: 4 << 20},
		Listens: []*compiler.Listen{
			{Port: 80, Websites: []*compiler.Website{def, test}, Pos: Pos(8, 3)},
			{IP: "127.0.0.1", Port: 8080, Websites: []*compiler.Website{api, test}, Pos: Pos(28, 3)},
		},
		TCP:        compiler.TCPOptions{NoDelay: true, Linger: -1},
		HTTP:       compiler.HTTPOptions{Timeout: 30, Elapse: 60, ForwardDisable: 60},
		ErrorPages: []compiler.ErrorPage{{Code: 404, File: "/srv/404.html", Pos: Pos(40, 5)}, {Code: 400, File: "/srv/400.html", Pos: Pos(39, 5)}},
		MIME: []compiler.MIMEType{
			{Ext: "css", Type: "text/css", Compress: true, Pos: Pos(50, 5)},
			{Ext: "html", Type: "text/html", Compress: true, Pos: Pos(49, 5)},
			{Ext: "png", Type: "image/png", Pos: Pos(51, 5)},
		},
		Pos: Pos(1, 1),
	}
}

// WithApps is TwoListens with an app by type on the default website, the
// same app inherited by a location, and an app of the location's own whose
// package would be imported as "server" but for its alias.
func WithApps(dir string) *compiler.Config {
	cfg := TwoListens()
	def := cfg.Listens[0].Websites[0]
	def.App = &compiler.App{Type: "do", Package: "example.com/shop/api", Dir: dir, Handler: "Serve", Pos: Pos(12, 7), ModuleDir: dir, Module: "example.com/shop"}
	def.Index = append(def.Index, "/index.do")
	def.Locations = []*compiler.Location{
		{Match: compiler.MatchPrefix, URI: "/inherit/", Pos: Pos(13, 7)},
		{Match: compiler.MatchPrefix, URI: "/all/", Pos: Pos(14, 7),
			App: &compiler.App{Package: "example.com/shop/server", Dir: dir, Handler: "Handle", Pos: Pos(14, 40), ModuleDir: dir, Module: "example.com/shop"}},
	}
	return cfg
}

// AppModuleDir writes a module example.com/shop with package api into a
// temporary directory.
func AppModuleDir(t testing.TB, api string) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "api"), 0o777)
	os.MkdirAll(filepath.Join(dir, "server"), 0o777)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/shop\n\ngo 1.26\n"), 0o666)
	os.WriteFile(filepath.Join(dir, "api", "api.go"), []byte(api), 0o666)
	os.WriteFile(filepath.Join(dir, "server", "server.go"), []byte("package server\n\nimport \"net/http\"\n\nfunc Handle(w http.ResponseWriter, r *http.Request) {}\n"), 0o666)
	return dir
}
