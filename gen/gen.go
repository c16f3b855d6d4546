// Package gen turns a checked configuration (compiler.Config) into the Go
// source of one site binary; package gen/build assembles that source into
// a module and runs `go build` on it. gen emits and never validates: the
// compiler has checked everything, and recorded in the IR what gen needs
// (an app's module, App.Module and App.ModuleDir).
//
// Generate returns the files of the generated package main, each written
// with jennifer and gofmt'd by its Render:
//
//	main.go      func main() { os.Exit(server.Main(site, os.Args[1:])) }
//	site.go      var site = &server.Site{...}: every constant of the config
//	hosts.go     per listen a perfect-hash Host → website table
//	mime.go      the perfect-hash extension → media type table
//	websites.go  per website its constants and its request handler, then
//	             one handler per location
//
// build.WriteModule lays those files next to the embedded runtime source
// (package hetao) as a complete module, and build.Build runs `go build` on
// it. The files of this package are named after the file they emit and read top to bottom
// like it: one emitter function per generated declaration, each with a
// comment showing the Go it produces.
package gen

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/dave/jennifer/jen"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
)

// Import paths of the runtime packages generated code calls.
const (
	serverPkg = "github.com/hetaoc/hetao/runtime/server"
	staticPkg = "github.com/hetaoc/hetao/runtime/static"
	phashPkg  = "github.com/hetaoc/hetao/runtime/phash"
	logsPkg   = "github.com/hetaoc/hetao/runtime/logs"
	opsPkg    = "github.com/hetaoc/hetao/runtime/ops"
)

// Options change what is generated and how it is built.
type Options struct {
	// Mini makes main call server.MainMini (minihetao's command line:
	// [-l ADDR] [-p PORT] DIR) instead of server.Main.
	Mini bool

	// Build only: the go command ("" looks "go" up on PATH) and the
	// environment it runs in (nil: os.Environ()). Build adds
	// GOTOOLCHAIN=local, GOWORK=off and -mod=readonly to it.
	Go  string
	Env []string
	// Debug keeps the DWARF debug information and symbol table, which
	// Build otherwise strips (-ldflags="-s -w").
	Debug bool
}

// Generate returns the files of the site's package main, name → gofmt'd
// source. The output depends only on cfg and opt: the same config gives the
// same bytes.
func Generate(cfg *compiler.Config, opt Options) (map[string][]byte, error) {
	g, err := newGenerator(cfg, opt)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	for _, f := range []struct {
		name string
		emit func(*jen.File) error
	}{
		{"main.go", g.mainFile},
		{"site.go", g.siteFile},
		{"hosts.go", g.hostsFile},
		{"mime.go", g.mimeFile},
		{"websites.go", g.websitesFile},
	} {
		jf := g.newFile()
		if err := f.emit(jf); err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := jf.Render(&buf); err != nil {
			return nil, fmt.Errorf("gen: %s: %v", f.name, err)
		}
		files[f.name] = buf.Bytes()
	}
	return files, nil
}

// generator holds what every emitter needs: the config, the options and
// the names given to listens and websites.
type generator struct {
	cfg  *compiler.Config
	opt  Options
	conf string // base name of the configuration file, for comments

	websites []*website // pointer-distinct, in config order
	byIR     map[*compiler.Website]*website

	nRewrites int         // rewriteN variables planned so far
	upstreams []*upstream // every forward block, in planning order
	byForward map[*compiler.Forward]*upstream
	apps      []*appUpstream // every app block, in planning order
	byApp     map[*compiler.App]*appUpstream
	aliases   map[string]string // app package path → the name it is imported under
}

// website is one IR website (possibly served on several listens, as the
// 2016 layout does) and its generated names.
type website struct {
	*compiler.Website
	n       int                // websiteN
	listens []*compiler.Listen // the listens it is served on, in order

	self      *scope   // the website's own handler
	locations []*scope // its locations' handlers, in config order
}

func newGenerator(cfg *compiler.Config, opt Options) (*generator, error) {
	if cfg == nil {
		return nil, fmt.Errorf("gen: no configuration")
	}
	g := &generator{
		cfg:  cfg,
		opt:  opt,
		conf: ConfName(cfg.File),
		byIR: map[*compiler.Website]*website{},

		byForward: map[*compiler.Forward]*upstream{},
		byApp:     map[*compiler.App]*appUpstream{},
		aliases:   map[string]string{},
	}
	for _, l := range cfg.Listens {
		for _, w := range l.Websites {
			ws := g.byIR[w]
			if ws == nil {
				ws = &website{Website: w, n: len(g.websites) + 1}
				g.byIR[w] = ws
				g.websites = append(g.websites, ws)
			}
			if len(ws.listens) == 0 || ws.listens[len(ws.listens)-1] != l {
				ws.listens = append(ws.listens, l)
			}
		}
	}
	for _, w := range g.websites {
		w.self = g.newScope(w, nil, 0)
		for i, l := range w.Locations {
			w.locations = append(w.locations, g.newScope(w, l, i+1))
		}
	}
	return g, nil
}

// newFile starts a generated file of package main with the header that
// marks it generated and names its configuration.
func (g *generator) newFile() *jen.File {
	f := jen.NewFile("main")
	f.HeaderComment(fmt.Sprintf("Code generated by hetaoc %s from %s. DO NOT EDIT.", hetao.Version, g.conf))
	f.ImportName(serverPkg, "server")
	f.ImportName(staticPkg, "static")
	f.ImportName(phashPkg, "phash")
	f.ImportName(logsPkg, "logs")
	f.ImportName(opsPkg, "ops")
	f.ImportName(appPkg, "app")
	for _, a := range g.apps {
		f.ImportAlias(a.Package, a.alias)
	}
	return f
}

// pos formats a config position as generated comments carry it,
// "hetao.conf:40:9": the base name only, so that generated files never
// depend on where the config or the build lives.
func (g *generator) pos(p compiler.Pos) string {
	name := g.conf
	if p.File != "" {
		name = ConfName(p.File)
	}
	return fmt.Sprintf("%s:%d:%d", name, p.Line, p.Col)
}

// ConfName is the base name of a configuration file as generated comments carry it: quoted, Go
// style, when it holds a character a comment cannot (a line break, or a
// byte order mark, which Go refuses anywhere in a file but its start).
func ConfName(file string) string {
	if file == "" {
		return "hetao.conf"
	}
	name := filepath.Base(file)
	for _, r := range name {
		if !strconv.IsPrint(r) {
			return strconv.Quote(name)
		}
	}
	return name
}

// listenAddr names a listen as people write it: ":80", "10.0.0.1:443".
func listenAddr(l *compiler.Listen) string {
	return fmt.Sprintf("%s:%d", l.IP, l.Port)
}

// doc emits a doc comment, one "// line" per line, ready for the
// declaration that follows.
func doc(text ...string) *jen.Statement {
	s := jen.Null()
	for _, t := range text {
		s.Comment(t).Line()
	}
	return s
}

// lines is a multi-line composite literal body whose elements end in their
// own comma, so that each can carry a trailing comment:
//
//	{
//		"a.com", // hetao.conf:3:5
//		"",      // free
//	}
func lines(items []jen.Code) *jen.Statement {
	return jen.Custom(jen.Options{Open: "{", Close: "}", Multi: true}, items...)
}

// fields is a multi-line struct literal body, one "Name: value," per line.
func fields(items ...jen.Code) *jen.Statement {
	return jen.Custom(jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}, items...)
}

// field is "Name: value" inside fields.
func field(name string, value jen.Code) jen.Code {
	return jen.Id(name).Op(":").Add(value)
}
