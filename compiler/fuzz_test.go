package compiler

import (
	"bytes"
	"os"
	"sort"
	"testing"
)

// FuzzLoad feeds arbitrary text to the whole front end (lexer, parser,
// includes, schema, checks) and checks its promises: no panic, diagnostics
// sorted with real positions, a Config whenever there are no errors, and
// Print output that loads again without errors.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"../conf/hetao.conf", "../conf/hetao-2016.conf"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	// Includes that cannot be read, in every place one can stand.
	f.Add([]byte(`{ !include gone.conf "listen" : [ !include gone.conf, { "port" : 80, "website" : { !include gone.conf } } ], "mime_types" : !include gone.conf }`))
	f.Add([]byte(`!include loop.conf { "listen" : { "port" : 80 !include inc.conf "website" : { "wwwroot" : "/w" } } } !include gone.conf`))
	env := func(name string) (string, bool) {
		if name == "HOME" {
			return "/home/hetao", true
		}
		return "", false
	}
	includes := map[string]string{
		"/fuzz/inc.conf":  `"log_level" : DEBUG,`,
		"/fuzz/loop.conf": `!include loop.conf`,
	}
	read := func(name string) ([]byte, error) {
		if s, ok := includes[name]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	opt := Options{NoFS: true, Getenv: env}
	f.Fuzz(func(t *testing.T, src []byte) {
		c, ds := load("fuzz.conf", "/fuzz/fuzz.conf", src, opt, read)
		if !sort.SliceIsSorted(ds, func(i, j int) bool {
			a, b := ds[i].Pos, ds[j].Pos
			if a.File != b.File {
				return false
			}
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		}) {
			t.Errorf("diagnostics not sorted: %v", ds)
		}
		for _, d := range ds {
			if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Msg == "" {
				t.Errorf("diagnostic without a position or message: %#v", d)
			}
		}
		if HasErrors(ds) {
			return
		}
		if c == nil {
			t.Fatal("no errors but no Config")
		}
		var out bytes.Buffer
		Print(&out, c)
		_, ds2 := load("printed.conf", "/fuzz/printed.conf", out.Bytes(), opt, read)
		if HasErrors(ds2) {
			t.Errorf("printed configuration does not load:\n%s\n%v", out.String(), ds2)
		}
	})
}
