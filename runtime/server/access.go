package server

import (
	"net/netip"
	"strconv"

	"github.com/hetaoc/hetao/runtime/access"
)

// RemoteAddr is the address of the client of the current request.
func (x *Ctx) RemoteAddr() netip.Addr { return x.c.ip.addr() }

// Forbidden answers 403 and reports true when the client's address is not
// allowed by list (nginx allow/deny).
func (x *Ctx) Forbidden(list *access.List) bool {
	if list.Allowed(x.RemoteAddr()) {
		return false
	}
	x.Error(403)
	return true
}

// RateLimited counts the request against r for the client's address, in
// this loop's own limiter for r (nginx limit_req, counted per worker), and
// when it is over answers 429 with Retry-After and reports true.
func (x *Ctx) RateLimited(r *access.Rate) bool {
	lim := x.limiters[r]
	if lim == nil {
		if x.limiters == nil {
			x.limiters = make(map[*access.Rate]*access.Limiter)
		}
		lim = access.NewLimiter(r)
		x.limiters[r] = lim
	}
	ok, retry := lim.Take(x.RemoteAddr(), x.l.now)
	if ok {
		return false
	}
	x.respond(429, "Retry-After: "+strconv.FormatInt(retry, 10)+"\r\n", nil)
	return true
}
