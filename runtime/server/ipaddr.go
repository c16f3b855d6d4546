package server

import (
	"net/netip"
	"strconv"
)

// ipAddr is a client's address as the loop keeps it: 16 bytes, an IPv4
// client in its IPv4-mapped form (::ffff:a.b.c.d), whether it came to an
// IPv4 socket or to a dual-stack "::" one. Everywhere it is shown (access
// log, X-Forwarded-For, X-Real-IP, an app's RemoteAddr) an IPv4 client is
// its IPv4 address, an IPv6 client its IPv6 one. No pointer in it: a
// connection costs the garbage collector nothing more.
type ipAddr [16]byte

// ipv4 is the address of an IPv4 client.
func ipv4(b [4]byte) ipAddr {
	return ipAddr{10: 0xff, 11: 0xff, 12: b[0], 13: b[1], 14: b[2], 15: b[3]}
}

// is4 reports an IPv4 client.
func (a *ipAddr) is4() bool {
	return a[0]|a[1]|a[2]|a[3]|a[4]|a[5]|a[6]|a[7]|a[8]|a[9] == 0 && a[10] == 0xff && a[11] == 0xff
}

// addr is the address as net/netip has it, IPv4 unmapped.
func (a *ipAddr) addr() netip.Addr { return netip.AddrFrom16(*a).Unmap() }

// limitKey is what max_connections_per_ip counts: an IPv4 address, or
// the /64 an IPv6 address belongs to (one subscriber, one LAN: a single
// host usually has a whole /64 to pick addresses from).
func (a *ipAddr) limitKey() ipAddr {
	if a.is4() {
		return *a
	}
	var k ipAddr
	copy(k[:8], a[:8])
	return k
}

// appendIP appends the address as text (RFC 5952 for IPv6), without
// allocating.
func appendIP(w []byte, ip ipAddr) []byte {
	if ip.is4() {
		for i, v := range ip[12:] {
			if i > 0 {
				w = append(w, '.')
			}
			w = strconv.AppendUint(w, uint64(v), 10)
		}
		return w
	}
	return netip.AddrFrom16(ip).AppendTo(w)
}
