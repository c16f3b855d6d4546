package compiler

import (
	"net/netip"
	"os/user"
	"sort"
	"strconv"
	"strings"
)

// Defaults of the top-level keys (hetao 0.14's, except where noted).
const (
	DefaultMaxHTTPSessionCount    = 100000
	DefaultMaxFileCache           = 1024000
	DefaultMaxConnectionsPerIP    = -1
	DefaultMaxHeadersCount        = 128
	DefaultMaxHeadersLength       = 4096
	DefaultMaxHeaderContentLength = 4 << 20
	DefaultTimeout                = 30
	DefaultElapse                 = 60
	DefaultForwardDisable         = 60
	DefaultLogLevel               = "ERROR"
)

// maxFileCacheCap bounds max_file_cache: 1 TiB is no limit in practice,
// and the runtime's cache budget (8 files of that size) stays far from
// overflowing an int64.
const maxFileCacheCap = 1 << 40

var logLevels = []string{"DEBUG", "INFO", "WARN", "ERROR", "FATAL"}

// accessLogFormats are the values of access_log_format: hetao's line,
// nginx's combined, or one JSON object per line.
var accessLogFormats = []string{"hetao", "combined", "json"}

// config decodes the top-level object.
func (c *checker) config(root *node, file string) *Config {
	o := c.open(root, "", "")
	cfg := &Config{File: file, Pos: root.pos}

	nodes := c.scalars(o, cfg)
	if cfg.WorkerProcesses < 0 {
		cfg.WorkerProcesses = 0
	}
	if uv := nodes["user"]; uv != nil && cfg.User != "" && !c.opt.NoFS {
		if _, err := user.Lookup(cfg.User); err != nil {
			c.d.warnf(uv.pos, "user %q does not exist on this machine; the site will fail to start where it is missing", cfg.User)
		}
	}

	cfg.Limits = c.limits(o.sub("limits"))
	cfg.TCP = c.tcpOptions(o.sub("tcp_options"))
	cfg.HTTP = c.httpOptions(o.sub("http_options"))
	cfg.Ops = c.ops(o.sub("ops"))
	cfg.ErrorPages = c.errorPages(o.sub("error_pages"))
	layout2016 := o.has("server") || o.has("servers") || o.has("ssl")
	cfg.MIME = c.mimeTypes(o.sub("mime_types"), layout2016)
	c.checkCompressible(o, cfg)

	if layout2016 {
		cfg.Listens = c.layout2016(o)
	} else {
		cfg.Listens = c.listens(o)
	}
	if p := cfg.Ops; p != nil {
		for _, l := range cfg.Listens {
			if l.Port == p.Port && (l.IP == p.IP || l.IP == "" || p.IP == "0.0.0.0" || p.IP == "::" || l.IP == "0.0.0.0") {
				c.d.errorf(p.Pos, "ops port %d is also listen %s:%d's (at %s): give ops a port of its own", p.Port, l.IP, l.Port, l.Pos.short(p.Pos))
			}
		}
	}
	c.checkModuleReplaces()
	return cfg
}

// suggestWord finds the value of an enumeration closest to s.
func suggestWord(s string, valid []string) string {
	u := strings.ToUpper(s)
	for _, v := range valid {
		if strings.HasPrefix(u, v) || strings.HasPrefix(v, u) && u != "" {
			return v
		}
	}
	return suggest(s, valid)
}

func (c *checker) limits(n *node) Limits {
	o := c.open(n, "limits", "limits")
	var l Limits
	nodes := c.scalars(o, &l)
	if vn := nodes["max_connections_per_ip"]; vn != nil && l.MaxConnectionsPerIP == 0 {
		c.d.errorf(vn.pos, "limits.max_connections_per_ip is 0, which would refuse every connection: write -1 for unlimited or at least 1")
	}
	if vn := nodes["max_headers_length"]; vn != nil && l.MaxHeadersLength > 0 && l.MaxHeadersLength < 256 {
		c.d.warnf(vn.pos, "limits.max_headers_length is only %d bytes: most browser requests will be refused with 431", l.MaxHeadersLength)
	}
	return l
}

func (c *checker) tcpOptions(n *node) TCPOptions {
	o := c.open(n, "tcp_options", "tcp_options")
	t := TCPOptions{Linger: -1}
	c.scalars(o, &t)
	key := "linger"
	if o.has("linger") && o.has("nolinger") {
		c.d.errorf(o.keyPos("nolinger"), "tcp_options has both linger and nolinger (first at %s); nolinger is the old name of linger: keep one", o.keyPos("linger").short(o.keyPos("nolinger")))
	} else if o.has("nolinger") {
		key = "nolinger"
	}
	v, _ := o.intIn(key, -1, -1, 3600, "-1 turns SO_LINGER off")
	t.Linger = int(v)
	return t
}

// ops reads the operations listen: an address of its own, which no
// listen may share.
func (c *checker) ops(n *node) *Ops {
	if n == nil {
		return nil
	}
	o := c.open(n, "ops", "ops")
	if o.n == nil {
		return nil
	}
	p := &Ops{Pos: n.pos}
	c.scalars(o, p)
	if _, err := netip.ParseAddr(p.IP); err != nil {
		if v := o.value("ip"); v != nil {
			c.d.errorf(v.pos, "ops.ip %q is not an IP address", p.IP)
		}
	}
	port, v := o.intIn("port", 0, 1, 65535, "a TCP port")
	if v == nil {
		c.d.errorf(n.pos, "ops needs a port (for example \"ops\" : { \"ip\" : \"127.0.0.1\", \"port\" : 9100 })")
	}
	p.Port = int(port)
	return p
}

