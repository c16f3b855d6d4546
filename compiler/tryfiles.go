package compiler

import (
	"strconv"
	"strings"
)

// TryFiles is nginx's try_files: the forms of the request path tried in
// order, the first naming a file answers; then Fallback, a URI served from
// the same root, or Status.
type TryFiles struct {
	Paths    []string // each "/…" or "$uri…", at most one $uri
	Fallback string   // "/index.html"; "" when Status is set
	Status   int
	Pos      Pos
}

// String is the value as it would be written.
func (t *TryFiles) String() string {
	last := t.Fallback
	if last == "" {
		last = "=" + strconv.Itoa(t.Status)
	}
	return strings.Join(append(append([]string(nil), t.Paths...), last), " ")
}

// tryFiles reads "try_files" : "$uri $uri.html $uri/ /index.html".
func (c *checker) tryFiles(o *obj) *TryFiles {
	s, v := o.str("try_files", "")
	if v == nil {
		return nil
	}
	key := o.key("try_files")
	t := &TryFiles{Pos: v.pos}
	items := strings.Fields(s)
	if len(items) < 2 {
		c.d.errorf(v.pos, "%s %q needs at least two entries: the paths to try and a last one, a URI or =status, like \"$uri $uri/ /index.html\"", key, s)
		return nil
	}
	ok := true
	off := 0
	for i, it := range items {
		j := strings.Index(s[off:], it) + off
		off = j + len(it)
		pos := v.posIn(j)
		last := i == len(items)-1
		if last && strings.HasPrefix(it, "=") {
			code, err := strconv.Atoi(it[1:])
			if err != nil || code < 200 || code > 599 {
				c.d.errorf(pos, "%s: %q must be =NNN with a status from 200 to 599, like =404", key, it)
				ok = false
			}
			t.Status = code
			continue
		}
		rest := it
		if strings.HasPrefix(it, "$uri") {
			rest = "/uri" + it[len("$uri"):] // the request path stands for $uri
			if last {
				c.d.errorf(pos, "%s: the last entry %q is the fallback, a fixed URI like \"/index.html\" or =404", key, it)
				ok = false
				continue
			}
		}
		switch {
		case !strings.HasPrefix(rest, "/"):
			c.d.errorf(pos, "%s: %q must start with \"/\" or \"$uri\"", key, it)
			ok = false
		case strings.Contains(rest, "$"):
			c.d.errorf(pos, "%s: %q: $uri is the only variable, and once per entry", key, it)
			ok = false
		case strings.ContainsAny(rest, "?#") || strings.Contains(rest, "//") || hasDotSegment(rest):
			c.d.errorf(pos, "%s: %q must be a clean path: no \"?\", \"#\", \"//\" or dot segments", key, it)
			ok = false
		case last:
			t.Fallback = it
		default:
			t.Paths = append(t.Paths, it)
		}
	}
	if !ok {
		return nil
	}
	return t
}

func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func showTryFiles(t *TryFiles) []any {
	if t == nil {
		return nil
	}
	return []any{t.String()}
}
