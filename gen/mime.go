package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/runtime/phash"
)

// mimeFile emits mime.go: the extension → media type table.
func (g *generator) mimeFile(f *jen.File) error {
	t, err := g.mimeTable()
	if err != nil {
		return err
	}
	f.Add(t)
	return nil
}

// mimeTable emits
//
//	// mimeTypes maps a file extension (case-sensitive, no dot) to its media
//	// type: a perfect hash over the 45 extensions of hetao.conf.
//	var mimeTypes = &server.MIMETable{
//		Table: phash.Table{...},
//		Types: []static.MIME{
//			{},                                      // free
//			{Type: "text/html", Compress: true},     // html hetao.conf:88:5
//			{Type: "image/png", Compress: false},    // png hetao.conf:92:5
//		},
//	}
func (g *generator) mimeTable() (jen.Code, error) {
	byExt := map[string]compiler.MIMEType{}
	var exts []string
	for _, m := range g.cfg.MIME { // each extension once: the compiler has checked
		byExt[m.Ext] = m
		exts = append(exts, m.Ext)
	}
	t, err := phash.Build(exts, false)
	if err != nil {
		return nil, fmt.Errorf("%s: mime table: %v", g.pos(g.cfg.Pos), err)
	}

	types := jen.Nil()
	if len(t.Keys) > 0 {
		var items []jen.Code
		for _, k := range t.Keys {
			if k == "" {
				items = append(items, jen.Values().Op(",").Comment("free"))
				continue
			}
			m := byExt[k]
			items = append(items, jen.Values(
				field("Type", jen.Lit(m.Type)),
				field("Compress", jen.Lit(m.Compress)),
			).Op(",").Commentf("%s %s", k, g.pos(m.Pos)))
		}
		types = jen.Index().Qual(staticPkg, "MIME").Add(lines(items))
	}

	return doc(
		"mimeTypes maps a file extension (case-sensitive, no dot) to its media",
		fmt.Sprintf("type: a perfect hash over the %d extensions of %s.", len(exts), g.conf),
	).Var().Id("mimeTypes").Op("=").Op("&").Qual(serverPkg, "MIMETable").Custom(
		jen.Options{Open: "{", Close: "}", Multi: true},
		jen.Id("Table").Op(":").Add(phashTable(t, func(k string) string { return g.pos(byExt[k].Pos) })).Op(","),
		jen.Id("Types").Op(":").Add(types).Op(","),
	), nil
}
