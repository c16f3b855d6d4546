package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen"
)

// Build generates the site of cfg and compiles it into the binary out:
//
//	CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o OUT .
//
// in a temporary module (WriteModule) that is removed afterwards, with
// GOTOOLCHAIN=local, GOWORK=off and GOFLAGS=-mod=readonly added to the
// environment, so nothing is downloaded that the module cache lacks and
// the same config with the same hetaoc gives the same binary, byte for
// byte. With cgo off the binary is static (no ELF interpreter: it runs in
// an empty container image or on a musl system) and os/user and net use
// their pure-Go lookups; -s -w strips the symbol table and DWARF
// (Options.Debug keeps them). Errors of `go build` are reported at the config line the failing
// generated code came from (see BuildError).
func Build(ctx context.Context, cfg *compiler.Config, out string, opt gen.Options) error {
	if _, err := lookGo(opt.Go); err != nil {
		return err
	}
	files, err := gen.Generate(cfg, opt)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "hetaoc-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := WriteModule(dir, cfg, files); err != nil {
		return err
	}

	return goBuild(ctx, dir, abs, files, cfg, opt)
}

// goBuild runs the go command on the module in dir, writing out.
func goBuild(ctx context.Context, dir, out string, files map[string][]byte, cfg *compiler.Config, opt gen.Options) error {
	goCmd, err := lookGo(opt.Go)
	if err != nil {
		return err
	}
	args := []string{"build", "-trimpath", "-buildvcs=false"}
	if !opt.Debug {
		args = append(args, "-ldflags=-s -w")
	}
	cmd := exec.CommandContext(ctx, goCmd, append(args, "-o", out, ".")...)
	cmd.Dir = dir
	cmd.Env = buildEnv(opt.Env)
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return fmt.Errorf("hetaoc: running %s: %v", goCmd, err)
		}
		return mapBuildError(stderr.String(), dir, files, cfg)
	}
	return nil
}

// lookGo finds the go command: name if given, else "go" on PATH.
func lookGo(name string) (string, error) {
	if name == "" {
		name = "go"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("hetaoc: building a site needs the go command (Go 1.26 or newer), and %q is not on PATH: "+
			"install Go from https://go.dev/dl/ and put its bin directory on PATH, or use `hetaoc gen` and build by hand", name)
	}
	return p, nil
}

// buildEnv is env (nil: this process's environment) with the settings that
// make a site build local, offline-safe, static and reproducible:
// GOTOOLCHAIN=local (no toolchain switch), GOWORK=off (no go.work of the
// user's), CGO_ENABLED=0 and -mod=readonly appended to GOFLAGS (replacing
// any -mod).
func buildEnv(env []string) []string {
	if env == nil {
		env = os.Environ()
	}
	var out []string
	goflags := ""
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "GOTOOLCHAIN", "GOWORK", "CGO_ENABLED":
			continue
		case "GOFLAGS":
			for _, f := range strings.Fields(v) {
				if !strings.HasPrefix(f, "-mod=") && !strings.HasPrefix(f, "--mod=") {
					goflags += f + " "
				}
			}
			continue
		}
		out = append(out, kv)
	}
	return append(out, "GOTOOLCHAIN=local", "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS="+goflags+"-mod=readonly")
}
