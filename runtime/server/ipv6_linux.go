package server

import (
	"fmt"
	"net/netip"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// IPv6: a listen's IP may be an IPv6 address ("::1", or "[::1]"). "::"
// is every address of both families (dual-stack: IPv4 clients arrive
// IPv4-mapped and are shown as IPv4, ipaddr.go) unless the listen is
// IPv6Only; "" stays every IPv4 address, as in hetao.

// listenAddr is the socket family and address ln binds to.
func listenAddr(ln *Listen) (int, unix.Sockaddr, error) {
	if ln.IP == "" {
		return unix.AF_INET, &unix.SockaddrInet4{Port: ln.Port}, nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(ln.IP, "["), "]"))
	if err != nil || a.Zone() != "" {
		return 0, nil, fmt.Errorf("listen %s:%d: not an IP address", ln.IP, ln.Port)
	}
	if a.Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Port: ln.Port, Addr: a.As4()}, nil
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Port: ln.Port, Addr: a.As16()}, nil
}

// setV6Only sets IPV6_V6ONLY on an IPv6 listening socket either way, so
// that the system's default (net.ipv6.bindv6only) does not decide.
func setV6Only(fd, family int, only bool) error {
	if family != unix.AF_INET6 {
		return nil
	}
	v := 0
	if only {
		v = 1
	}
	return os.NewSyscallError("setsockopt IPV6_V6ONLY", unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v))
}

// sockPort is the port a socket is bound to, 0 when unknown.
func sockPort(fd int) int {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return 0
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return sa.Port
	case *unix.SockaddrInet6:
		return sa.Port
	}
	return 0
}

// backendSockaddr is a backend's socket address and its "ip:port" text
// ("[ip]:port" for IPv6), for forward_server.ip of either family.
func backendSockaddr(ip string, port int) (unix.Sockaddr, string) {
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]"))
	if err != nil {
		return &unix.SockaddrInet4{Port: port}, ip + ":" + fmt.Sprint(port)
	}
	if a.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: a.As4()}, netip.AddrPortFrom(a, uint16(port)).String()
	}
	return &unix.SockaddrInet6{Port: port, Addr: a.As16()}, netip.AddrPortFrom(a, uint16(port)).String()
}

// sockFamily is the family of a socket address.
func sockFamily(sa unix.Sockaddr) int {
	if _, ok := sa.(*unix.SockaddrInet6); ok {
		return unix.AF_INET6
	}
	return unix.AF_INET
}
