package access

import (
	"net/netip"
	"time"
)

// Rate is a limit_req: Requests per Per, with Burst more allowed at once.
// Tracked bounds how many client addresses one Limiter remembers (0: 16384);
// beyond it the least recently seen is forgotten.
type Rate struct {
	Requests int64
	Per      time.Duration
	Burst    int64
	Tracked  int
}

// Limiter counts the requests of each client address against a Rate, the
// way nginx's limit_req does without delay: every request adds one to an
// address's excess, which drains at the rate; a request that would take
// the excess above the burst is refused and not counted. IPv4 addresses
// are counted one by one, IPv6 ones per /64 (one host's usual share).
// It belongs to one event loop: not safe for concurrent use.
type Limiter struct {
	rate  int64 // milli-requests drained per second
	burst int64 // milli-requests
	max   int
	m     map[key]*state
	lru   state // sentinel: lru.next is the most recently seen
}

type key [9]byte // family (4 or 6), then the address or its /64

type state struct {
	k          key
	excess     int64 // milli-requests
	last       int64 // ms of the last counted request
	prev, next *state
}

const defaultTracked = 16384

// NewLimiter makes a limiter for r.
func NewLimiter(r *Rate) *Limiter {
	per := int64(r.Per / time.Millisecond)
	if per <= 0 {
		per = 1000
	}
	l := &Limiter{
		rate:  max(r.Requests*1000*1000/per, 1),
		burst: r.Burst * 1000,
		max:   r.Tracked,
		m:     make(map[key]*state),
	}
	if l.max <= 0 {
		l.max = defaultTracked
	}
	l.lru.next, l.lru.prev = &l.lru, &l.lru
	return l
}

func keyOf(a netip.Addr) key {
	var k key
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		k[0] = 4
		copy(k[1:], b[:])
		return k
	}
	b := a.As16()
	k[0] = 6
	copy(k[1:], b[:8])
	return k
}

// Take counts one request from addr at now (ms, monotonic). It returns
// whether the request may be answered and, when not, how many whole
// seconds until one would be (at least 1), for Retry-After. Once an
// address is tracked, Take does not allocate.
func (l *Limiter) Take(addr netip.Addr, now int64) (ok bool, retryAfter int64) {
	k := keyOf(addr)
	s := l.m[k]
	if s == nil {
		s = l.track(k)
		s.last = now
		return true, 0
	}
	l.unlink(s)
	l.pushFront(s)
	elapsed := max(now-s.last, 0)
	excess := max(s.excess-l.rate*elapsed/1000+1000, 0)
	if excess > l.burst {
		wait := excess - l.burst // milli-requests to drain first
		return false, max((wait*1000/l.rate+999)/1000, 1)
	}
	s.excess, s.last = excess, now
	return true, 0
}

// track starts remembering k, forgetting the least recently seen address
// when the limiter is full.
func (l *Limiter) track(k key) *state {
	var s *state
	if len(l.m) >= l.max {
		s = l.lru.prev
		l.unlink(s)
		delete(l.m, s.k)
	} else {
		s = new(state)
	}
	*s = state{k: k}
	l.m[k] = s
	l.pushFront(s)
	return s
}

// Len is the number of addresses tracked.
func (l *Limiter) Len() int { return len(l.m) }

func (l *Limiter) unlink(s *state) {
	s.prev.next, s.next.prev = s.next, s.prev
	s.prev, s.next = nil, nil
}

func (l *Limiter) pushFront(s *state) {
	s.prev, s.next = &l.lru, l.lru.next
	l.lru.next.prev = s
	l.lru.next = s
}
