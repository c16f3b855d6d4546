package server

import "github.com/hetaoc/hetao/runtime/phash"

// Redirects as data. A scope with a few named redirects gets one
// `if c.HostIs(…)` per domain; one with many (a site that collected its
// old domains) gets a RedirectTable, found by one hash of the Host:
//
//	// redirect: the Host's rule among the 2000 of website1Redirects
//	if c.RedirectByHost(website1Redirects) {
//		return
//	}

// RedirectRule is the redirect of one slot of RedirectTable.Table.
type RedirectRule struct {
	Order int32  // the redirect's position among the scope's, from 0
	Code  int    // 301, 302, 303, 307 or 308
	To    string // new_domain, as Redirect takes it
}

// RedirectTable holds the named redirects of a scope: Table over their
// lower-cased domains (Fold), Rules by slot.
type RedirectTable struct {
	Table phash.Table
	Rules []RedirectRule
}

// RedirectByHost answers the request with the redirect whose domain its
// Host names, as HostIs compares (exactly or without ":port" or a trailing
// dot, ASCII case-insensitive), and reports whether there was one. When
// the Host names two (a.example:8080 and a.example), the first in config
// order wins, as with a chain of HostIs tests. It does not allocate
// before Redirect.
func (x *Ctx) RedirectByHost(t *RedirectTable) bool {
	h := x.Req.Host
	best := t.Table.Index(h)
	if b := bareHost(h); len(b) != len(h) {
		if i := t.Table.Index(b); i >= 0 && (best < 0 || t.Rules[i].Order < t.Rules[best].Order) {
			best = i
		}
	}
	if best < 0 {
		return false
	}
	x.Redirect(t.Rules[best].Code, t.Rules[best].To)
	return true
}
