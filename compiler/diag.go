package compiler

import (
	"fmt"
	"sort"
)

// Severity says whether a diagnostic stops the build.
type Severity int

const (
	Error   Severity = iota // the configuration cannot be built
	Warning                 // worth reading; the configuration still builds
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in a configuration.
type Diagnostic struct {
	Pos      Pos
	Severity Severity
	Msg      string
}

// String formats d as "file:line:col: error: message".
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Msg)
}

// String formats p as "file:line:col" (parts that are unknown are left out).
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// short is p for a message about the same file: "3:5", or "file:3:5" when
// other is in another file.
func (p Pos) short(other Pos) string {
	if p.File == other.File {
		return fmt.Sprintf("%d:%d", p.Line, p.Col)
	}
	return p.String()
}

// HasErrors reports whether ds holds at least one Error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// diags collects diagnostics. Files are ordered by when they were first
// read, so the main file's problems come first and an included file's
// follow in include order.
type diags struct {
	list  []Diagnostic
	files map[string]int
}

func (ds *diags) file(name string) {
	if ds.files == nil {
		ds.files = map[string]int{}
	}
	if _, ok := ds.files[name]; !ok {
		ds.files[name] = len(ds.files)
	}
}

func (ds *diags) errorf(p Pos, format string, args ...any) {
	ds.list = append(ds.list, Diagnostic{Pos: p, Severity: Error, Msg: fmt.Sprintf(format, args...)})
}

func (ds *diags) warnf(p Pos, format string, args ...any) {
	ds.list = append(ds.list, Diagnostic{Pos: p, Severity: Warning, Msg: fmt.Sprintf(format, args...)})
}

// errors counts the errors reported so far.
func (ds *diags) errors() int {
	n := 0
	for _, d := range ds.list {
		if d.Severity == Error {
			n++
		}
	}
	return n
}

// sorted returns the diagnostics by file, line and column, without exact
// duplicates (a 2016 site served on several ports is checked once per port).
func (ds *diags) sorted() []Diagnostic {
	out := make([]Diagnostic, len(ds.list))
	copy(out, ds.list)
	order := func(f string) int {
		if i, ok := ds.files[f]; ok {
			return i
		}
		return len(ds.files)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.File != b.File {
			oa, ob := order(a.File), order(b.File)
			if oa != ob {
				return oa < ob
			}
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	seen := map[Diagnostic]bool{}
	uniq := out[:0]
	for _, d := range out {
		if seen[d] {
			continue
		}
		seen[d] = true
		uniq = append(uniq, d)
	}
	if len(uniq) == 0 {
		return nil
	}
	return uniq
}
