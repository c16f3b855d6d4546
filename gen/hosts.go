package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/runtime/phash"
)

// hostsFile emits hosts.go: one Host → website table per listen, in config
// order.
func (g *generator) hostsFile(f *jen.File) error {
	for i, l := range g.cfg.Listens {
		t, err := g.hostTable(i, l)
		if err != nil {
			return err
		}
		f.Add(t)
		f.Line()
	}
	return nil
}

// hostsName is the generated name of the i-th listen's (from 0) host table.
func hostsName(i int) string { return fmt.Sprintf("hosts%d", i+1) }

// hostTable emits
//
//	// hosts1 finds the website of a request's Host on :80 (hetao.conf:12:3):
//	// a perfect hash over the lower-cased domains; unknown hosts get website1.
//	var hosts1 = &server.HostTable{
//		Table: phash.Table{...},
//		Sites: []*server.Website{
//			nil,      // free
//			website2, // "www.test.com" hetao.conf:40:9
//		},
//		Default: website1, // "" hetao.conf:20:5
//	}
//
// The keys are the domains as written, lower-cased, ":port" included; the
// runtime looks a Host up exactly, then without its port.
func (g *generator) hostTable(i int, l *compiler.Listen) (jen.Code, error) {
	var (
		domains []string
		byKey   = map[string]*website{}
		def     *website
	)
	for _, w := range l.Websites {
		ws := g.byIR[w]
		if w.Domain == "" {
			if def == nil {
				def = ws
			}
			continue
		}
		key := phash.Lower(w.Domain) // as the table folds; unique in a listen: the compiler has checked
		byKey[key] = ws
		domains = append(domains, key)
	}
	t, err := phash.Build(domains, true)
	if err != nil {
		return nil, fmt.Errorf("%s: host table of %s: %v", g.pos(l.Pos), listenAddr(l), err)
	}

	where := func(ws *website) string { return fmt.Sprintf("%q %s", ws.Domain, g.pos(ws.Pos)) }
	sites := jen.Nil()
	if len(t.Keys) > 0 {
		var items []jen.Code
		for _, k := range t.Keys {
			if k == "" {
				items = append(items, jen.Nil().Op(",").Comment("free"))
				continue
			}
			ws := byKey[k]
			items = append(items, jen.Id(ws.name()).Op(",").Comment(where(ws)))
		}
		sites = jen.Index().Op("*").Qual(serverPkg, "Website").Add(lines(items))
	}
	deflt, unknown := jen.Nil().Op(","), "are refused"
	if def != nil {
		deflt, unknown = jen.Id(def.name()).Op(",").Comment(where(def)), "get "+def.name()
	}

	name := hostsName(i)
	return doc(
		fmt.Sprintf("%s finds the website of a request's Host on %s (%s):", name, listenAddr(l), g.pos(l.Pos)),
		fmt.Sprintf("a perfect hash over the lower-cased domains; unknown hosts %s.", unknown),
	).Var().Id(name).Op("=").Op("&").Qual(serverPkg, "HostTable").Custom(
		jen.Options{Open: "{", Close: "}", Multi: true},
		jen.Id("Table").Op(":").Add(phashTable(t, func(k string) string { return g.pos(byKey[k].Pos) })).Op(","),
		jen.Id("Sites").Op(":").Add(sites).Op(","),
		jen.Id("Default").Op(":").Add(deflt),
	), nil
}
