package compiler

import (
	"fmt"
	"os"
	"path/filepath"
)

// Options change how Load checks a configuration.
type Options struct {
	// NoFS skips every check that looks at the file system: wwwroot
	// directories, error pages, certificates, application directories.
	NoFS bool
	// Build loads the configuration to be built: the module of every app
	// is resolved (its go.mod read) even with NoFS, as generation needs
	// it (App.Module, App.ModuleDir).
	Build bool
	// Getenv looks up $VAR$ references; nil means os.LookupEnv.
	Getenv func(string) (string, bool)
}

// Load reads the configuration in file (with its !include files), checks
// it and returns its IR with every default filled in. The diagnostics are
// sorted by position. Config is nil only when errors prevented building
// one; a non-nil Config may still come with errors, so callers check
// HasErrors.
func Load(file string, opt Options) (*Config, []Diagnostic) {
	src, err := readConfigFile(file)
	if err != nil {
		return nil, []Diagnostic{{Pos: Pos{File: file}, Severity: Error, Msg: "cannot read configuration: " + describeFileErr(err)}}
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return load(file, abs, src, opt, nil)
}

// load is Load on source already in memory; readFile reads includes (nil:
// readConfigFile).
func load(name, abs string, src []byte, opt Options, readFile func(string) ([]byte, error)) (*Config, []Diagnostic) {
	d := &diags{}
	ts := newTokenSource(name, abs, src, d)
	ts.readFile = readFile
	p := &parser{src: ts, d: d}
	root := p.parseTop()
	if root == nil || d.errors() > ts.lost {
		// Semantic checks on a broken tree would mostly echo the syntax
		// errors; fix those first. An !include that could not be read is
		// not one: the tree around it is whole, so checking goes on and
		// every problem shows in one run (keys the file may have held are
		// not reported missing).
		return nil, d.sorted()
	}
	c := &checker{d: d, opt: opt, dir: filepath.Dir(abs), getenv: opt.Getenv}
	if c.getenv == nil {
		c.getenv = os.LookupEnv
	}
	cfg := c.config(root, name)
	if cfg != nil {
		cfg.Hash = fmt.Sprintf("sha256:%x", ts.hash.Sum(nil))
	}
	return cfg, d.sorted()
}

// checker turns a syntax tree into the IR, reporting what is wrong.
type checker struct {
	d      *diags
	opt    Options
	dir    string // absolute directory of the main file: relative paths start here
	getenv func(string) (string, bool)
	// modules maps the path of each module apps are taken from to where
	// (appmodule.go); moduleOrder lists them in the order found.
	modules     map[string]*appModule
	moduleOrder []string
}
