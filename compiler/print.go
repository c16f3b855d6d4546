package compiler

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Print writes c as a configuration in the newer layout with every default
// filled in and every path absolute. The output is itself a valid
// configuration: loading it again gives the same Config.
func Print(w io.Writer, c *Config) {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "// %s, normalised by hetaoc: every default filled in, relative paths made absolute.\n", filepath.Base(c.File))
	writeObj(bw, configObj(c), 0)
	bw.WriteString("\n")
	bw.Flush()
}

// pm is one member of an object being printed; val is a string, an int,
// an int64, a bool (printed 0/1, as hetao writes it) or a pobj.
type pm struct {
	key string
	val any
}

type pobj []pm

func configObj(c *Config) pobj { return printSection("", c) }

// The show functions print what the key table cannot print field by field.

func showListens(p any) []any {
	var out []any
	for _, l := range p.(*Config).Listens {
		out = append(out, printSection("listen", l))
	}
	return out
}

func showWebsites(p any) []any {
	var out []any
	for _, w := range p.(*Listen).Websites {
		out = append(out, printSection("website", w))
	}
	return out
}

func showErrorPages(p any) []any {
	ep := pobj{}
	for _, e := range p.(*Config).ErrorPages {
		ep = append(ep, pm{fmt.Sprintf("error_page_%d", e.Code), e.File})
	}
	return []any{ep}
}

func showMIMETypes(p any) []any {
	mt := pobj{}
	for i := range p.(*Config).MIME {
		mt = append(mt, pm{"mime_type", printSection("mime_type", &p.(*Config).MIME[i])})
	}
	return []any{mt}
}

func showOps(p *Ops) []any {
	if p == nil {
		return nil
	}
	return []any{printSection("ops", p)}
}

func showSSL(s *SSL) []any {
	if s == nil {
		return nil
	}
	return []any{printSection("ssl", s)}
}

func showRewrites(rw []Rewrite) []any {
	var out []any
	for i := range rw {
		out = append(out, printSection("rewrite", &rw[i]))
	}
	return out
}

func showRedirects(rd []Redirect) []any {
	var out []any
	for i := range rd {
		out = append(out, printSection("redirect", &rd[i]))
	}
	return out
}

func showForward(f *Forward) []any {
	if f == nil {
		return nil
	}
	return []any{printSection("forward", f)}
}

func showForwardServers(p any) []any {
	var out []any
	for i := range p.(*Forward).Servers {
		out = append(out, printSection("forward_server", &p.(*Forward).Servers[i]))
	}
	return out
}

func showLocations(p any) []any {
	var out []any
	for _, l := range p.(*Website).Locations {
		out = append(out, printSection("location", l))
	}
	return out
}

func showApp(a *App) []any {
	if a == nil {
		return nil
	}
	return []any{printSection("app", a)}
}

// inline reports whether o is small and flat enough for one line.
func inline(o pobj) bool {
	if len(o) > 4 {
		return false
	}
	n := 0
	for _, m := range o {
		switch v := m.val.(type) {
		case pobj:
			return false
		case string:
			n += len(v)
		}
		n += len(m.key) + 8
	}
	return n <= 100
}

func writeObj(w *bufio.Writer, o pobj, depth int) {
	if len(o) == 0 {
		w.WriteString("{}")
		return
	}
	if depth > 0 && inline(o) {
		w.WriteString("{ ")
		for i, m := range o {
			if i > 0 {
				w.WriteString(", ")
			}
			fmt.Fprintf(w, "%s: ", quoteJSON(m.key))
			writeVal(w, m.val, depth+1)
		}
		w.WriteString(" }")
		return
	}
	w.WriteString("{\n")
	ind := strings.Repeat("\t", depth+1)
	for i, m := range o {
		fmt.Fprintf(w, "%s%s: ", ind, quoteJSON(m.key))
		writeVal(w, m.val, depth+1)
		if i < len(o)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString(strings.Repeat("\t", depth) + "}")
}

func writeVal(w *bufio.Writer, v any, depth int) {
	switch v := v.(type) {
	case string:
		w.WriteString(quoteJSON(v))
	case bool:
		if v {
			w.WriteString("1")
		} else {
			w.WriteString("0")
		}
	case pobj:
		writeObj(w, v, depth)
	default:
		fmt.Fprint(w, v)
	}
}

// quoteJSON quotes s as a JSON string (which hetao's dialect reads too).
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < ' ' || r == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
