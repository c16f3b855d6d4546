package check

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/gen"
	"github.com/hetaoc/hetao/gen/build"
)

// TestCheckAgreesWithGen: `hetaoc check` passes exactly what `hetaoc gen`
// (and so `hetaoc build`, before the go command) can generate. Every case
// of tests/check, every golden configuration and every configuration
// shipped under conf/ is checked as `hetaoc check` does (with the case's
// --no-fs and environment) and then generated as `hetaoc gen` does: the
// two must fail together. (A case's "file" is found by the walk too.) A configuration that checks clean and then fails
// to generate is a check that lives only in gen; one that gen would build
// and check refuses, a check too strict.
func TestCheckAgreesWithGen(t *testing.T) {
	// Every hetao configuration under conf/ and tests/ (nginx's, for the
	// benchmark, aside); included fragments fail both ways.
	var confs []string
	for _, root := range []string{"../../conf", ".."} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(p, ".conf") && !strings.HasPrefix(d.Name(), "nginx") {
				confs = append(confs, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(confs) < 60 {
		t.Fatalf("only %d configurations found", len(confs))
	}
	for _, conf := range confs {
		dir := filepath.Dir(conf)
		name := strings.TrimPrefix(strings.TrimPrefix(conf, "../"), "check/testdata/")
		t.Run(name, func(t *testing.T) {
			file := conf
			noFS := false
			if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				noFS = strings.Contains(string(b), "--no-fs")
			}
			setEnv(t, dir)
			_, diags := compiler.Load(file, compiler.Options{NoFS: noFS, Getenv: os.LookupEnv})
			checkErr := firstError(diags)

			genErr := ""
			cfg, diags := compiler.Load(file, compiler.Options{NoFS: noFS, Build: true, Getenv: os.LookupEnv})
			if e := firstError(diags); e != "" {
				genErr = "load for build: " + e
			} else if files, err := gen.Generate(cfg, gen.Options{}); err != nil {
				genErr = err.Error()
			} else if err := build.WriteModule(t.TempDir(), cfg, files); err != nil {
				genErr = err.Error()
			}
			switch {
			case checkErr == "" && genErr != "":
				t.Errorf("check passes %s, gen fails: %s", file, genErr)
			case checkErr != "" && genErr == "":
				t.Errorf("check refuses %s (%s), gen generates it", file, checkErr)
			}
		})
	}
}

// firstError is the first error among diags, "" when there is none.
func firstError(diags []compiler.Diagnostic) string {
	for _, d := range diags {
		if d.Severity == compiler.Error {
			return d.String()
		}
	}
	return ""
}
