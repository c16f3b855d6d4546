package access

import "net/netip"

// Rule allows or denies the addresses of Prefix.
type Rule struct {
	Prefix netip.Prefix
	Allow  bool
}

// List is an allow/deny list. Its rules are ordered longest prefix first
// (the generator sorts them; NewList does too), so the first rule that
// contains an address is the most specific, and decides; an address no
// rule contains gets Else.
type List struct {
	Rules []Rule
	Else  bool // allowed when no rule matches
}

// NewList orders rules most specific first, denials before allowances of
// the same prefix length, and sets Else: an address no rule names is
// denied when every rule allows, allowed otherwise (a list of allows
// admits only them; a list of denials keeps out only them).
func NewList(rules []Rule) *List {
	l := &List{Rules: append([]Rule(nil), rules...), Else: false}
	Sort(l.Rules)
	for _, r := range rules {
		if !r.Allow {
			l.Else = true
		}
	}
	return l
}

// Sort orders rules longest prefix first, IPv4 before IPv6 at equal
// length, a denial before an allowance of the same prefix; otherwise
// keeping their order.
func Sort(rules []Rule) {
	for i := 1; i < len(rules); i++ {
		for j := i; j > 0 && before(rules[j], rules[j-1]); j-- {
			rules[j], rules[j-1] = rules[j-1], rules[j]
		}
	}
}

func before(a, b Rule) bool {
	if a.Prefix.Bits() != b.Prefix.Bits() {
		return a.Prefix.Bits() > b.Prefix.Bits()
	}
	return !a.Allow && b.Allow
}

// Allowed reports whether addr may be answered. An IPv4 address mapped
// into IPv6 (::ffff:10.0.0.1) is matched as IPv4. It does not allocate.
func (l *List) Allowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	for i := range l.Rules {
		if l.Rules[i].Prefix.Contains(addr) {
			return l.Rules[i].Allow
		}
	}
	return l.Else
}
