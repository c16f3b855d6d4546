package compiler

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

// loadString loads src as the main file main.conf in a fresh directory.
func loadString(t *testing.T, src string, files map[string]string) (*Config, []Diagnostic) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	main := filepath.Join(dir, "main.conf")
	if err := os.WriteFile(main, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(main, Options{NoFS: true, Getenv: func(string) (string, bool) { return "", false }})
}

func msgs(ds []Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String()[strings.LastIndex(d.Pos.File, "/")+1:])
		b.WriteString("\n")
	}
	return b.String()
}

const minimal = `{ "listen" : { "port" : 80, "website" : { "wwwroot" : "/srv/www" } } }`

func TestDefaults(t *testing.T) {
	c, ds := loadString(t, minimal, nil)
	if len(ds) != 0 {
		t.Fatalf("diagnostics:\n%s", msgs(ds))
	}
	want := Config{WorkerProcesses: 1, LogLevel: "ERROR",
		Limits: Limits{100000, 1024000, -1, 128, 4096, 4 << 20},
		TCP:    TCPOptions{NoDelay: true, Linger: -1},
		HTTP:   HTTPOptions{CompressOn: true, Timeout: 30, Elapse: 60, ForwardDisable: 60}}
	if c.WorkerProcesses != want.WorkerProcesses || c.CPUAffinity != want.CPUAffinity || c.AcceptMutex ||
		c.LogLevel != want.LogLevel || c.User != "" || c.ErrorLog != "" ||
		c.Limits != want.Limits || c.TCP != want.TCP || c.HTTP != want.HTTP {
		t.Errorf("defaults: got %+v", c)
	}
	if len(c.MIME) != len(builtinMIME()) || len(c.Listens) != 1 || c.Listens[0].Websites[0].Wwwroot != "/srv/www" {
		t.Errorf("got %d MIME types, listens %+v", len(c.MIME), c.Listens)
	}
}

func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{Pos: Pos{File: "hetao.conf", Line: 12, Col: 5}, Severity: Error, Msg: `website "a.example" declared twice in listen :80 (first at 3:5)`}
	if got, want := d.String(), `hetao.conf:12:5: error: website "a.example" declared twice in listen :80 (first at 3:5)`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d.Severity = Warning
	if !strings.Contains(d.String(), ": warning: ") || HasErrors([]Diagnostic{d}) {
		t.Errorf("warning: %q", d)
	}
}

func TestPositionsAndComments(t *testing.T) {
	// "é" is two bytes: columns count bytes. /**/ closes (hetao's 4-byte
	// skip would not) and an empty // does not swallow the next line.
	src := "{ /**/ \"x\" : 1, //\n  \"é\" : 2,\n  /* !include nothere.conf */ \"y\" : 3 }"
	_, ds := loadString(t, src, nil)
	got := msgs(ds)
	for _, want := range []string{
		`main.conf:1:8: error: unknown key "x" in the top level`,
		`main.conf:2:3: error: unknown key "é" in the top level`,
		`main.conf:3:31: error: unknown key "y" in the top level`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "include") {
		t.Errorf("!include in a comment was expanded:\n%s", got)
	}
}

// A file that only opens brackets is a syntax error, not a crash: the
// recursive descent stops at maxDepth. The stack is bounded here so that,
// without that bound, this test dies instead of taking a gigabyte.
func TestDeepNesting(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(64 << 20))
	for _, open := range []string{"[", `{"a":`} {
		src := `{ "listen" : ` + strings.Repeat(open, 1<<20)
		_, ds := loadString(t, src, nil)
		got := msgs(ds)
		if want := fmt.Sprintf(`error: value of "listen" is nested more than %d deep`, maxDepth); open == "[" && !strings.Contains(got, want) {
			t.Errorf("%s: missing %q in\n%s", open, want, got)
		}
		if !strings.Contains(got, "nested more than") || !strings.Contains(got, "too many syntax errors") {
			t.Errorf("%s: got\n%s", open, got)
		}
	}
}

