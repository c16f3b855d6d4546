package gen

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hetaoc/hetao/compiler"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		pattern string
		kind    matchKind
		lit     string
	}{
		{`^/old\.html$`, matchEqual, "/old.html"},
		{`^/old/`, matchPrefix, "/old/"},
		{`\.php$`, matchSuffix, ".php"},
		{`old`, matchContains, "old"},
		{`/é/`, matchContains, "/é/"},
		{`^/$`, matchEqual, "/"},
		{`(?i)^/home$`, matchRegexp, ""},
		{`^/a|^/b`, matchRegexp, ""},
		{`^/(old)/`, matchRegexp, ""},
		{`/(.+)/(.+)`, matchRegexp, ""},
		{`^/a.b`, matchRegexp, ""},
		{`^`, matchRegexp, ""},
		{`(?m)^/old/`, matchRegexp, ""}, // ^ at any line start
	}
	for _, c := range cases {
		m := classify(c.pattern)
		if m.kind != c.kind || m.lit != c.lit {
			t.Errorf("%q: kind %d lit %q, want %d %q", c.pattern, m.kind, m.lit, c.kind, c.lit)
		}
	}
}

func TestSplitTemplate(t *testing.T) {
	cases := []struct {
		uri  string
		want []templatePart
	}{
		{"/(2)/(1)", []templatePart{{lit: "/"}, {group: 2}, {lit: "/"}, {group: 1}}},
		{"/users/$1.html", []templatePart{{lit: "/users/"}, {group: 1}, {lit: ".html"}}},
		{"$0", []templatePart{{group: 0}}},
		{"(0)(1)", []templatePart{{group: 0}, {group: 1}}},
		{"/$12x", []templatePart{{lit: "/"}, {group: 12}, {lit: "x"}}},
		{"/a$/(b)/(1/(", []templatePart{{lit: "/a$/(b)/(1/("}}},
		{"/price$", []templatePart{{lit: "/price$"}}},
		{"", nil},
	}
	for _, c := range cases {
		if got := splitTemplate(c.uri); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q: %+v, want %+v", c.uri, got, c.want)
		}
	}
}

// rewriteSite is one website with rewrites, locations and forwards.
func rewriteSite() *compiler.Config {
	cfg := twoListens()
	w := cfg.Listens[0].Websites[0]
	w.Rewrites = []compiler.Rewrite{
		{Pattern: `^/old/`, NewURI: "/new/$0", Pos: pos(11, 7)},
		{Pattern: `/(.+)/(.+)`, NewURI: "/(2)/(1)", Pos: pos(12, 7)},
	}
	w.Forward = &compiler.Forward{Type: "php", Rule: "R", Servers: []compiler.ForwardServer{
		{IP: "127.0.0.1", Port: 9000, Pos: pos(14, 9)},
		{IP: "127.0.0.1", Port: 9001, Pos: pos(15, 9)},
	}, Pos: pos(13, 7)}
	w.Locations = []*compiler.Location{
		{Match: compiler.MatchPrefix, URI: "/api/", Forward: &compiler.Forward{Type: "", Rule: "L", SSL: &compiler.SSL{}, Servers: []compiler.ForwardServer{
			{IP: "10.0.0.2", Port: 8080, Pos: pos(18, 11)},
		}, Pos: pos(17, 9)}, Pos: pos(16, 7)},
		{Match: compiler.MatchPrefix, URI: "/img/", Wwwroot: "/srv/img", Pos: pos(19, 7)},
		{Match: compiler.MatchExact, URI: "/", Index: []string{"/home.html"}, Pos: pos(20, 7)},
		{Match: compiler.MatchRegex, URI: `\.(gif|png)$`, Pos: pos(21, 7)},
	}
	return cfg
}

