package access

import (
	"net/netip"
	"testing"
	"time"
)

func rules(t *testing.T, spec ...string) []Rule {
	t.Helper()
	var out []Rule
	for i := 0; i+1 < len(spec); i += 2 {
		out = append(out, Rule{Prefix: netip.MustParsePrefix(spec[i+1]), Allow: spec[i] == "allow"})
	}
	return out
}

func TestListLongestMatchDecides(t *testing.T) {
	l := NewList(rules(t,
		"allow", "10.0.0.0/8",
		"deny", "0.0.0.0/0", "deny", "::/0",
		"deny", "10.1.2.3/32",
		"allow", "2001:db8::/32",
		"deny", "2001:db8:bad::/48",
	))
	for addr, want := range map[string]bool{
		"10.9.9.9":           true,
		"10.1.2.3":           false, // more specific than 10/8
		"192.168.1.1":        false, // deny all
		"::ffff:10.9.9.9":    true,  // mapped: matched as IPv4
		"2001:db8:1::1":      true,
		"2001:db8:bad::1":    false,
		"2001:db9::1":        false,
		"::1":                false,
		"::ffff:192.168.1.1": false,
	} {
		if got := l.Allowed(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: allowed %v, want %v", addr, got, want)
		}
	}
}

func TestListDefaults(t *testing.T) {
	onlyAllow := NewList(rules(t, "allow", "127.0.0.1/32"))
	if !onlyAllow.Allowed(netip.MustParseAddr("127.0.0.1")) || onlyAllow.Allowed(netip.MustParseAddr("127.0.0.2")) {
		t.Error("a list of allows admits only them")
	}
	onlyDeny := NewList(rules(t, "deny", "127.0.0.0/8"))
	if onlyDeny.Allowed(netip.MustParseAddr("127.0.0.2")) || !onlyDeny.Allowed(netip.MustParseAddr("10.0.0.1")) {
		t.Error("a list of denials keeps out only them")
	}
	tie := NewList(rules(t, "allow", "10.0.0.0/8", "deny", "10.0.0.0/8"))
	if tie.Allowed(netip.MustParseAddr("10.0.0.1")) {
		t.Error("a denial wins over an allowance of the same prefix")
	}
	a := netip.MustParseAddr("10.0.0.1")
	if n := testing.AllocsPerRun(100, func() { tie.Allowed(a) }); n != 0 {
		t.Errorf("Allowed: %v allocations", n)
	}
}

// TestLimiterBurstThenRecovers: at 10 r/s with burst 20, 21 requests at
// once pass and the rest are refused with a Retry-After; 100 ms later one
// more passes.
func TestLimiterBurstThenRecovers(t *testing.T) {
	l := NewLimiter(&Rate{Requests: 10, Per: time.Second, Burst: 20})
	a := netip.MustParseAddr("192.0.2.1")
	passed := 0
	for i := 0; i < 100; i++ {
		ok, retry := l.Take(a, 1000)
		if ok {
			passed++
			continue
		}
		if retry != 1 {
			t.Fatalf("request %d: Retry-After %d, want 1", i, retry)
		}
	}
	if passed != 21 {
		t.Fatalf("%d passed, want 21", passed)
	}
	if ok, _ := l.Take(a, 1099); ok {
		t.Error("passed before a request's worth had drained")
	}
	if ok, _ := l.Take(a, 1100); !ok {
		t.Error("refused 100 ms later")
	}
	if ok, _ := l.Take(netip.MustParseAddr("192.0.2.2"), 1100); !ok {
		t.Error("another address is counted apart")
	}
	if n := testing.AllocsPerRun(100, func() { l.Take(a, 5000) }); n != 0 {
		t.Errorf("Take: %v allocations", n)
	}
}

func TestLimiterRetryAfterAtLowRates(t *testing.T) {
	l := NewLimiter(&Rate{Requests: 6, Per: time.Minute}) // one per 10 s
	a := netip.MustParseAddr("192.0.2.1")
	l.Take(a, 0)
	if ok, retry := l.Take(a, 0); ok || retry != 10 {
		t.Errorf("%v %d, want refused with Retry-After 10", ok, retry)
	}
	if ok, retry := l.Take(a, 7500); ok || retry != 3 {
		t.Errorf("%v %d, want refused with Retry-After 3", ok, retry)
	}
}

func TestLimiterIPv6CountsPer64(t *testing.T) {
	l := NewLimiter(&Rate{Requests: 1, Per: time.Second})
	if ok, _ := l.Take(netip.MustParseAddr("2001:db8:1:2::1"), 0); !ok {
		t.Fatal("first refused")
	}
	if ok, _ := l.Take(netip.MustParseAddr("2001:db8:1:2:ffff::9"), 0); ok {
		t.Error("another address of the same /64 is the same client")
	}
	if ok, _ := l.Take(netip.MustParseAddr("2001:db8:1:3::1"), 0); !ok {
		t.Error("another /64 is another client")
	}
	if ok, _ := l.Take(netip.MustParseAddr("::ffff:192.0.2.1"), 0); !ok {
		t.Error("a mapped IPv4 address is its own client")
	}
}

func TestLimiterForgetsLeastRecentlySeen(t *testing.T) {
	l := NewLimiter(&Rate{Requests: 1, Per: time.Hour, Tracked: 3})
	addr := func(i byte) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, i}) }
	for i := byte(1); i <= 3; i++ {
		l.Take(addr(i), 0)
	}
	l.Take(addr(1), 0) // seen again: 2 is now the oldest
	l.Take(addr(4), 0)
	if l.Len() != 3 {
		t.Fatalf("%d tracked, want 3", l.Len())
	}
	if ok, _ := l.Take(addr(2), 0); !ok {
		t.Error("2 was forgotten and starts afresh")
	}
	if ok, _ := l.Take(addr(4), 0); ok {
		t.Error("4 is still tracked and over its rate")
	}
}
