package compiler

import (
	"fmt"
	"strconv"
	"strings"
)

// The key table: every key of the configuration, written once. From it
// come the schema (which keys each object accepts, and "did you mean" /
// "belongs in" hints), the decoding of plain scalar keys into the IR,
// `hetaoc check --print`, and TestConfigDocCoversKeys, which holds
// compiler/CONFIG.md to it.
//
// To add a key:
//  1. add a field to the IR type of its section (ir.go);
//  2. add a row below, in the section's rows, in the order --print shows
//     it: its section(s), name, shape, and for a scalar its type, default,
//     bounds and the IR field it fills (field). A plain scalar then needs
//     nothing more: the section's decoder reads it with (*checker).scalars
//     and Print writes it;
//  3. document it in compiler/CONFIG.md, in the table of its section (the
//     default column is compared with def);
//  4. read the field in gen.
//
// A key with checks of its own (a required value, cross-checks with other
// keys, a list or an object) is marked byHand: the section's decoder reads
// it, and the row still gives the schema, the documentation check and,
// through field or show, --print.

// valType is the type of a scalar key's value.
type valType int

const (
	vString valType = iota
	vPath           // a path: $VAR$ checked, made absolute
	vBool           // 0/1 or false/true
	vInt            // a whole number between lo and hi
	vEnum           // one of enum, case-sensitive
)

// key is one row of the table.
type key struct {
	sec   string  // the sections accepting it, space-separated; "" is the top level
	name  string  // as written in the configuration
	shape keyKind // kScalar, kObject (one object) or kList (repeated)
	typ   valType // of a scalar
	def   any     // default of a scalar: bool, int64 or string; nil when required or computed
	lo    int64   // bounds of a vInt
	hi    int64
	why   string   // of a vInt, shown with its bounds
	enum  []string // of a vEnum

	// field returns a pointer to the IR field the key fills, given a
	// pointer to its section's IR value: *bool, *int, *int64, *string or
	// *[]string (printed comma-separated); for an object, the IR value of
	// section name, printed recursively.
	field func(p any) any
	// byHand keys are decoded by their section's function.
	byHand bool
	// omitEmpty keeps a zero field out of --print (where "" and absent
	// differ in meaning).
	omitEmpty bool
	// show gives --print the values of a key without field, each printed
	// as one member named name (several for a list), or members of their
	// own (pm values).
	show func(p any) []any
}

// keyTable is every key, by section (keyRows, set at init: its print
// functions use the table). Sections are the objects of the configuration;
// "listen(2016)" is the one listen of the 2016 layout.
var keyTable []key

func init() {
	keyTable = keyRows()
	schemas = schemaOf(keyTable)
	keyHome = homesOf(schemas)
}