func TestRewriteLocationForwardEmission(t *testing.T) {
	{
		files, err := Generate(rewriteSite(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		web, site := string(files["websites.go"]), string(files["site.go"])
		for _, want := range []string{
			// a literal prefix with $0 is a constant new URI
			"\tcase bytes.HasPrefix(t, []byte(\"/old/\")):\n\t\tc.RewriteTo([]byte(\"/new//old/\"))\n",
			"\trewrite1    = regexp.MustCompile(`/(.+)/(.+)`)\n",
			"\trewrite1URI = []server.TemplatePart{{Lit: \"/\"}, {Group: 2}, {Lit: \"/\"}, {Group: 1}}\n",
			"\t\tc.RewriteTo(c.Expand(rewrite1, rewrite1URI, t))\n",
			// the website's forward, declared once, every server with its line
			"// upstream1 is the forward of the default website (\"\"), hetao.conf:13:7.\nvar upstream1 = &server.Upstream{\n",
			"\tRule: 'R',\n",
			"\t\t{IP: \"127.0.0.1\", Port: 9000}, // hetao.conf:14:9\n\t\t{IP: \"127.0.0.1\", Port: 9001}, // hetao.conf:15:9\n",
			"\t// forward *.php to upstream1, hetao.conf:13:7\n\tif string(static.Ext(c.Path)) == \"php\" {\n\t\tc.Forward(upstream1)\n\t\treturn\n\t}\n",
			// the location's own forward: extensionless paths, TLS, least connections
			"\tRule: 'L',\n\tTLS:  true,\n",
			"\tif len(static.Ext(c.Path)) == 0 {\n\t\tc.Forward(upstream2)\n",
			// own roots: wwwroot with the website's index, index with the website's wwwroot
			"var website1Location2Root = &static.Root{\n\tDir:   \"/srv/img\",\n\tIndex: []string{\"/index.html\", \"/index.htm\"},\n}\n",
			"var website1Location3Root = &static.Root{\n\tDir:   \"$HOME$/www\",\n\tIndex: []string{\"/home.html\"},\n}\n",
			"\tc.Static(website1Location2Root)\n",
			// the decision tree: exact, regex, longest prefix
			"\tswitch string(c.Path) {\n\t// exact \"/\", hetao.conf:20:7\n\tcase \"/\":\n\t\tserveWebsite1Location3(c)\n\t\treturn\n\t}\n",
			"\tcase website1Location4Regexp.Match(c.Path):\n",
		} {
			if !strings.Contains(web, want) {
				t.Errorf("websites.go lacks\n%s\n--- websites.go:\n%s", want, web)
			}
		}
		// The regex location and the /img/ one inherit the website's forward.
		if n := strings.Count(web, "c.Forward(upstream1)"); n != 4 {
			t.Errorf("c.Forward(upstream1) %d times, want 4 (website, /img/, /, regex)", n)
		}
		if n := strings.Count(web, "var upstream"); n != 2 {
			t.Errorf("%d upstream variables, want 2", n)
		}
		for _, want := range []string{
			"\tUpstreams: []*server.Upstream{\n\t\tupstream1, // the default website (\"\") forward, hetao.conf:13:7\n\t\tupstream2, // the default website (\"\") location prefix \"/api/\" forward, hetao.conf:17:9\n\t},\n",
			"\tRoots: []*static.Root{\n\t\twebsite1Location2Root, // location prefix \"/img/\", hetao.conf:19:7\n\t\twebsite1Location3Root, // location exact \"/\", hetao.conf:20:7\n\t},\n",
		} {
			if !strings.Contains(site, want) {
				t.Errorf("site.go lacks\n%s\n--- site.go:\n%s", want, site)
			}
		}
		// The website's phases: the forward test comes after the locations.
		i, j := strings.Index(web, "switch string(c.Path)"), strings.Index(web, "c.Forward(upstream1)")
		if i < 0 || j < i {
			t.Errorf("forward before location in serveWebsite1")
		}
	}
}

// Patterns are emitted as raw strings when they can be: not when they hold
// a byte order mark, which Go refuses inside a file, nor a backquote, a
// line break or another control character. Whatever the pattern, the
// source must format and compile to the same regexp.
func TestRegexpLiteralQuoting(t *testing.T) {
	for _, pat := range []string{"^/a\ufeff(.*)$", "x\ufeff[a-z]", "^/a`b(.*)", "\t(x)", "^/(a)\u2028", "^/é(.*)"} {
		cfg := rewriteSite()
		w := cfg.Listens[0].Websites[0]
		w.Rewrites = []compiler.Rewrite{{Pattern: pat, NewURI: "/$1", Pos: pos(11, 7)}}
		w.Locations = []*compiler.Location{{Match: compiler.MatchRegex, URI: pat, Pos: pos(21, 7)}}
		files, err := Generate(cfg, Options{})
		if err != nil {
			t.Errorf("%q: %v", pat, err)
			continue
		}
		web := string(files["websites.go"])
		for _, name := range []string{"rewrite1", "website1Location1Regexp"} {
			m := regexp.MustCompile(`\b` + name + ` += regexp\.MustCompile\((.*)\)\n`).FindStringSubmatch(web)
			if m == nil {
				t.Errorf("%q: no %s in\n%s", pat, name, web)
				continue
			}
			if got, err := strconv.Unquote(m[1]); err != nil || got != pat {
				t.Errorf("%q: %s is compiled from %s (%v)", pat, name, m[1], err)
			}
		}
	}
}
