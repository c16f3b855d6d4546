package gen

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
	"github.com/hetaoc/hetao/runtime/phash"
)

// locationTableMin is the number of exact (or prefix) locations from which
// a website finds them in a server.LocationTable, by hash, instead of a
// switch case each.
const locationTableMin = 16

// locationTables reports whether w's exact and its prefix locations are
// found in its table.
func locationTables(w *website) (exact, prefix bool) {
	ne, np := 0, 0
	for _, l := range w.locations {
		switch l.loc.Match {
		case compiler.MatchExact:
			ne++
		case compiler.MatchPrefix:
			np++
		}
	}
	return ne >= locationTableMin, np >= locationTableMin
}

// locationTableName names w's table: website1Locations.
func (w *website) locationTableName() string { return w.name() + "Locations" }

// locationTableVar emits, for a website with many exact or prefix
// locations,
//
//	// website1Locations finds the 2000 exact and 0 prefix locations of "a.example" by perfect hash.
//	var website1Locations = &server.LocationTable{
//		Exacts: phash.Table{...},
//		ExactServe: []func(*server.Ctx){
//			nil,                     // free
//			serveWebsite1Location1, // exact "/l/0" hetao.conf:5:3
//		},
//	}
func (g *generator) locationTableVar(w *website) jen.Code {
	exactTable, prefixTable := locationTables(w)
	var items []jen.Code
	count := map[compiler.LocationMatch]int{}
	add := func(match compiler.LocationMatch, tableField, serveField string) {
		byURI := map[string]*scope{}
		var keys []string
		for _, l := range w.locations {
			if l.loc.Match == match {
				byURI[l.loc.URI] = l
				keys = append(keys, l.loc.URI)
			}
		}
		count[match] = len(keys)
		t, err := phash.Build(keys, false)
		if err != nil {
			panic(fmt.Sprintf("gen: %s locations of %s: %v", match, w.title(), err)) // distinct, non-empty: the compiler has checked
		}
		comment := func(k string) string {
			return fmt.Sprintf("%s %q %s", match, k, g.pos(byURI[k].loc.Pos))
		}
		var serve []jen.Code
		for _, k := range t.Keys {
			if k == "" {
				serve = append(serve, jen.Nil().Op(",").Comment("free"))
				continue
			}
			serve = append(serve, jen.Id(byURI[k].serveName()).Op(",").Comment(comment(k)))
		}
		items = append(items,
			jen.Id(tableField).Op(":").Add(phashTable(t, comment)).Op(","),
			jen.Id(serveField).Op(":").Index().Func().Params(jen.Op("*").Qual(serverPkg, "Ctx")).Add(lines(serve)).Op(","))
		if match == compiler.MatchPrefix {
			seen := map[int]bool{}
			var lens []int
			for _, k := range keys {
				if !seen[len(k)] {
					seen[len(k)] = true
					lens = append(lens, len(k))
				}
			}
			sort.Sort(sort.Reverse(sort.IntSlice(lens)))
			var ls []jen.Code
			for _, n := range lens {
				ls = append(ls, jen.Lit(n))
			}
			items = append(items, jen.Id("PrefixLens").Op(":").Index().Int().Values(ls...).Op(","))
		}
	}
	if exactTable {
		add(compiler.MatchExact, "Exacts", "ExactServe")
	}
	if prefixTable {
		add(compiler.MatchPrefix, "Prefixes", "PrefixServe")
	}
	return doc(
		fmt.Sprintf("%s finds the %d exact and %d prefix locations of %s by perfect hash",
			w.locationTableName(), count[compiler.MatchExact], count[compiler.MatchPrefix], w.title()),
		"(prefixes: one lookup per distinct length, longest first).",
	).Var().Id(w.locationTableName()).Op("=").Op("&").Qual(serverPkg, "LocationTable").Custom(
		jen.Options{Open: "{", Close: "}", Multi: true}, items...)
}
