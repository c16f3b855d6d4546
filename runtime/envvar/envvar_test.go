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
