package compiler

import (
	"net/netip"
	"strconv"
	"strings"
)

// AccessRule allows or denies the client addresses of a prefix (nginx
// allow/deny). The most specific rule containing an address decides.
type AccessRule struct {
	Allow  bool
	Prefix string // canonical CIDR: "10.0.0.0/8", "192.0.2.1/32", "::/0"
	Pos    Pos
}

// LimitReq is a request rate per client address (nginx limit_req).
type LimitReq struct {
	Requests int64 // per Per seconds
	Per      int   // 1 or 60
	Burst    int64
	Pos      Pos
}

// Rate is the rate as written: "10r/s".
func (l *LimitReq) Rate() string {
	if l.Per == 60 {
		return strconv.FormatInt(l.Requests, 10) + "r/m"
	}
	return strconv.FormatInt(l.Requests, 10) + "r/s"
}

// accessRules reads "allow" and "deny": space-separated addresses, CIDR
// ranges or "all".
func (c *checker) accessRules(o *obj) []AccessRule {
	var out []AccessRule
	seen := map[string]Pos{}
	for _, k := range []string{"allow", "deny"} {
		s, v := o.str(k, "")
		if v == nil {
			continue
		}
		key := o.key(k)
		if strings.TrimSpace(s) == "" {
			c.d.errorf(v.pos, "%s is empty: list addresses or CIDR ranges, like \"10.0.0.0/8 2001:db8::/32\", or all", key)
			continue
		}
		off := 0
		for _, it := range strings.Fields(s) {
			j := strings.Index(s[off:], it) + off
			off = j + len(it)
			pos := v.posIn(j)
			var prefixes []netip.Prefix
			switch {
			case it == "all":
				prefixes = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
			case strings.Contains(it, "/"):
				p, err := netip.ParsePrefix(it)
				if err != nil {
					c.d.errorf(pos, "%s: %q is not a CIDR range, like \"10.0.0.0/8\" or \"2001:db8::/32\"", key, it)
					continue
				}
				if p.Masked() != p {
					c.d.errorf(pos, "%s: %q has bits set beyond its /%d: write %q", key, it, p.Bits(), p.Masked().String())
					continue
				}
				prefixes = []netip.Prefix{p}
			default:
				a, err := netip.ParseAddr(it)
				if err != nil || a.Zone() != "" {
					c.d.errorf(pos, "%s: %q is not an IP address, a CIDR range or all", key, it)
					continue
				}
				a = a.Unmap()
				prefixes = []netip.Prefix{netip.PrefixFrom(a, a.BitLen())}
			}
			for _, p := range prefixes {
				if f, dup := seen[p.String()]; dup {
					c.d.errorf(pos, "%s: %s is listed twice (first at %s): one rule per range", key, p, f.short(pos))
					continue
				}
				seen[p.String()] = pos
				out = append(out, AccessRule{Allow: k == "allow", Prefix: p.String(), Pos: pos})
			}
		}
	}
	return out
}

// limitReq reads "limit_req" : { "rate" : "10r/s", "burst" : 20 }.
func (c *checker) limitReq(o *obj) *LimitReq {
	n := o.sub("limit_req")
	if n == nil {
		return nil
	}
	lo := c.open(n, "limit_req", o.key("limit_req"))
	if lo.n == nil {
		return nil
	}
	l := &LimitReq{Pos: n.pos, Per: 1}
	c.scalars(lo, l)
	s, v := lo.str("rate", "")
	if v == nil {
		if lo.misses("rate") {
			c.d.errorf(n.pos, "%s needs a rate: requests per second per client address, like \"rate\" : \"10r/s\" (or \"30r/m\")", lo.path)
		}
		return nil
	}
	num, unit := s, "r/s"
	if i := strings.Index(s, "r/"); i >= 0 {
		num, unit = s[:i], s[i:]
	}
	r, err := strconv.ParseInt(num, 10, 64)
	switch {
	case err != nil || r < 1 || r > 1_000_000 || unit != "r/s" && unit != "r/m":
		c.d.errorf(v.pos, "%s is %q; write requests per second or per minute, from 1 to 1000000, like 10, \"10r/s\" or \"30r/m\"", lo.key("rate"), s)
		return nil
	case unit == "r/m":
		l.Per = 60
	}
	l.Requests = r
	return l
}

func showAccess(rules []AccessRule, allow bool) []any {
	var names []string
	for _, r := range rules {
		if r.Allow == allow {
			names = append(names, r.Prefix)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return []any{strings.Join(names, " ")}
}

func showLimitReq(l *LimitReq) []any {
	if l == nil {
		return nil
	}
	return []any{pobj{{"rate", l.Rate()}, {"burst", l.Burst}}}
}
