package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListenHTTP2Keys(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pem := filepath.Join(dir, "c.pem")
	os.WriteFile(pem, []byte("x"), 0o644)
	ssl := `"ssl" : { "certificate_file" : "` + pem + `", "certificate_key_file" : "` + pem + `" }, `
	site := `"website" : { "wwwroot" : "/w" }`
	cases := []struct {
		listen    string
		http2, h2 bool
		err       string // "" when clean
	}{
		{`"port" : 443, ` + ssl + site, true, false, ""},
		{`"port" : 443, "http2" : 0, ` + ssl + site, false, false, ""},
		{`"port" : 80, ` + site, true, false, ""},
		{`"port" : 80, "h2c" : 1, ` + site, true, true, ""},
		{`"port" : 80, "http2" : 0, ` + site, false, false, `main.conf:1:39: error: listen.http2 applies to a listen with ssl`},
		{`"port" : 443, "h2c" : 1, ` + ssl + site, true, true, `main.conf:1:38: error: listen.h2c applies to a listen without ssl`},
		{`"port" : 80, "h2c" : 2, ` + site, false, false, `h2c`},
	}
	for _, tc := range cases {
		c, ds := loadString(t, `{ "listen" : { `+tc.listen+` } }`, nil)
		if tc.err != "" {
			if len(ds) != 1 || !strings.Contains(ds[0].String(), tc.err) {
				t.Errorf("%s: got %v, want %q", tc.listen, msgs(ds), tc.err)
			}
			continue
		}
		if len(ds) != 0 {
			t.Errorf("%s: %s", tc.listen, msgs(ds))
			continue
		}
		if l := c.Listens[0]; l.HTTP2 != tc.http2 || l.H2C != tc.h2 {
			t.Errorf("%s: http2 %v h2c %v", tc.listen, l.HTTP2, l.H2C)
		}
	}
}
