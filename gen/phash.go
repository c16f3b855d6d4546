package gen

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/runtime/phash"
)

// phashTable emits a table built by phash.Build as a literal, every seed
// commented with its bucket's keys and every key with what keyComment says
// about it (free slots say "free"):
//
//	phash.Table{
//		Seeds: []uint32{
//			0, // bucket 0: "a.com", "b.com"
//			3, // bucket 1: "c.com"
//		},
//		Keys: []string{
//			"",      // free
//			"a.com", // hetao.conf:3:5
//			...
//		},
//		Fold: true,
//	}
//
// An empty table is phash.Table{Fold: true}.
func phashTable(t phash.Table, keyComment func(key string) string) jen.Code {
	if len(t.Keys) == 0 {
		return jen.Qual(phashPkg, "Table").Values(field("Fold", jen.Lit(t.Fold)))
	}
	buckets := make([][]string, len(t.Seeds))
	for _, k := range t.Keys {
		if k != "" {
			b := phash.Hash(k, 0, t.Fold) % uint32(len(t.Seeds))
			buckets[b] = append(buckets[b], fmt.Sprintf("%q", k))
		}
	}
	var seeds []jen.Code
	for b, seed := range t.Seeds {
		keys := "empty"
		if len(buckets[b]) > 0 {
			keys = strings.Join(buckets[b], ", ")
		}
		seeds = append(seeds, jen.Lit(int(seed)).Op(",").Commentf("bucket %d: %s", b, keys))
	}
	var keys []jen.Code
	for _, k := range t.Keys {
		c := "free"
		if k != "" {
			c = keyComment(k)
		}
		keys = append(keys, jen.Lit(k).Op(",").Comment(c))
	}
	return jen.Qual(phashPkg, "Table").Add(fields(
		field("Seeds", jen.Index().Uint32().Add(lines(seeds))),
		field("Keys", jen.Index().String().Add(lines(keys))),
		field("Fold", jen.Lit(t.Fold)),
	))
}