func TestLayout2016Ports(t *testing.T) {
	src := `{ "listen" : { "port" : "9527, 9528" }, "ssl" : { "certificate_file" : "c.pem", "certificate_key_file" : "c.key" },
	  "server" : { "wwwroot" : "www", "forward_type" : "php", "forward_rule" : "L",
	               "forward_servers" : { "forward_server" : { "ip" : "127.0.0.1", "port" : 9000 } } },
	  "servers" : { "server" : { "domain" : "b.example", "wwwroot" : "www" } } }`
	c, ds := loadString(t, src, nil)
	if HasErrors(ds) {
		t.Fatalf("diagnostics:\n%s", msgs(ds))
	}
	if len(c.Listens) != 2 || c.Listens[0].Port != 9527 || c.Listens[1].Port != 9528 {
		t.Fatalf("listens: %+v", c.Listens)
	}
	for _, l := range c.Listens {
		if len(l.Websites) != 2 || l.SSL == nil || l.Websites[0].Forward == nil || l.Websites[0].Forward.Rule != "L" {
			t.Errorf("listen %d: %+v", l.Port, l)
		}
		if !filepath.IsAbs(l.SSL.CertificateFile) || !filepath.IsAbs(l.Websites[1].Wwwroot) {
			t.Errorf("paths not absolute: %q %q", l.SSL.CertificateFile, l.Websites[1].Wwwroot)
		}
	}
	// One website per site, served on every port: one handler, root and
	// file cache, not one per port.
	for i := range c.Listens[0].Websites {
		if c.Listens[0].Websites[i] != c.Listens[1].Websites[i] {
			t.Errorf("website %d is copied per port, not shared", i)
		}
	}
}

func TestVarsKept(t *testing.T) {
	src := `{ "error_log" : "$LOGS$/error.log", "listen" : { "port" : 80, "website" : { "wwwroot" : "www/$SITE$" } } }`
	c, ds := loadString(t, src, nil)
	if HasErrors(ds) || len(ds) != 2 {
		t.Fatalf("want two warnings, got:\n%s", msgs(ds))
	}
	if c.ErrorLog != "$LOGS$/error.log" {
		t.Errorf("error_log = %q", c.ErrorLog)
	}
	if w := c.Listens[0].Websites[0].Wwwroot; !filepath.IsAbs(w) || !strings.HasSuffix(w, "/www/$SITE$") {
		t.Errorf("wwwroot = %q", w)
	}
}

func TestIncludeRelativeToIncluder(t *testing.T) {
	src := `{ "listen" : { "port" : 80, !include sites/all.conf } }`
	files := map[string]string{
		"sites/all.conf": `!include "a.conf"`,
		"sites/a.conf":   `"website" : { "wwwroot" : "/srv/a", "gzip" : 1 }`,
	}
	_, ds := loadString(t, src, files)
	if len(ds) != 1 || !strings.HasSuffix(ds[0].Pos.File, filepath.Join("sites", "a.conf")) || ds[0].Pos.Line != 1 || ds[0].Pos.Col != 37 {
		t.Errorf("got:\n%s", msgs(ds))
	}
}

// A missing !include stands for what the file held, with or without the
// commas around it: checking goes on with no syntax error, and no key is
// reported missing from the object or array it stood in.
func TestMissingIncludeKeepsChecking(t *testing.T) {
	cases := []struct {
		src  string
		want []string // messages, in the order diagnostics are sorted
	}{
		{`{ !include gone.conf }`, []string{"!include gone.conf: no such file"}},
		{`!include gone.conf`, []string{"!include gone.conf: no such file"}},
		{`!include gone.conf { "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } } }`, []string{"!include gone.conf: no such file"}},
		{`{ "log_level" : X, !include gone.conf , "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } } }`,
			[]string{`log_level "X" is not one of DEBUG, INFO, WARN, ERROR, FATAL`, "!include gone.conf: no such file"}},
		{`{ "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } }, "mime_types" : !include gone.conf , "log_level" : 5 }`,
			[]string{"!include gone.conf: no such file", `log_level "5" is not one of`}},
		{`{ "listen" : { !include gone.conf "website" : { "domain" : "a", !include gone2.conf }, "website" : { "domain" : "b" } } }`,
			[]string{"!include gone.conf: no such file", "!include gone2.conf: no such file", "listen.website needs a wwwroot"}},
		{`{ "listen" : [ { "port" : 80, "website" : { "wwwroot" : "/w" } } !include gone.conf , { "port" : 0 } ] }`,
			[]string{"!include gone.conf: no such file", "listen at 1:87 has no website", "listen.port is 0; it must be between 1 and 65535"}},
		{`{ "listen" : { "port" : 80, "website" : { "wwwroot" : "/w", "forward" : { "forward_rule" : "R", !include gone.conf } } } }`,
			[]string{"!include gone.conf: no such file"}},
		{`{ !include loop.conf "listen" : { "port" : 80, "website" : { "wwwroot" : "/w", "index" : "x" } } }`,
			[]string{`listen.website.index entry "x" must start with "/"`, "!include cycle"}},
		// A syntax error still stops before the semantic checks.
		{`{ !include gone.conf "listen" : { "port" : 80 "website" : { "wwwroot" : "/w" } }, "log_level" : X }`,
			[]string{"!include gone.conf: no such file", `missing , before "website"`}},
	}
	files := map[string]string{"loop.conf": "!include loop.conf"}
	for _, tc := range cases {
		_, ds := loadString(t, tc.src, files)
		ok := len(ds) == len(tc.want)
		for i := 0; ok && i < len(ds); i++ {
			ok = strings.Contains(ds[i].Msg, tc.want[i])
		}
		if !ok {
			t.Errorf("%s\ngot:\n%swant:\n%s", tc.src, msgs(ds), strings.Join(tc.want, "\n"))
		}
	}
}

