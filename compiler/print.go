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

func configObj(c *Config) pobj {
	o := pobj{
		{"worker_processes", c.WorkerProcesses},
		{"cpu_affinity", c.CPUAffinity},
		{"accept_mutex", c.AcceptMutex},
		{"error_log", c.ErrorLog},
		{"log_level", c.LogLevel},
		{"user", c.User},
		{"limits", pobj{
			{"max_http_session_count", c.Limits.MaxHTTPSessionCount},
			{"max_file_cache", c.Limits.MaxFileCache},
			{"max_connections_per_ip", c.Limits.MaxConnectionsPerIP},
			{"max_headers_count", c.Limits.MaxHeadersCount},
			{"max_headers_length", c.Limits.MaxHeadersLength},
			{"max_header_content_length", c.Limits.MaxHeaderContentLength},
		}},
	}
	for _, l := range c.Listens {
		lo := pobj{{"ip", l.IP}, {"port", l.Port}}
		if l.SSL != nil {
			lo = append(lo, pm{"ssl", sslObj(l.SSL)})
		}
		for _, w := range l.Websites {
			lo = append(lo, pm{"website", websiteObj(w)})
		}
		o = append(o, pm{"listen", lo})
	}
	o = append(o,
		pm{"tcp_options", pobj{{"nodelay", c.TCP.NoDelay}, {"linger", c.TCP.Linger}}},
		pm{"http_options", pobj{
			{"compress_on", c.HTTP.CompressOn},
			{"timeout", c.HTTP.Timeout},
			{"elapse", c.HTTP.Elapse},
			{"forward_disable", c.HTTP.ForwardDisable},
		}})
	ep := pobj{}
	for _, e := range c.ErrorPages {
		ep = append(ep, pm{fmt.Sprintf("error_page_%d", e.Code), e.File})
	}
	o = append(o, pm{"error_pages", ep})
	mt := pobj{}
	for _, m := range c.MIME {
		mt = append(mt, pm{"mime_type", pobj{{"type", m.Ext}, {"mime", m.Type}, {"compress_enable", m.Compress}}})
	}
	return append(o, pm{"mime_types", mt})
}

func sslObj(s *SSL) pobj {
	o := pobj{{"certificate_file", s.CertificateFile}}
	if s.CertificateKeyFile != "" {
		o = append(o, pm{"certificate_key_file", s.CertificateKeyFile})
	}
	return o
}

func websiteObj(w *Website) pobj {
	o := pobj{
		{"domain", w.Domain},
		{"wwwroot", w.Wwwroot},
		{"index", strings.Join(w.Index, ",")},
		{"access_log", w.AccessLog},
	}
	o = append(o, rulesObj(w.Rewrites, w.Redirects, w.Forward, w.App)...)
	for _, l := range w.Locations {
		lo := pobj{{string(l.Match), l.URI}}
		if l.Wwwroot != "" {
			lo = append(lo, pm{"wwwroot", l.Wwwroot})
		}
		if len(l.Index) > 0 {
			lo = append(lo, pm{"index", strings.Join(l.Index, ",")})
		}
		lo = append(lo, rulesObj(l.Rewrites, l.Redirects, l.Forward, l.App)...)
		o = append(o, pm{"location", lo})
	}
	return o
}

func rulesObj(rw []Rewrite, rd []Redirect, f *Forward, a *App) pobj {
	var o pobj
	for _, r := range rw {
		o = append(o, pm{"rewrite", pobj{{"pattern", r.Pattern}, {"new_uri", r.NewURI}}})
	}
	for _, r := range rd {
		o = append(o, pm{"redirect", pobj{{"domain", r.Domain}, {"new_domain", r.NewDomain}, {"code", r.Code}}})
	}
	if f != nil {
		fo := pobj{{"forward_type", f.Type}, {"forward_rule", f.Rule}}
		if f.SSL != nil {
			fo = append(fo, pm{"ssl", sslObj(f.SSL)})
		}
		for _, s := range f.Servers {
			fo = append(fo, pm{"forward_server", pobj{{"ip", s.IP}, {"port", s.Port}}})
		}
		o = append(o, pm{"forward", fo})
	}
	if a != nil {
		o = append(o, pm{"app", pobj{{"type", a.Type}, {"package", a.Package}, {"dir", a.Dir}, {"handler", a.Handler}}})
	}
	return o
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
