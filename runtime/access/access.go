// Package access decides which clients a website or location answers:
// address rules (nginx allow/deny) and a request rate per client address
// (nginx limit_req). Both are pure data structures over netip.Addr; the
// server asks them before any other phase of a request.
//
// Where is what: rules.go, allow and deny lists; limit.go, the per-address
// rate limiter with its bounded LRU.
package access