func TestBuiltinMIME(t *testing.T) {
	if n := len(builtinMIMETable); n != 45+9 {
		t.Errorf("%d built-in entries, want hetao's 45 + 9", n)
	}
	seen := map[string]bool{}
	m := builtinMIME()
	for i, e := range m {
		if seen[e.Ext] {
			t.Errorf("extension %q twice", e.Ext)
		}
		seen[e.Ext] = true
		if i > 0 && m[i-1].Ext >= e.Ext {
			t.Errorf("not sorted at %q", e.Ext)
		}
	}
	for ext, typ := range map[string]string{"swf": "application/x-shockwave-flash", "js": "text/javascript", "wasm": "application/wasm", "html": "text/html"} {
		found := false
		for _, e := range m {
			found = found || e.Ext == ext && e.Type == typ
		}
		if !found {
			t.Errorf("%s is not %s", ext, typ)
		}
	}
}

func TestMIMETypesReplaceBuiltin(t *testing.T) {
	src := `{ "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } },
	  "mime_types" : { "mime_type" : [ { "type" : "txt md", "mime" : "text/plain", "compress_enable" : true } ] } }`
	c, ds := loadString(t, src, nil)
	if len(ds) != 0 || len(c.MIME) != 2 || c.MIME[0].Ext != "md" || !c.MIME[1].Compress {
		t.Errorf("MIME %+v\n%s", c.MIME, msgs(ds))
	}
}

func TestSuggest(t *testing.T) {
	valid := []string{"domain", "wwwroot", "index", "access_log", "rewrite"}
	for key, want := range map[string]string{"wwwrot": "wwwroot", "WWWROOT": "wwwroot", "accesslog": "access_log", "gzip": "", "rewrites": "rewrite"} {
		if got := suggest(key, valid); got != want {
			t.Errorf("suggest(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestPrintRoundTrip: Print's output is a configuration that loads back to
// the same thing.
func TestPrintRoundTrip(t *testing.T) {
	for _, f := range []string{"../conf/hetao.conf", "../conf/hetao-2016.conf", "../tests/golden/testdata/policy/hetao.conf"} {
		c, ds := Load(f, Options{NoFS: true})
		if HasErrors(ds) {
			t.Fatalf("%s:\n%s", f, msgs(ds))
		}
		var a bytes.Buffer
		Print(&a, c)
		c2, ds := loadString(t, a.String(), nil)
		if len(ds) != 0 {
			t.Fatalf("%s printed:\n%s\n%s", f, a.String(), msgs(ds))
		}
		c2.File = c.File
		var b bytes.Buffer
		Print(&b, c2)
		if a.String() != b.String() {
			t.Errorf("%s: second print differs:\n%s\n---\n%s", f, a.String(), b.String())
		}
	}
}

// A file that never ends is refused at its size cap, as the configuration
// or as an include, instead of read until memory runs out; a pipe that
// ends is read.
func TestEndlessFileRefused(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, ds := Load("/dev/zero", Options{NoFS: true}); len(ds) != 1 || !strings.Contains(ds[0].Msg, "larger than 64 MiB") {
		t.Errorf("Load(/dev/zero):\n%s", msgs(ds))
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "hetao.conf")
	src := `{ !include /dev/zero "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } } }`
	if err := os.WriteFile(conf, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ds := Load(conf, Options{NoFS: true}); len(ds) != 1 || ds[0].Pos.Line != 1 || ds[0].Pos.Col != 3 ||
		!strings.Contains(ds[0].Msg, "!include /dev/zero: larger than 64 MiB") {
		t.Errorf("!include /dev/zero:\n%s", msgs(ds))
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.Write([]byte(`{ "listen" : { "port" : 80, "website" : { "wwwroot" : "/w" } } }`))
		w.Close()
	}()
	defer r.Close()
	if c, ds := Load(fmt.Sprintf("/dev/fd/%d", r.Fd()), Options{NoFS: true}); c == nil || len(ds) != 0 {
		t.Errorf("configuration from a pipe:\n%s", msgs(ds))
	}
}
