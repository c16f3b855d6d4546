package gen

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"

	hetao "github.com/hetaoc/hetao"
	"github.com/hetaoc/hetao/compiler"
)

// siteFile emits site.go: the one *server.Site, every constant folded.
func (g *generator) siteFile(f *jen.File) error {
	s, err := g.siteVar()
	if err != nil {
		return err
	}
	f.Add(s)
	return nil
}

// siteVar emits
//
//	// site is the whole site compiled from hetao.conf.
//	var site = &server.Site{
//		Conf:        "hetao.conf",
//		ConfHash:    "sha256:…",
//		Hetaoc:      "0.1.0",
//		Workers:     1,
//		LogLevel:    logs.Error,
//		Limits:      server.Limits{...},
//		Listens:     []*server.Listen{{IP: "", Port: 80, Hosts: hosts1}, // hetao.conf:12:3 ...},
//		MIME:        mimeTypes,
//		ErrorPages:  []server.ErrorPage{{Code: 404, File: "..."}, // hetao.conf:60:5 ...},
//		Upstreams:   []*server.Upstream{upstream1, // ... forward, hetao.conf:30:9 ...},
//		Roots:       []*static.Root{website1Location2Root, // location ..., hetao.conf:21:9 ...},
//		Ops:         &server.Ops{IP: "127.0.0.1", Port: 9100, Serve: ops.Serve},
//		AccessLogFormat: server.LogJSON,
//	}
//
// Upstreams (forwards, then apps) and Roots only when the site has forwards
// or apps, or locations with a document root of their own; Ops only with
// an ops listen; AccessLogFormat only when it is not hetao's.
func (g *generator) siteVar() (jen.Code, error) {
	level, err := logLevel(g.cfg.LogLevel)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", g.pos(g.cfg.Pos), err)
	}
	c := g.cfg
	items := []jen.Code{
		field("Conf", jen.Lit(g.conf)),
		field("ConfHash", jen.Lit(c.Hash)),
		field("Hetaoc", jen.Lit(hetao.Version)),
		field("Workers", jen.Lit(c.WorkerProcesses)),
		field("CPUAffinity", jen.Lit(c.CPUAffinity)),
		field("ErrorLog", jen.Lit(c.ErrorLog)),
		field("LogLevel", level),
		field("User", jen.Lit(c.User)),
		field("Limits", g.limits()),
		field("TCP", g.tcp()),
		field("HTTP", g.http()),
		field("Listens", g.listens()),
		field("MIME", jen.Id("mimeTypes")),
		field("ErrorPages", g.errorPages()),
	}
	if len(g.upstreams)+len(g.apps) > 0 {
		items = append(items, field("Upstreams", g.upstreamList()))
	}
	if roots := g.rootList(); roots != nil {
		items = append(items, field("Roots", roots))
	}
	if c.Ops != nil {
		items = append(items, field("Ops", g.ops()))
	}
	if client := g.acmeClient(); client != nil {
		items = append(items, field("ACMEClient", client))
	}
	if f := accessLogFormat(c.AccessLogFormat); f != "" {
		items = append(items, field("AccessLogFormat", jen.Qual(serverPkg, f)))
	}
	return doc(fmt.Sprintf("site is the whole site compiled from %s.", g.conf)).Var().Id("site").Op("=").Op("&").Qual(serverPkg, "Site").Add(fields(items...)), nil
}

// ops emits
//
//	&server.Ops{IP: "127.0.0.1", Port: 9100, Serve: ops.Serve}, // hetao.conf:5:2
//
// linking runtime/ops (net/http, the Prometheus text format) only into
// sites that have an ops listen.
func (g *generator) ops() jen.Code {
	p := g.cfg.Ops
	return jen.Op("&").Qual(serverPkg, "Ops").Values(jen.Dict{
		jen.Id("IP"):    jen.Lit(p.IP),
		jen.Id("Port"):  jen.Lit(p.Port),
		jen.Id("Serve"): jen.Qual(opsPkg, "Serve"),
	})
}

// accessLogFormat names the server.LogFormat constant of access_log_format,
// "" for hetao's, the zero value (left out of site.go).
func accessLogFormat(name string) string {
	return map[string]string{"combined": "LogCombined", "json": "LogJSON"}[name]
}

// logLevel emits logs.Debug … logs.Fatal for hetao's level names.
func logLevel(name string) (jen.Code, error) {
	level, ok := map[string]string{
		"DEBUG": "Debug", "INFO": "Info", "WARN": "Warn", "ERROR": "Error", "FATAL": "Fatal",
	}[name]
	if !ok {
		return nil, fmt.Errorf("log_level %q is not DEBUG, INFO, WARN, ERROR or FATAL", name)
	}
	return jen.Qual(logsPkg, level), nil
}

