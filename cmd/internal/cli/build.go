package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen"
	"github.com/hetaoc/hetao/gen/build"
	"github.com/hetaoc/hetao/gen/image"
)

const buildUsage = `usage: hetaoc build [--no-fs] [--debug] hetao.conf [-o site] [--image site.tar [--image-ref NAME:TAG] [--image-www DIR]]

Checks the configuration, generates the site's Go source and compiles it
with the go command on PATH into one static binary (default ./site), with
cgo off and without debug information.
  -o FILE           the binary to write
  --debug           keep the symbol table and DWARF debug information (for debuggers and profilers)
  --no-fs           do not look at the file system while checking (wwwroot, error pages, certificates)
  --image FILE      also write a container image archive of the site (podman load / docker load):
                    the binary, the files the configuration names under its directory, CA
                    certificates, user 65532, STOPSIGNAL SIGTERM; reproducible
  --image-ref NAME  the image's name (default: the configuration's name, :latest)
  --image-www DIR   a directory to copy into the image at its absolute path as well
`

const genUsage = `usage: hetaoc gen [--no-fs] [--main-only] hetao.conf -d DIR

Writes the generated Go module of the site to DIR, to read or to build by
hand (cd DIR && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o site .).
  -d DIR       where to write (created if needed; generated files are overwritten)
  --main-only  write only the generated package main files, not go.mod and runtime/
  --no-fs      do not look at the file system while checking
`

// runBuild is `hetaoc build [--no-fs] hetao.conf -o site`.
func runBuild(args []string, stdout, stderr io.Writer) int {
	a, code := parseArgs(args,
		map[string]*string{"o": new(string), "image": new(string), "image-ref": new(string), "image-www": new(string)},
		map[string]*bool{"no-fs": new(bool), "debug": new(bool)}, buildUsage, stdout, stderr)
	if a == nil {
		return code
	}
	out := *a.values["o"]
	if out == "" {
		out = "site"
	}
	cfg, ok := load(a.file, *a.flags["no-fs"], stderr)
	if !ok {
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := build.Build(ctx, cfg, out, gen.Options{Debug: *a.flags["debug"]}); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if tar := *a.values["image"]; tar != "" {
		opt := image.Options{Ref: *a.values["image-ref"]}
		if d := *a.values["image-www"]; d != "" {
			opt.WWW = []string{d}
		}
		digest, err := image.Write(cfg, out, tar, opt)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: image %s\n", tar, digest)
	}
	return 0
}

const versionUsage = `usage: hetaoc version [hetao.conf]

Prints hetaoc's version and the Go it was built with; with a configuration,
also the hash a site built from it prints with -version.
`

// runVersion is `hetaoc version [hetao.conf]`.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "hetaoc %s (%s %s/%s)\n", hetao.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if len(args) == 0 {
		return 0
	}
	a, code := parseArgs(args, map[string]*string{}, map[string]*bool{"no-fs": new(bool)}, versionUsage, stdout, stderr)
	if a == nil {
		return code
	}
	cfg, ok := load(a.file, true, stderr)
	if !ok {
		return 1
	}
	fmt.Fprintf(stdout, "%s %s\n", a.file, cfg.Hash)
	return 0
}

// runGen is `hetaoc gen [--no-fs] [--main-only] hetao.conf -d DIR`.
// The hidden --mini generates minihetao's main (server.MainMini).
func runGen(args []string, stdout, stderr io.Writer) int {
	a, code := parseArgs(args,
		map[string]*string{"d": new(string)},
		map[string]*bool{"no-fs": new(bool), "main-only": new(bool), "mini": new(bool)},
		genUsage, stdout, stderr)
	if a == nil {
		return code
	}
	dir := *a.values["d"]
	if dir == "" {
		fmt.Fprintf(stderr, "hetaoc gen: missing -d DIR\n%s", genUsage)
		return 2
	}
	cfg, ok := load(a.file, *a.flags["no-fs"], stderr)
	if !ok {
		return 1
	}
	files, err := gen.Generate(cfg, gen.Options{Mini: *a.flags["mini"]})
	if err == nil {
		if *a.flags["main-only"] {
			err = build.WriteFiles(dir, files)
		} else {
			err = build.WriteModule(dir, cfg, files)
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// load checks a configuration as `hetaoc check` does, printing every
// diagnostic, and reports whether it is free of errors.
func load(file string, noFS bool, stderr io.Writer) (*compiler.Config, bool) {
	cfg, diags := compiler.Load(file, compiler.Options{NoFS: noFS, Build: true, Getenv: os.LookupEnv})
	for _, d := range diags {
		fmt.Fprintln(stderr, d.String())
	}
	return cfg, cfg != nil && !compiler.HasErrors(diags)
}

// cmdArgs are a subcommand's parsed arguments: one file, flags before or
// after it.
type cmdArgs struct {
	file   string
	values map[string]*string
	flags  map[string]*bool
}

// parseArgs parses "-name value", "-name=value", "--name" and one
// positional file, in any order. It returns nil and the exit code when the
// command should stop (help: 0, bad usage: 2).
func parseArgs(args []string, values map[string]*string, flags map[string]*bool, usage string, stdout, stderr io.Writer) (*cmdArgs, int) {
	a := &cmdArgs{values: values, flags: flags}
	bad := func(format string, v ...any) (*cmdArgs, int) {
		fmt.Fprintf(stderr, "hetaoc: "+format+"\n%s", append(v, usage)...)
		return nil, 2
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "-" || !strings.HasPrefix(arg, "-") {
			if a.file != "" {
				return bad("more than one configuration file: %q and %q", a.file, arg)
			}
			a.file = arg
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch {
		case name == "h" || name == "help":
			fmt.Fprint(stdout, usage)
			return nil, 0
		case values[name] != nil:
			if !hasValue {
				if i+1 == len(args) {
					return bad("flag %s needs a value", arg)
				}
				i++
				value = args[i]
			}
			*values[name] = value
		case flags[name] != nil && !hasValue:
			*flags[name] = true
		default:
			return bad("unknown flag %s", arg)
		}
	}
	if a.file == "" {
		return bad("missing the configuration file")
	}
	return a, 0
}
