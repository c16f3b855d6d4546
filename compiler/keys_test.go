package compiler

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// docHeading names the CONFIG.md heading that documents a section without
// a heading of its own (the heading of the object that holds it).
var docHeading = map[string]string{
	"":                "## Top level",
	"ssl":             "## `listen` (newer layout)",
	"server":          "## The 2016 layout",
	"servers":         "## The 2016 layout",
	"listen(2016)":    "## The 2016 layout",
	"rewrite":         "### `website`",
	"redirect":        "### `website`",
	"forward_servers": "### `forward`",
	"forward_server":  "### `forward`",
	"mime_type":       "### `mime_types`",
}

// docSections cuts CONFIG.md at its headings: heading line → text.
func docSections(t *testing.T) map[string]string {
	b, err := os.ReadFile("CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			cur = line
			continue
		}
		out[cur] += line + "\n"
	}
	return out
}

// sectionDoc finds the text documenting section sec.
func sectionDoc(docs map[string]string, sec string) (string, string) {
	want, ok := docHeading[sec]
	for h, text := range docs {
		if ok && strings.HasPrefix(h, want) || !ok && strings.HasPrefix(h, "#") && strings.Contains(h, "`"+sec+"`") {
			return h, text
		}
	}
	return "", ""
}

// docDefault formats a key's default as CONFIG.md writes it.
func docDefault(def any) string {
	switch d := def.(type) {
	case bool:
		if d {
			return "1"
		}
		return "0"
	case string:
		if d == "" {
			return `""`
		}
		return d
	}
	return fmt.Sprint(def)
}

var docRow = regexp.MustCompile("^\\| `([a-z_0-9]+)` \\| [^|]* \\| ([^|]*) \\|")

// TestConfigDocCoversKeys holds CONFIG.md to the key table: every key is
// documented under its section, every key a table documents exists, and
// a default the table documents is the decoder's.
func TestConfigDocCoversKeys(t *testing.T) {
	docs := docSections(t)
	for _, k := range keyTable {
		if k.name == "error_page_NNN" {
			continue
		}
		sec := strings.Split(k.sec, " ")[0]
		h, text := sectionDoc(docs, sec)
		if h == "" {
			t.Errorf("section %q (key %s) has no heading in CONFIG.md: add one or name its parent in docHeading", sec, k.name)
			continue
		}
		if !strings.Contains(text, "`"+k.name+"`") && !strings.Contains(text, `"`+k.name+`"`) {
			t.Errorf("CONFIG.md %q does not document key %s.%s", h, sec, k.name)
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			m := docRow.FindStringSubmatch(line)
			if m == nil || m[1] != k.name || k.def == nil {
				continue
			}
			cell := strings.TrimSpace(m[2])
			if strings.Count(cell, "`") == 2 && strings.HasPrefix(cell, "`") && strings.HasSuffix(cell, "`") {
				if got, want := strings.Trim(cell, "`"), docDefault(k.def); got != want {
					t.Errorf("CONFIG.md %q: %s defaults to %s, the decoder to %s", h, k.name, got, want)
				}
			}
		}
	}
	// The other way: a key in a table exists in a section documented there.
	for h, text := range docs {
		var secs []string
		for sec := range schemas {
			if sh, _ := sectionDoc(docs, sec); sh == h {
				secs = append(secs, sec)
			}
		}
		if len(secs) == 0 {
			continue
		}
		for _, line := range strings.Split(text, "\n") {
			m := docRow.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			found := false
			for _, sec := range secs {
				_, found = schemas[sec][m[1]]
				if found {
					break
				}
			}
			if !found {
				t.Errorf("CONFIG.md %q documents key %s, which no section %v accepts: add it to keyTable", h, m[1], secs)
			}
		}
	}
}

// TestKeyTableWellFormed: a scalar with a field to decode has a default
// of its field's type, and no key is listed twice in a section.
func TestKeyTableWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range keyTable {
		for _, sec := range strings.Split(k.sec, " ") {
			if seen[sec+"."+k.name] {
				t.Errorf("key %s.%s listed twice", sec, k.name)
			}
			seen[sec+"."+k.name] = true
		}
		if k.byHand || k.field == nil || k.shape != kScalar {
			continue
		}
		var ok bool
		switch k.typ {
		case vBool:
			_, ok = k.def.(bool)
		case vInt:
			_, ok = k.def.(int64)
			ok = ok && k.hi > k.lo
		default:
			_, ok = k.def.(string)
		}
		if !ok {
			t.Errorf("key %s.%s: default %#v does not fit its type, or its bounds are empty", k.sec, k.name, k.def)
		}
	}
}
