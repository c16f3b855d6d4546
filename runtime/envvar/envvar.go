// Package envvar expands hetao's $NAME$ references to environment
// variables, for the site when it starts (log, certificate and root paths)
// and for hetaoc when it must read a path at build time (an app's dir).
package envvar

import (
	"fmt"
	"strings"
)

// Expand replaces each $NAME$ in s with the value lookup gives NAME. An
// unset variable or an empty name ("$$") is an error; a "$" without a
// closing "$" stays as it is.
func Expand(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '$')
		if j < 0 {
			break
		}
		name := s[i+1 : i+1+j]
		if name == "" {
			return "", fmt.Errorf("empty variable name \"$$\" in %q", s)
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("environment variable %s is not set", name)
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+2+j:]
	}
	b.WriteString(s)
	return b.String(), nil
}