func keyRows() []key {
	return []key{
		// Top level.
		{sec: "", name: "worker_processes", typ: vInt, def: int64(1), lo: -1, hi: noMax, why: "-1 or 0: one worker per CPU", field: func(p any) any { return &p.(*Config).WorkerProcesses }},
		{sec: "", name: "cpu_affinity", typ: vBool, def: false, field: func(p any) any { return &p.(*Config).CPUAffinity }},
		{sec: "", name: "accept_mutex", typ: vBool, def: false, field: func(p any) any { return &p.(*Config).AcceptMutex }},
		{sec: "", name: "error_log", typ: vPath, def: "", field: func(p any) any { return &p.(*Config).ErrorLog }},
		{sec: "", name: "log_level", typ: vEnum, def: DefaultLogLevel, enum: logLevels, field: func(p any) any { return &p.(*Config).LogLevel }},
		{sec: "", name: "access_log_format", typ: vEnum, def: "hetao", enum: accessLogFormats, field: func(p any) any { return &p.(*Config).AccessLogFormat }},
		{sec: "", name: "user", typ: vString, def: "", field: func(p any) any { return &p.(*Config).User }},
		{sec: "", name: "limits", shape: kObject, field: func(p any) any { return &p.(*Config).Limits }},
		{sec: "", name: "listen", shape: kList, byHand: true, show: showListens},
		{sec: "", name: "tcp_options", shape: kObject, field: func(p any) any { return &p.(*Config).TCP }},
		{sec: "", name: "http_options", shape: kObject, field: func(p any) any { return &p.(*Config).HTTP }},
		{sec: "", name: "ops", shape: kObject, byHand: true, show: func(p any) []any { return showOps(p.(*Config).Ops) }},
		{sec: "", name: "error_pages", shape: kObject, byHand: true, show: showErrorPages},
		{sec: "", name: "mime_types", shape: kObject, byHand: true, show: showMIMETypes},
		{sec: "", name: "ssl", shape: kObject, byHand: true},     // 2016: every port's certificate
		{sec: "", name: "server", shape: kObject, byHand: true},  // 2016: the main site
		{sec: "", name: "servers", shape: kObject, byHand: true}, // 2016: more sites

		{sec: "limits", name: "max_http_session_count", typ: vInt, def: int64(DefaultMaxHTTPSessionCount), lo: 1, hi: noMax, field: func(p any) any { return &p.(*Limits).MaxHTTPSessionCount }},
		{sec: "limits", name: "max_file_cache", typ: vInt, def: int64(DefaultMaxFileCache), lo: 0, hi: maxFileCacheCap, why: "0 caches nothing", field: func(p any) any { return &p.(*Limits).MaxFileCache }},
		{sec: "limits", name: "max_connections_per_ip", typ: vInt, def: int64(DefaultMaxConnectionsPerIP), lo: -1, hi: noMax, why: "-1 is unlimited", field: func(p any) any { return &p.(*Limits).MaxConnectionsPerIP }},
		{sec: "limits", name: "max_headers_count", typ: vInt, def: int64(DefaultMaxHeadersCount), lo: 0, hi: 1 << 20, why: "0 disables the limit", field: func(p any) any { return &p.(*Limits).MaxHeadersCount }},
		{sec: "limits", name: "max_headers_length", typ: vInt, def: int64(DefaultMaxHeadersLength), lo: 0, hi: 1 << 30, why: "0 disables the limit", field: func(p any) any { return &p.(*Limits).MaxHeadersLength }},
		{sec: "limits", name: "max_header_content_length", typ: vInt, def: int64(DefaultMaxHeaderContentLength), lo: 0, hi: noMax, why: "0 disables the limit", field: func(p any) any { return &p.(*Limits).MaxHeaderContentLength }},

		{sec: "tcp_options", name: "nodelay", typ: vBool, def: true, field: func(p any) any { return &p.(*TCPOptions).NoDelay }},
		{sec: "tcp_options", name: "linger", typ: vInt, def: int64(-1), lo: -1, hi: 3600, why: "-1 turns SO_LINGER off", byHand: true, field: func(p any) any { return &p.(*TCPOptions).Linger }},
		{sec: "tcp_options", name: "nolinger", typ: vInt, byHand: true}, // linger's older name

		{sec: "http_options", name: "compress_on", typ: vBool, def: true, field: func(p any) any { return &p.(*HTTPOptions).CompressOn }},
		{sec: "http_options", name: "timeout", typ: vInt, def: int64(DefaultTimeout), lo: 1, hi: 86400, why: "seconds", field: func(p any) any { return &p.(*HTTPOptions).Timeout }},
		{sec: "http_options", name: "elapse", typ: vInt, def: int64(DefaultElapse), lo: 1, hi: 86400, why: "seconds", field: func(p any) any { return &p.(*HTTPOptions).Elapse }},
		{sec: "http_options", name: "forward_disable", typ: vInt, def: int64(DefaultForwardDisable), lo: 0, hi: 86400, why: "seconds", field: func(p any) any { return &p.(*HTTPOptions).ForwardDisable }},

		{sec: "ops", name: "ip", typ: vString, def: "127.0.0.1", field: func(p any) any { return &p.(*Ops).IP }},
		{sec: "ops", name: "port", typ: vInt, lo: 1, hi: 65535, byHand: true, field: func(p any) any { return &p.(*Ops).Port }},

		{sec: "mime_types", name: "mime_type", shape: kList, byHand: true},
		{sec: "mime_type", name: "type", byHand: true, field: func(p any) any { return &p.(*MIMEType).Ext }},
		{sec: "mime_type", name: "mime", byHand: true, field: func(p any) any { return &p.(*MIMEType).Type }},
		{sec: "mime_type", name: "compress_enable", typ: vBool, def: false, byHand: true, field: func(p any) any { return &p.(*MIMEType).Compress }},

		{sec: "listen", name: "ip", def: "", byHand: true, field: func(p any) any { return &p.(*Listen).IP }},
		{sec: "listen", name: "port", typ: vInt, byHand: true, field: func(p any) any { return &p.(*Listen).Port }},
		{sec: "listen", name: "ipv6only", typ: vBool, def: false, field: func(p any) any { return &p.(*Listen).IPv6Only }},
		{sec: "listen", name: "ssl", shape: kObject, byHand: true, show: func(p any) []any { return showSSL(p.(*Listen).SSL) }},
		// http2 and h2c are shown only when not their default, which most
		// listens keep.
		{sec: "listen", name: "http2", typ: vBool, def: true, field: func(p any) any { return &p.(*Listen).HTTP2 }, show: func(p any) []any {
			if !p.(*Listen).HTTP2 {
				return []any{false}
			}
			return nil
		}},
		{sec: "listen", name: "h2c", typ: vBool, def: false, field: func(p any) any { return &p.(*Listen).H2C }, show: func(p any) []any {
			if p.(*Listen).H2C {
				return []any{true}
			}
			return nil
		}},
		{sec: "listen", name: "website", shape: kList, byHand: true, show: showWebsites},
		{sec: "listen", name: "server", shape: kList, byHand: true}, // website's pre-0.5 name
		{sec: "listen(2016)", name: "ip", byHand: true},
		{sec: "listen(2016)", name: "port", byHand: true}, // "9527,9528": several ports

		{sec: "ssl", name: "certificate_file", typ: vPath, byHand: true, field: func(p any) any { return &p.(*SSL).CertificateFile }},
		{sec: "ssl", name: "certificate_key_file", typ: vPath, byHand: true, omitEmpty: true, field: func(p any) any { return &p.(*SSL).CertificateKeyFile }},
		{sec: "ssl", name: "acme", shape: kObject, byHand: true, show: func(p any) []any {
			if a := p.(*SSL).ACME; a != nil {
				return []any{printSection("acme", a)}
			}
			return nil
		}},
		{sec: "acme", name: "email", typ: vString, def: "", field: func(p any) any { return &p.(*ACME).Email }},
		{sec: "acme", name: "directory", typ: vString, def: LetsEncrypt, field: func(p any) any { return &p.(*ACME).Directory }},
		{sec: "acme", name: "storage", typ: vPath, byHand: true, field: func(p any) any { return &p.(*ACME).Storage }},
		{sec: "acme", name: "ca_file", typ: vPath, def: "", omitEmpty: true, field: func(p any) any { return &p.(*ACME).CAFile }},
		{sec: "ssl", name: "min_version", def: "1.2", byHand: true, omitEmpty: true, field: func(p any) any { return &p.(*SSL).MinVersion }}, // "": as written, absent

		// A website; "server" is the 2016 spelling, with the v0.2 forward
		// keys directly in it.
		{sec: "website server", name: "domain", def: "", byHand: true, field: func(p any) any { return &p.(*Website).Domain }},
		{sec: "website server", name: "wwwroot", typ: vPath, byHand: true, field: func(p any) any { return &p.(*Website).Wwwroot }},
		{sec: "website server", name: "index", def: "", byHand: true, field: func(p any) any { return &p.(*Website).Index }},
		{sec: "website server", name: "access_log", typ: vPath, def: "", field: func(p any) any { return &p.(*Website).AccessLog }},
		{sec: "website", name: "ssl", shape: kObject, byHand: true, show: func(p any) []any { return showSSL(p.(*Website).SSL) }}, // SNI
		{sec: "website server", name: "rewrite", shape: kList, byHand: true, show: func(p any) []any { return showRewrites(p.(*Website).Rewrites) }},
		{sec: "website server", name: "redirect", shape: kList, byHand: true, show: func(p any) []any { return showRedirects(p.(*Website).Redirects) }},
		{sec: "website server", name: "forward", shape: kObject, byHand: true, show: func(p any) []any { return showForward(p.(*Website).Forward) }},
		{sec: "website server", name: "location", shape: kList, byHand: true, show: showLocations},
		{sec: "website server", name: "app", shape: kObject, byHand: true, show: func(p any) []any { return showApp(p.(*Website).App) }},
		{sec: "website", name: "headers", shape: kObject, byHand: true, show: func(p any) []any { return showHeaders(p.(*Website).Headers) }},
		{sec: "website", name: "cache", shape: kObject, byHand: true, show: func(p any) []any { return showCache(p.(*Website).Cache) }},
		{sec: "website", name: "try_files", byHand: true, show: func(p any) []any { return showTryFiles(p.(*Website).TryFiles) }},
		{sec: "website", name: "allow", byHand: true, show: func(p any) []any { return showAccess(p.(*Website).Access, true) }},
		{sec: "website", name: "deny", byHand: true, show: func(p any) []any { return showAccess(p.(*Website).Access, false) }},
		{sec: "website", name: "limit_req", shape: kObject, byHand: true, show: func(p any) []any { return showLimitReq(p.(*Website).LimitReq) }},
		{sec: "website", name: "auth_basic", shape: kObject, byHand: true, show: func(p any) []any { return showAuthBasic(p.(*Website).AuthBasic) }},
		{sec: "website", name: "autoindex", typ: vBool, byHand: true, show: func(p any) []any { return showAutoindex(p.(*Website).Autoindex) }},
		{sec: "server", name: "forward_type", byHand: true},
		{sec: "server", name: "forward_rule", byHand: true},
		{sec: "server", name: "forward_servers", shape: kObject, byHand: true},
		{sec: "servers", name: "server", shape: kList, byHand: true},

		{sec: "auth_basic", name: "realm", byHand: true},
		{sec: "auth_basic", name: "user_file", typ: vPath, byHand: true},
		{sec: "limit_req", name: "rate", byHand: true},
		{sec: "limit_req", name: "burst", typ: vInt, def: int64(0), lo: 0, hi: 1_000_000, why: "requests above the rate allowed at once", field: func(p any) any { return &p.(*LimitReq).Burst }},

		{sec: "rewrite", name: "pattern", byHand: true, field: func(p any) any { return &p.(*Rewrite).Pattern }},
		{sec: "rewrite", name: "new_uri", byHand: true, field: func(p any) any { return &p.(*Rewrite).NewURI }},
		{sec: "rewrite", name: "new_url", byHand: true},  // new_uri's older name
		{sec: "rewrite", name: "template", byHand: true}, // new_uri's older name

		{sec: "redirect", name: "domain", def: "", byHand: true, field: func(p any) any { return &p.(*Redirect).Domain }},
		{sec: "redirect", name: "new_domain", byHand: true, field: func(p any) any { return &p.(*Redirect).NewDomain }},
		{sec: "redirect", name: "code", typ: vInt, def: int64(301), byHand: true, field: func(p any) any { return &p.(*Redirect).Code }},

		{sec: "forward", name: "forward_type", def: "", byHand: true, field: func(p any) any { return &p.(*Forward).Type }},
		{sec: "forward", name: "forward_rule", def: "", byHand: true, field: func(p any) any { return &p.(*Forward).Rule }},
		{sec: "forward", name: "ssl", shape: kObject, byHand: true, show: func(p any) []any { return showSSL(p.(*Forward).SSL) }},
		{sec: "forward", name: "forward_server", shape: kList, byHand: true, show: showForwardServers},
		{sec: "forward", name: "forward_servers", shape: kObject, byHand: true}, // 2016: { forward_server ... }
		{sec: "forward_servers", name: "forward_server", shape: kList, byHand: true},
		{sec: "forward_server", name: "ip", byHand: true, field: func(p any) any { return &p.(*ForwardServer).IP }},
		{sec: "forward_server", name: "port", typ: vInt, byHand: true, field: func(p any) any { return &p.(*ForwardServer).Port }},

		{sec: "location", name: "prefix", byHand: true, show: func(p any) []any { l := p.(*Location); return []any{pm{string(l.Match), l.URI}} }},
		{sec: "location", name: "exact", byHand: true},
		{sec: "location", name: "regex", byHand: true},
		{sec: "location", name: "wwwroot", typ: vPath, byHand: true, omitEmpty: true, field: func(p any) any { return &p.(*Location).Wwwroot }},
		{sec: "location", name: "index", byHand: true, omitEmpty: true, field: func(p any) any { return &p.(*Location).Index }},
		{sec: "location", name: "rewrite", shape: kList, byHand: true, show: func(p any) []any { return showRewrites(p.(*Location).Rewrites) }},
		{sec: "location", name: "redirect", shape: kList, byHand: true, show: func(p any) []any { return showRedirects(p.(*Location).Redirects) }},
		{sec: "location", name: "forward", shape: kObject, byHand: true, show: func(p any) []any { return showForward(p.(*Location).Forward) }},
		{sec: "location", name: "app", shape: kObject, byHand: true, show: func(p any) []any { return showApp(p.(*Location).App) }},
		{sec: "location", name: "headers", shape: kObject, byHand: true, show: func(p any) []any { return showHeaders(p.(*Location).Headers) }},
		{sec: "location", name: "cache", shape: kObject, byHand: true, show: func(p any) []any { return showCache(p.(*Location).Cache) }},
		{sec: "location", name: "try_files", byHand: true, show: func(p any) []any { return showTryFiles(p.(*Location).TryFiles) }},
		{sec: "location", name: "allow", byHand: true, show: func(p any) []any { return showAccess(p.(*Location).Access, true) }},
		{sec: "location", name: "deny", byHand: true, show: func(p any) []any { return showAccess(p.(*Location).Access, false) }},
		{sec: "location", name: "limit_req", shape: kObject, byHand: true, show: func(p any) []any { return showLimitReq(p.(*Location).LimitReq) }},
		{sec: "location", name: "auth_basic", shape: kObject, byHand: true, show: func(p any) []any { return showAuthBasic(p.(*Location).AuthBasic) }},
		{sec: "location", name: "autoindex", typ: vBool, byHand: true, show: func(p any) []any { return showAutoindex(p.(*Location).Autoindex) }},

		{sec: "app", name: "type", def: "", byHand: true, field: func(p any) any { return &p.(*App).Type }},
		{sec: "app", name: "package", byHand: true, field: func(p any) any { return &p.(*App).Package }},
		{sec: "app", name: "dir", typ: vPath, byHand: true, field: func(p any) any { return &p.(*App).Dir }},
		{sec: "app", name: "handler", def: "Serve", byHand: true, field: func(p any) any { return &p.(*App).Handler }},

		{sec: "error_pages", name: "error_page_NNN", byHand: true}, // any status 400..599, checked by name
	}
}

