package build

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
)

// WriteModule writes a complete, buildable module for the site of cfg to
// dir:
//
//	dir/go.mod, dir/go.sum   hetaoc's own, as it was built (module github.com/hetaoc/hetao,
//	                         so the runtime's import paths resolve unchanged), plus the
//	                         modules of cfg's apps, replaced by their directories (appmod.go)
//	dir/runtime/**           the runtime source embedded in hetaoc, without tests and testdata
//	dir/*.go                 files, the generated package main, at the module root
//
// dir is created if needed; files already there are overwritten.
func WriteModule(dir string, cfg *compiler.Config, files map[string][]byte) error {
	gomod, gosum, err := moduleFiles(cfg)
	if err != nil {
		return err
	}
	if err := copyFS(dir, hetao.Source, "runtime"); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"go.mod": gomod, "go.sum": gosum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o666); err != nil {
			return err
		}
	}
	return WriteFiles(dir, files)
}

// WriteFiles writes the generated files into dir, in name order.
func WriteFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name != filepath.Base(name) {
			return fmt.Errorf("gen: generated file name %q is not a plain name", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o666); err != nil {
			return err
		}
	}
	return nil
}

// copyFS copies the named files and trees of src into dir, leaving out
// _test.go files and testdata directories: a site needs neither.
func copyFS(dir string, src fs.FS, roots ...string) error {
	for _, root := range roots {
		err := fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(p))
			if d.IsDir() {
				if d.Name() == "testdata" {
					return fs.SkipDir
				}
				return os.MkdirAll(dst, 0o777)
			}
			if strings.HasSuffix(p, "_test.go") {
				return nil
			}
			data, err := fs.ReadFile(src, p)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o777); err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o666)
		})
		if err != nil {
			return fmt.Errorf("gen: writing %s: %v", path.Join(dir, root), err)
		}
	}
	return nil
}
