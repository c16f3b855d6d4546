// Package envvar is hetao's $NAME$ references to environment variables:
// their grammar (Scan), which hetaoc's check uses to report a malformed
// reference at its column, and their expansion (Expand), for the site when
// it starts (log, certificate and root paths) and for hetaoc when it must
// read a path at build time (an app's dir). One grammar, so that what
// check accepts is what the site expands.
package envvar

import (
	"fmt"
	"strings"
)

// Ref is one $NAME$ reference in a string.
type Ref struct {
	Name string
	Off  int // byte offset of the opening $
}

// Scan finds the $NAME$ references of s, left to right, as hetao expands
// them: a "$" without a closing "$" stays literal. bad is the offset of
// the first malformed reference ("$$", or a name that is not letters,
// digits and _ starting with a letter or _), -1 when there is none; refs
// are those before it.
func Scan(s string) (refs []Ref, bad int) {
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], '$')
		if j < 0 {
			break
		}
		start := i + j
		k := strings.IndexByte(s[start+1:], '$')
		if k < 0 {
			break
		}
		name := s[start+1 : start+1+k]
		if !ValidName(name) {
			return refs, start
		}
		refs = append(refs, Ref{Name: name, Off: start})
		i = start + k + 2
	}
	return refs, -1
}

// ValidName reports whether s is a variable name: letters, digits and _,
// not starting with a digit.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// Expand replaces each $NAME$ in s with the value lookup gives NAME. An
// unset variable or a malformed reference is an error; a "$" without a
// closing "$" stays as it is.
func Expand(s string, lookup func(string) (string, bool)) (string, error) {
	refs, bad := Scan(s)
	if bad >= 0 {
		name, _, _ := strings.Cut(s[bad+1:], "$")
		if name == "" {
			return "", fmt.Errorf("empty variable name \"$$\" in %q", s)
		}
		return "", fmt.Errorf("$%s$ in %q is not a variable reference: names are letters, digits and _", name, s)
	}
	var b strings.Builder
	i := 0
	for _, r := range refs {
		v, ok := lookup(r.Name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", r.Name)
		}
		b.WriteString(s[i:r.Off])
		b.WriteString(v)
		i = r.Off + len(r.Name) + 2
	}
	b.WriteString(s[i:])
	return b.String(), nil
}