func (c *checker) httpOptions(n *node) HTTPOptions {
	o := c.open(n, "http_options", "http_options")
	var h HTTPOptions
	c.scalars(o, &h)
	return h
}

// errorPageKey reports whether m is an error_page_NNN key and, if it is,
// checks it (a well-formed key with a code outside 400..599 is reported
// here too).
func (c *checker) errorPageKey(m *member) bool {
	num, ok := strings.CutPrefix(m.key, "error_page_")
	if !ok || len(num) != 3 || strings.Trim(num, "0123456789") != "" {
		return false
	}
	return true
}

func (c *checker) errorPages(n *node) []ErrorPage {
	o := c.open(n, "error_pages", "error_pages")
	if o.n == nil {
		return nil
	}
	var out []ErrorPage
	first := map[int]*member{}
	for _, m := range o.n.members {
		if !c.errorPageKey(m) {
			continue // reported by open
		}
		code, _ := strconv.Atoi(m.key[len("error_page_"):])
		if code < 400 || code > 599 {
			c.d.errorf(m.keyPos, "error_pages.%s: %d is not an error status; error pages exist for 400 to 599", m.key, code)
			continue
		}
		if f := first[code]; f != nil {
			c.d.errorf(m.keyPos, "error_pages.%s is set twice (first at %s): remove one", m.key, f.keyPos.short(m.keyPos))
			continue
		}
		first[code] = m
		v := m.value
		if v == nil {
			continue
		}
		if v.kind == nObject || v.kind == nArray {
			c.d.errorf(v.pos, "error_pages.%s must be a file name, not %s", m.key, v.kindName())
			continue
		}
		if v.kind == nBare && v.text == "null" || v.text == "" {
			continue
		}
		p := c.path(v, "error_pages."+m.key, v.text)
		c.checkFile(v, "error_pages."+m.key, p)
		out = append(out, ErrorPage{Code: code, File: p, Pos: m.keyPos})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// mimeTypes reads the MIME table. In the 2016 layout, a mime_type without
// compress_enable is compressed when its type is Textual, as compress_on
// did before hetao 0.6.0 added the key; later hetao reads it as 0.
func (c *checker) mimeTypes(n *node, layout2016 bool) []MIMEType {
	o := c.open(n, "mime_types", "mime_types")
	elems := o.list("mime_type")
	if len(elems) == 0 {
		if o.n != nil && len(o.n.members) > 0 {
			return builtinMIME()
		}
		if o.n != nil && o.misses("mime_type") {
			c.d.warnf(o.n.pos, "mime_types is empty, so the built-in table is used")
		}
		return builtinMIME()
	}
	var out []MIMEType
	first := map[string]Pos{}
	for _, e := range elems {
		m := c.open(e, "mime_type", "mime_types.mime_type")
		if m.n == nil {
			continue
		}
		types, tv := m.str("type", "")
		mime, mv := m.str("mime", "")
		comp, cv := m.bool("compress_enable", false)
		if cv == nil && layout2016 {
			comp = Textual(mime)
		}
		if tv == nil || strings.TrimSpace(types) == "" {
			c.d.errorf(m.keyPos("type"), "%s needs \"type\": the extensions it names, like \"html htm\"", m.path)
		}
		switch {
		case mv == nil || mime == "":
			c.d.errorf(m.keyPos("mime"), "%s needs \"mime\": the media type, like \"text/html\"", m.path)
		case !validMediaType(mime):
			c.d.errorf(mv.pos, "%s %q is not a media type like \"text/html\"", m.key("mime"), mime)
		}
		if tv == nil {
			continue
		}
		off := 0
		for _, ext := range strings.Fields(types) {
			i := strings.Index(types[off:], ext) + off
			off = i + len(ext)
			pos := tv.posIn(i)
			switch {
			case strings.HasPrefix(ext, "."):
				c.d.errorf(pos, "%s: write extension %q without the dot: %q", m.key("type"), ext, ext[1:])
				continue
			case strings.ContainsAny(ext, "/\\.\"*?") || !printableExt(ext):
				c.d.errorf(pos, "%s: %q is not a file extension", m.key("type"), ext)
				continue
			}
			if f, dup := first[ext]; dup {
				c.d.errorf(pos, "extension %q declared twice in mime_types (first at %s)", ext, f.short(pos))
				continue
			}
			first[ext] = pos
			out = append(out, MIMEType{Ext: ext, Type: mime, Compress: comp, Pos: pos})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ext < out[j].Ext })
	return out
}

// checkCompressible warns when compress_on is 1 and the configured MIME
// table compresses nothing.
func (c *checker) checkCompressible(o *obj, cfg *Config) {
	if !cfg.HTTP.CompressOn || !o.has("mime_types") {
		return
	}
	for _, m := range cfg.MIME {
		if m.Compress || m.Pos.Line == 0 { // the built-in table compresses text
			return
		}
	}
	if len(cfg.MIME) == 0 {
		return
	}
	c.d.warnf(o.keyPos("mime_types"), "http_options.compress_on is 1, but no mime_type has \"compress_enable\": 1, so nothing is compressed (since hetao 0.6.0 a missing compress_enable is 0): add \"compress_enable\": 1 to the text types, like text/html")
}

// validMediaType accepts "type/subtype" with optional "; parameters".
func validMediaType(s string) bool {
	base, _, _ := strings.Cut(s, ";")
	typ, sub, ok := strings.Cut(base, "/")
	if !ok || typ == "" || strings.TrimSpace(sub) == "" {
		return false
	}
	for _, r := range strings.TrimRight(base, " ") {
		if r <= ' ' || r >= 0x7f || strings.ContainsRune("\"(),:<>?@[\\]{}=", r) {
			return false
		}
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}
