package server

import "github.com/hetaoc/hetao/runtime/phash"

// Locations as data. A website with a few locations chooses among them
// with a generated switch; one with many exact or prefix locations gets a
// LocationTable, so that choosing costs one hash lookup for the exact
// URIs and one per distinct prefix length for the prefixes, and its build
// does not grow a case per location:
//
//	// location: an exact URI, else the first regex that matches, else the longest prefix
//	if serve := website1Locations.Exact(c.Path); serve != nil {
//		serve(c)
//		return
//	}
//	switch { … the regex locations, in config order … }
//	if serve := website1Locations.Prefix(c.Path); serve != nil {
//		serve(c)
//		return
//	}

// LocationTable holds a website's exact locations (ExactServe by slot of
// Exacts) and its prefix locations (PrefixServe by slot of Prefixes), each
// list empty when the switch tests them instead. PrefixLens lists the
// distinct lengths of the prefixes, longest first.
type LocationTable struct {
	Exacts     phash.Table
	ExactServe []func(*Ctx)

	Prefixes    phash.Table
	PrefixServe []func(*Ctx)
	PrefixLens  []int
}

// Exact returns the handler of the exact location whose URI is path, or
// nil.
func (t *LocationTable) Exact(path []byte) func(*Ctx) {
	if i := t.Exacts.Index(path); i >= 0 {
		return t.ExactServe[i]
	}
	return nil
}

// Prefix returns the handler of the longest prefix location path starts
// with, or nil. Prefixes of one length are distinct, so at most one of
// them matches.
func (t *LocationTable) Prefix(path []byte) func(*Ctx) {
	for _, n := range t.PrefixLens {
		if n > len(path) {
			continue
		}
		if i := t.Prefixes.Index(path[:n]); i >= 0 {
			return t.PrefixServe[i]
		}
	}
	return nil
}
