package server

import (
	"testing"

	"github.com/hetaoc/hetao/runtime/phash"
)

// rewriteTable is, in config order:
//
//	0 ^/a$       → /exact-a     (exact: by hash)
//	1 ^/p/       → /prefix      (prefix)
//	2 ^/p/x$     → /never       (exact, shadowed by rule 1)
//	3 ^/r/(\w+)$ → /re/$1       (regexp)
//	4 ^/r/z$     → /never-z     (exact, shadowed by rule 3)
//	5 ^/late$    → /late        (exact, after the regexp, which does not match it)
func rewriteTable(t *testing.T) *RewriteTable {
	exact := map[string]ExactRewrite{
		"/a":    {Order: 0, To: "/exact-a"},
		"/p/x":  {Order: 2, To: "/never"},
		"/r/z":  {Order: 4, To: "/never-z"},
		"/late": {Order: 5, To: "/late"},
	}
	keys := make([]string, 0, len(exact))
	for k := range exact {
		keys = append(keys, k)
	}
	tab, err := phash.Build(keys, false)
	if err != nil {
		t.Fatal(err)
	}
	rt := &RewriteTable{Exact: tab, ExactRules: make([]ExactRewrite, len(tab.Keys))}
	for i, k := range tab.Keys {
		if k != "" {
			rt.ExactRules[i] = exact[k]
		}
	}
	rt.Rules = []RewriteRule{
		{Order: 1, Match: RewritePrefix, Pattern: "/p/", To: "/prefix"},
		{Order: 3, Match: RewriteRegexp, Pattern: `^/r/(\w+)$`, URI: []TemplatePart{{Lit: "/re/"}, {Group: 1}}},
	}
	return rt
}

func TestRewriteTable(t *testing.T) {
	t.Parallel()
	rt := rewriteTable(t)
	for path, want := range map[string]string{
		"/a":    "/exact-a",
		"/p/x":  "/prefix",
		"/p/y":  "/prefix",
		"/r/z":  "/re/z",
		"/late": "/late",
		"/none": "/none",
	} {
		x := rewriteCtx(path, "")
		x.Rewrite(rt)
		if string(x.Path) != want || x.Answered() {
			t.Errorf("%s: %q (answered %v), want %q", path, x.Path, x.Answered(), want)
		}
	}
}

// TestRewriteTableAllocatesNothing: a rule found by hash, or a literal
// one, costs no allocation once the table is compiled.
func TestRewriteTableAllocatesNothing(t *testing.T) {
	rt := rewriteTable(t)
	x := rewriteCtx("/a", "")
	x.Rewrite(rt) // compiles the regexps
	for _, path := range []string{"/a", "/p/y", "/late"} {
		n := testing.AllocsPerRun(100, func() {
			x.pathBuf = append(x.pathBuf[:0], path...)
			x.Path, x.Query = x.pathBuf, nil
			x.Rewrite(rt)
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per rewrite", path, n)
		}
	}
}
