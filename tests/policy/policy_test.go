// Package policy checks the rules of the repository that no compiler
// enforces: the direction of imports between the top-level folders.
// This table is a statement of design (ARCHITECTURE.md); do not change it
// to make a build pass.
package policy

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/hetaoc/hetao"

// allowed lists, for each top-level folder, the project folders its
// packages may depend on (directly or not). Third-party modules are checked
// separately.
var allowed = map[string][]string{
	"runtime":   {"runtime"},
	"compiler":  {"compiler", "runtime/envvar"}, // the $VAR$ grammar, shared with the site
	"templates": {"templates"},
	"gen":       {"gen", "compiler", "templates", "runtime/phash", "runtime/envvar", "."},
	"cmd":       {"cmd", "gen", "compiler", "templates", "runtime", "."},
}

// thirdParty lists the modules each folder may use.
var thirdParty = map[string][]string{
	// golang.org/x/crypto/bcrypt: the htpasswd -B entries of auth_basic
	// (runtime/auth); a password hash is no place for code of our own.
	// golang.org/x/net/http2/hpack: HPACK for runtime/http2 (RFC 7541's
	// tables and Huffman code, as Go's own HTTP/2 server uses them).
	// github.com/andybalholm/brotli: the br variants of cached files; the
	// only pure-Go brotli encoder at quality 11.
	// runtime/ops only (linked into sites with an ops listen): the
	// Prometheus text format from its maintainers' expfmt, with what it
	// needs (client_model, protobuf, goautoneg), not a formatter of ours.
	"runtime": {"golang.org/x/sys", "github.com/klauspost/compress", "golang.org/x/crypto", "golang.org/x/net/http2/hpack",
		"github.com/prometheus/common", "github.com/prometheus/client_model", "google.golang.org/protobuf", "github.com/munnerz/goautoneg", "go.yaml.in/yaml/v2",
		"github.com/andybalholm/brotli"},
	// golang.org/x/mod/modfile: the go.mod reader of the go command's own
	// authors, for the go.mod of app modules (compiler resolves them, gen
	// merges them): go.mod grammar keeps growing (tool, ignore, godebug).
	"compiler":  {"github.com/tidwall/jsonc", "golang.org/x/mod"},
	"templates": {},
	// gen/image: container images from Google's go-containerregistry (what
	// ko and crane use: OCI/Docker manifests, layers, archives) and what
	// it needs.
	"gen": {"github.com/dave/jennifer", "github.com/tidwall/jsonc", "golang.org/x/mod",
		"github.com/google/go-containerregistry", "github.com/opencontainers/go-digest", "github.com/opencontainers/image-spec", "github.com/containerd/stargz-snapshotter", "github.com/vbatts/tar-split", "golang.org/x/sync", "github.com/klauspost/compress"},
	"cmd": {"github.com/dave/jennifer", "github.com/tidwall/jsonc", "golang.org/x/sys", "github.com/klauspost/compress", "golang.org/x/mod", "golang.org/x/crypto", "golang.org/x/net/http2/hpack",
		"github.com/google/go-containerregistry", "github.com/opencontainers/go-digest", "github.com/opencontainers/image-spec", "github.com/containerd/stargz-snapshotter", "github.com/vbatts/tar-split", "golang.org/x/sync", "github.com/klauspost/compress", "github.com/andybalholm/brotli"},
}

func TestImportDirection(t *testing.T) {
	for top := range allowed {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", module+"/"+top+"/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", top, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if !strings.HasPrefix(dep, module) {
				if !hasModule(thirdParty[top], dep) {
					t.Errorf("%s depends on %s, which it may not use", top, dep)
				}
				continue
			}
			rel := strings.TrimPrefix(strings.TrimPrefix(dep, module), "/")
			if rel == "" {
				rel = "."
			}
			if !inFolders(allowed[top], rel) {
				t.Errorf("%s depends on %s/%s", top, module, rel)
			}
		}
	}
}

func hasModule(mods []string, pkg string) bool {
	for _, m := range mods {
		if pkg == m || strings.HasPrefix(pkg, m+"/") {
			return true
		}
	}
	return false
}

func inFolders(folders []string, rel string) bool {
	for _, f := range folders {
		if rel == f || (f != "." && strings.HasPrefix(rel, f+"/")) {
			return true
		}
	}
	return false
}

// TestNoPackageNamedRuntime: a package named runtime would shadow the
// standard library's in every file that imports it.
func TestNoPackageNamedRuntime(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.Name}} {{.ImportPath}}", module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if strings.HasPrefix(line, "runtime ") {
			t.Errorf("package named runtime: %s", line)
		}
	}
}