// limits emits
//
//	server.Limits{
//		MaxSessions:         100000,
//		MaxFileCache:        1024000,
//		MaxConnectionsPerIP: -1,
//		MaxHeaders:          128,
//		MaxHeadBytes:        4096,
//		MaxBody:             4194304,
//	}
func (g *generator) limits() jen.Code {
	l := g.cfg.Limits
	return jen.Qual(serverPkg, "Limits").Add(fields(
		field("MaxSessions", jen.Lit(l.MaxHTTPSessionCount)),
		field("MaxFileCache", jen.Lit(int(l.MaxFileCache))),
		field("MaxConnectionsPerIP", jen.Lit(l.MaxConnectionsPerIP)),
		field("MaxHeaders", jen.Lit(l.MaxHeadersCount)),
		field("MaxHeadBytes", jen.Lit(l.MaxHeadersLength)),
		field("MaxBody", jen.Lit(int(l.MaxHeaderContentLength))),
	))
}

// tcp emits server.TCPOptions{NoDelay: true, Linger: -1}.
func (g *generator) tcp() jen.Code {
	t := g.cfg.TCP
	return jen.Qual(serverPkg, "TCPOptions").Values(
		field("NoDelay", jen.Lit(t.NoDelay)),
		field("Linger", jen.Lit(t.Linger)),
	)
}

// http emits
//
//	server.HTTPOptions{
//		Compress:       true,
//		Timeout:        30 * time.Second,
//		Elapse:         60 * time.Second,
//		ForwardDisable: 60 * time.Second,
//	}
func (g *generator) http() jen.Code {
	h := g.cfg.HTTP
	return jen.Qual(serverPkg, "HTTPOptions").Add(fields(
		field("Compress", jen.Lit(h.CompressOn)),
		field("Timeout", seconds(h.Timeout)),
		field("Elapse", seconds(h.Elapse)),
		field("ForwardDisable", seconds(h.ForwardDisable)),
	))
}

// seconds emits n * time.Second: the configuration counts whole seconds,
// the runtime takes a time.Duration.
func seconds(n int) jen.Code { return jen.Lit(n).Op("*").Qual("time", "Second") }

// listens emits, one line per listen in config order,
//
//	[]*server.Listen{
//		{IP: "", Port: 80, Hosts: hosts1}, // hetao.conf:12:3
//		{IP: "", Port: 443, TLS: &server.TLS{CertFile: "...", KeyFile: "..."}, Hosts: hosts2}, // hetao.conf:30:3
//		{IP: "", Port: 8080, H2C: true, Hosts: hosts3}, // hetao.conf:40:3
//	}
//
// NoHTTP2 (a TLS listen with "http2" : 0) and H2C only when set.
func (g *generator) listens() jen.Code {
	var items []jen.Code
	for i, l := range g.cfg.Listens {
		vals := []jen.Code{field("IP", jen.Lit(l.IP)), field("Port", jen.Lit(l.Port))}
		if l.IPv6Only {
			vals = append(vals, field("IPv6Only", jen.True()))
		}
		if l.SSL != nil {
			vals = append(vals, field("TLS", g.tls(l)))
			if !l.HTTP2 {
				vals = append(vals, field("NoHTTP2", jen.True())) // "http2" : 0
			}
		}
		if l.H2C {
			vals = append(vals, field("H2C", jen.True()))
		}
		vals = append(vals, field("Hosts", jen.Id(hostsName(i))))
		items = append(items, jen.Values(vals...).Op(",").Comment(g.pos(l.Pos)))
	}
	return jen.Index().Op("*").Qual(serverPkg, "Listen").Add(lines(items))
}

// errorPages emits, sorted by code,
//
//	[]server.ErrorPage{
//		{Code: 404, File: "$HOME$/www/error_pages/error_page_404.html"}, // hetao.conf:70:9
//	}
//
// or nil when none is configured.
func (g *generator) errorPages() jen.Code {
	if len(g.cfg.ErrorPages) == 0 {
		return jen.Nil()
	}
	var items []jen.Code
	for _, p := range sortedErrorPages(g.cfg.ErrorPages) {
		items = append(items, jen.Values(
			field("Code", jen.Lit(p.Code)),
			field("File", jen.Lit(p.File)),
		).Op(",").Comment(g.pos(p.Pos)))
	}
	return jen.Index().Qual(serverPkg, "ErrorPage").Add(lines(items))
}

func sortedErrorPages(pages []compiler.ErrorPage) []compiler.ErrorPage {
	s := append([]compiler.ErrorPage(nil), pages...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Code < s[j].Code })
	return s
}
