package envvar

import "testing"

func TestExpand(t *testing.T) {
	env := map[string]string{"HOME": "/home/h", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct{ in, want, err string }{
		{"/var/log", "/var/log", ""},
		{"$HOME$/www", "/home/h/www", ""},
		{"a$EMPTY$b$HOME$", "ab/home/h", ""},
		{"cost $5", "cost $5", ""},
		{"$UNSET$/x", "", "environment variable UNSET is not set"},
		{"a$$b", "", `empty variable name "$$" in "a$$b"`},
		{"$a b$/x", "", `$a b$ in "$a b$/x" is not a variable reference: names are letters, digits and _`},
		{"$HOME$$", "/home/h$", ""},
	} {
		got, err := Expand(tc.in, lookup)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzExpand: Scan and Expand agree on every string: Expand fails exactly
// when Scan finds a malformed reference (every variable is set here), and
// a string without references comes back unchanged.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{"$HOME$/www", "a$$b", "cost $5", "$a b$", "$1A$", "$A$$B$$", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		refs, bad := Scan(s)
		out, err := Expand(s, func(string) (string, bool) { return "v", true })
		if (err != nil) != (bad >= 0) {
			t.Fatalf("%q: Scan bad %d, Expand error %v", s, bad, err)
		}
		if err == nil && len(refs) == 0 && out != s {
			t.Fatalf("%q: no references, expanded to %q", s, out)
		}
	})
}
