package server

import "container/heap"

// The two deadlines of a connection, idle (timeout) and per request
// (elapse), are kept in the connection itself and re-armed by plain stores
// on every read and write. The heap holds at most a few entries per
// connection and is corrected lazily: an entry that pops before its
// connection's real deadline is pushed again at the new time. Re-arming is
// therefore O(1) on the hot path, and expiry costs O(log n) once per
// deadline that really passes.

type timerEntry struct {
	when int64  // ms on the loop clock
	fd   int32  // connection slot
	gen  uint32 // connection generation: a reused slot ignores old entries
}

type timerHeap []timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when < h[j].when }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timerEntry)) }
func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// arm makes sure the heap will wake the loop no later than c's deadline.
func (l *loop) arm(c *conn) {
	d := c.deadline()
	if c.armed != 0 && c.armed <= d {
		return // an entry at or before d is pending; it will re-push
	}
	c.armed = d
	if len(l.timers) >= 2*int(l.sessions.Load())+4096 {
		l.compactTimers()
	}
	heap.Push(&l.timers, timerEntry{when: d, fd: c.fd, gen: c.gen})
}

// compactTimers drops the entries of connections that closed (or re-armed
// earlier) before their deadline came: with short connections they would
// otherwise pile up for a whole timeout (18k connections a second for 75 s
// is over a million entries). Amortised over the pushes that filled the
// heap, it costs O(1) per push.
func (l *loop) compactTimers() {
	live := l.timers[:0]
	for _, e := range l.timers {
		if c := l.conns[e.fd]; c != nil && c.gen == e.gen && c.armed == e.when {
			live = append(live, e)
		}
	}
	clear(l.timers[len(live):])
	l.timers = live
	heap.Init(&l.timers)
}

// expire closes every connection whose deadline has passed and returns the
// milliseconds until the next pending entry (-1 when none).
func (l *loop) expire(now int64) int {
	for len(l.timers) > 0 {
		e := l.timers[0]
		if e.when > now {
			return int(e.when - now)
		}
		heap.Pop(&l.timers)
		c := l.conns[e.fd]
		if c == nil || c.gen != e.gen || c.armed != e.when {
			continue // closed, reused, or superseded by an earlier entry
		}
		c.armed = 0
		if d := c.deadline(); d > now {
			l.arm(c)
			continue
		}
		l.timeout(c)
	}
	return -1
}
