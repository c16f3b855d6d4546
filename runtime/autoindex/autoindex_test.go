package autoindex

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var when = time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)

func TestHTMLEscapesNames(t *testing.T) {
	entries := []Entry{
		{Name: "<script>alert(1)</script>.txt", Size: 3, Mod: when},
		{Name: "a&b \"q\".html", Size: 1, Mod: when},
		{Name: "javascript:alert(1)", Size: 1, Mod: when},
		{Name: "sub dir", Dir: true, Mod: when},
	}
	Sort(entries)
	out := string(HTML(nil, "/docs/<x>/", entries))
	for _, bad := range []string{"<script>", "\"q\"", "href=\"javascript:", "<x>"} {
		if strings.Contains(out, bad) {
			t.Errorf("listing holds %q unescaped:\n%s", bad, out)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;.txt",
		`href="%3Cscript%3Ealert%281%29%3C/script%3E.txt"`,
		`href="./javascript:alert%281%29"`,
		`href="sub%20dir/">sub dir/</a>`,
		`<a href="../">../</a>`,
		"Index of /docs/&lt;x&gt;/",
		"2026-12-06 08:00:00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "sub dir/") > strings.Index(out, "a&amp;b") {
		t.Error("directories are not listed first")
	}
	if root := string(HTML(nil, "/", nil)); strings.Contains(root, "../") {
		t.Error("the root links above itself")
	}
}

func TestJSON(t *testing.T) {
	entries := []Entry{{Name: "d", Dir: true, Mod: when}, {Name: "a\"\x01\xff.txt", Size: 10, Mod: when}}
	var got []map[string]any
	if err := json.Unmarshal(JSON(nil, entries), &got); err != nil {
		t.Fatalf("%v:\n%s", err, JSON(nil, entries))
	}
	if len(got) != 2 || got[0]["type"] != "directory" || got[0]["size"] != nil || got[1]["type"] != "file" || got[1]["size"] != 10.0 ||
		got[1]["name"] != "a\"\x01\uFFFD.txt" || got[1]["mtime"] != "Sun, 06 Dec 2026 08:00:00 GMT" {
		t.Errorf("%v", got)
	}
	if err := json.Unmarshal(JSON(nil, nil), &got); err != nil || len(got) != 0 {
		t.Errorf("empty: %v %v", got, err)
	}
}

func TestVisibleAndWantsJSON(t *testing.T) {
	v := Visible([]Entry{{Name: ".git"}, {Name: "a"}, {Name: ".env"}, {Name: "b"}})
	if len(v) != 2 || v[0].Name != "a" || v[1].Name != "b" {
		t.Errorf("%v", v)
	}
	for accept, want := range map[string]bool{
		"application/json":                  true,
		"Application/JSON; q=1":             true,
		"text/html,application/json;q=0.9":  false,
		"application/json, text/html":       true,
		"text/html,application/xhtml+xml,*": false,
		"":                                  false,
	} {
		if got := WantsJSON([]byte(accept)); got != want {
			t.Errorf("%q: %v", accept, got)
		}
	}
}

func FuzzJSON(f *testing.F) {
	f.Add("a.txt", int64(1))
	f.Add("<script>\x00\xff", int64(-1))
	f.Fuzz(func(t *testing.T, name string, size int64) {
		out := JSON(nil, []Entry{{Name: name, Size: size, Mod: when}})
		var got []struct {
			Name string
			Size int64
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		if utf8.ValidString(name) && got[0].Name != name {
			t.Fatalf("name %q came back %q", name, got[0].Name)
		}
		if h := string(HTML(nil, "/", []Entry{{Name: name}})); strings.Contains(h, "<"+"script") && strings.Contains(name, "<script") {
			t.Fatalf("unescaped: %q", h)
		}
	})
}