// inSection reports whether k belongs to section sec.
func (k *key) inSection(sec string) bool {
	for _, s := range strings.Split(k.sec, " ") {
		if s == sec {
			return true
		}
	}
	return false
}

// sectionKeys returns the rows of section sec, in table order.
func sectionKeys(sec string) []*key {
	var out []*key
	for i := range keyTable {
		if k := &keyTable[i]; k.inSection(sec) && !(sec == "error_pages") {
			out = append(out, k)
		}
	}
	return out
}

// schemas maps each section to the shape of the keys it accepts.
var schemas map[string]map[string]keyKind

func schemaOf(table []key) map[string]map[string]keyKind {
	m := map[string]map[string]keyKind{}
	for _, k := range table {
		for _, s := range strings.Split(k.sec, " ") {
			if m[s] == nil {
				m[s] = map[string]keyKind{}
			}
			if s != "error_pages" {
				m[s][k.name] = k.shape
			}
		}
	}
	return m
}

// scalars decodes the plain scalar keys of o's section (those with a
// field, not byHand) into p, the section's IR value, and returns the nodes
// they were read from, by key, for checks of their own.
func (c *checker) scalars(o *obj, p any) map[string]*node {
	nodes := map[string]*node{}
	for _, k := range sectionKeys(o.sec) {
		if k.byHand || k.field == nil || k.shape != kScalar {
			continue
		}
		var v *node
		switch f := k.field(p).(type) {
		case *bool:
			*f, v = o.bool(k.name, k.def.(bool))
		case *int:
			var n int64
			n, v = o.intIn(k.name, k.def.(int64), k.lo, k.hi, k.why)
			*f = int(n)
		case *int64:
			*f, v = o.intIn(k.name, k.def.(int64), k.lo, k.hi, k.why)
		case *string:
			switch k.typ {
			case vEnum:
				*f, v = c.enum(o, k)
			case vPath:
				var s string
				s, v = o.str(k.name, k.def.(string))
				*f = s
				if v != nil {
					*f = c.path(v, o.key(k.name), s)
				}
			default:
				*f, v = o.str(k.name, k.def.(string))
			}
		default:
			panic(fmt.Sprintf("compiler: key %s.%s: field of type %T", k.sec, k.name, f))
		}
		if v != nil {
			nodes[k.name] = v
		}
	}
	return nodes
}

