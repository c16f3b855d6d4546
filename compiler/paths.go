package compiler

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/hetaoc/hetao/runtime/envvar"
)

// Paths: relative paths are resolved against the directory of the main
// configuration file and stored absolute, except paths that start with a
// $VAR$ reference, which are kept as written and expanded when the site
// starts. A variable unset where hetaoc runs is a warning, and the file
// system checks of that path are skipped. The grammar of a reference is
// runtime/envvar's, the one the site expands with.

// path checks the path value s of key (written at v) and returns what the
// IR stores.
func (c *checker) path(v *node, key, s string) string {
	if s == "" || s == "-" && strings.HasSuffix(key, "access_log") {
		return s // "-": standard output
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		// No system call takes it: the site could not open the file.
		c.d.errorf(v.posIn(i), "%s holds a NUL byte, which no file name can", key)
	}
	refs, bad := envvar.Scan(s)
	if bad >= 0 {
		name, _, _ := strings.Cut(s[bad+1:], "$")
		if name == "" {
			c.d.errorf(v.posIn(bad), "%s: $$ is an empty variable reference (write $NAME$)", key)
		} else {
			c.d.errorf(v.posIn(bad), "%s: $%s$ is not a valid variable reference: names are letters, digits and _", key, name)
		}
	}
	for _, r := range refs {
		if _, ok := c.getenv(r.Name); !ok && strings.HasSuffix(key, "app.dir") {
			// The build reads the app's module now, from hetaoc's environment.
			c.d.errorf(v.posIn(r.Off), "%s uses $%s$, which is not set here, and hetaoc build expands dir from its own environment", key, r.Name)
		} else if !ok {
			c.d.warnf(v.posIn(r.Off), "%s uses $%s$, which is not set here; it is expanded when the site starts", key, r.Name)
		}
	}
	if len(refs) > 0 && refs[0].Off == 0 {
		return s
	}
	if filepath.IsAbs(s) {
		return filepath.Clean(s)
	}
	return filepath.Join(c.dir, s)
}

// expand returns s with its variables expanded, and false when one is
// unset (file system checks are skipped then).
func (c *checker) expand(s string) (string, bool) {
	out, err := envvar.Expand(s, c.getenv)
	if err != nil {
		return "", false
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(c.dir, out)
	}
	return out, true
}

// checkDir reports when path p (stored form) is not a directory.
func (c *checker) checkDir(v *node, key, p string) {
	if c.opt.NoFS || p == "" || v == nil {
		return
	}
	full, ok := c.expand(p)
	if !ok {
		return
	}
	st, err := os.Stat(full)
	switch {
	case err != nil:
		c.d.errorf(v.pos, "%s %q: %s", key, full, describeFileErr(err))
	case !st.IsDir():
		c.d.errorf(v.pos, "%s %q is not a directory", key, full)
	}
}

// checkFile reports when path p (stored form) is not a readable file.
func (c *checker) checkFile(v *node, key, p string) {
	if c.opt.NoFS || p == "" || v == nil {
		return
	}
	full, ok := c.expand(p)
	if !ok {
		return
	}
	st, err := os.Stat(full)
	if err == nil && st.IsDir() {
		c.d.errorf(v.pos, "%s %q is a directory, not a file", key, full)
		return
	}
	if err == nil {
		var f *os.File
		if f, err = os.Open(full); err == nil {
			f.Close()
		}
	}
	if err != nil {
		c.d.errorf(v.pos, "%s %q: %s", key, full, describeFileErr(err))
	}
}