// enum reads a key whose value is one of k.enum.
func (c *checker) enum(o *obj, k *key) (string, *node) {
	s, v := o.str(k.name, k.def.(string))
	if v == nil {
		return s, nil
	}
	for _, e := range k.enum {
		if s == e {
			return s, v
		}
	}
	msg := o.key(k.name) + " " + strconv.Quote(s) + " is not one of " + strings.Join(k.enum, ", ")
	if g := suggestWord(s, k.enum); g != "" {
		msg += ": did you mean " + g + "?"
	}
	c.d.errorf(v.pos, "%s", msg)
	return k.def.(string), nil
}

// printSection gives the members of section sec's IR value p for Print,
// in table order.
func printSection(sec string, p any) pobj {
	var o pobj
	for _, k := range sectionKeys(sec) {
		switch {
		case k.show != nil:
			for _, v := range k.show(p) {
				if m, ok := v.(pm); ok {
					o = append(o, m) // a member named otherwise
				} else {
					o = append(o, pm{k.name, v})
				}
			}
		case k.field == nil:
		case k.shape == kObject:
			o = append(o, pm{k.name, printSection(k.name, k.field(p))})
		default:
			v := printValue(k.field(p))
			if k.omitEmpty && (v == "" || v == 0) {
				continue
			}
			o = append(o, pm{k.name, v})
		}
	}
	return o
}

// printValue dereferences a field for writeVal.
func printValue(f any) any {
	switch f := f.(type) {
	case *bool:
		return *f
	case *int:
		return *f
	case *int64:
		return *f
	case *string:
		return *f
	case *[]string:
		return strings.Join(*f, ",")
	}
	panic(fmt.Sprintf("compiler: printValue of %T", f))
}
