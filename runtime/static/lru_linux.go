package static

import (
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
	"golang.org/x/sys/unix"
)

// Bounds of one cache, chosen when it is made (see NewCache and the README's
// "File cache"): the in-memory bodies and their variants share a byte
// budget, the files kept open a count; each kind is evicted least recently
// used first when over its bound, and an open file unused for inactiveSecs is
// closed by Tick.
const (
	defaultMaxBytes = 64 << 20 // or 8 × max_file_cache when that is more
	maxOpenCap      = 1000     // open files per cache, at most: nginx's open_file_cache max=
	inactiveSecs    = 60       // nginx's open_file_cache inactive=
	entryOverhead   = 512      // what an entry costs beyond its bytes: struct, map slot, strings
)

// lru is a doubly linked list of entries, most recently used at head. Moving
// an entry to the front is a few pointer writes: no allocation, no lock.
type lru struct {
	head, tail *Entry
	n          int
	bytes      int64
}

func (l *lru) pushFront(en *Entry) {
	en.prev, en.next = nil, l.head
	if l.head != nil {
		l.head.prev = en
	} else {
		l.tail = en
	}
	l.head = en
	l.n++
	l.bytes += en.cost
	en.list = l
}

func (l *lru) unlink(en *Entry) {
	if en.prev != nil {
		en.prev.next = en.next
	} else {
		l.head = en.next
	}
	if en.next != nil {
		en.next.prev = en.prev
	} else {
		l.tail = en.prev
	}
	en.prev, en.next, en.list = nil, nil, nil
	l.n--
	l.bytes -= en.cost
}

func (l *lru) toFront(en *Entry) {
	if l.head == en {
		return
	}
	// en is not head, so en.prev is set.
	en.prev.next = en.next
	if en.next != nil {
		en.next.prev = en.prev
	} else {
		l.tail = en.prev
	}
	en.prev, en.next = nil, l.head
	l.head.prev = en
	l.head = en
}

// openLimit is the number of files one cache keeps open: a quarter of the
// soft open-files limit, at most maxOpenCap, leaving the rest to
// connections and backends.
func openLimit() int {
	var r unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &r) != nil {
		return 64
	}
	if r.Cur == unix.RLIM_INFINITY || r.Cur/4 >= maxOpenCap {
		return maxOpenCap
	}
	return int(r.Cur / 4)
}

// SetLimits changes the cache's bounds: maxBytes for the bodies held in
// memory with their variants, maxOpen for the files kept open (0: none is
// kept; each is closed after its response). What is over them is evicted.
func (c *Cache) SetLimits(maxBytes int64, maxOpen int) {
	c.maxBytes, c.maxOpen = maxBytes, maxOpen
	c.trim()
}

// Tick advances the cache's clock (whole seconds; a hit records it, so a
// hit makes no system call) and closes the open files no request has used
// for inactiveSecs. The owner's loop calls it once a second; it costs
// nothing when no file has expired, as the least recently used is last.
func (c *Cache) Tick(now time.Time) {
	c.now = now.Unix()
	for en := c.files.tail; en != nil && c.now-en.lastUse >= inactiveSecs; {
		prev := en.prev
		c.evict(en)
		en = prev
	}
}

// Stats reports what the cache holds: the entries in memory and their
// bytes (with variants and overhead), and the files it keeps open.
func (c *Cache) Stats() (memEntries int, memBytes int64, openFiles int) {
	return c.mem.n, c.mem.bytes, c.files.n
}

// admit links a newly stored entry into its list and evicts what is over
// the bounds.
func (c *Cache) admit(en *Entry) {
	en.lastUse = c.now
	en.cost = entryOverhead
	for _, k := range en.names {
		en.cost += int64(len(k))
	}
	if en.File != nil {
		c.files.pushFront(en)
	} else {
		for e := range http1.NumCodings {
			en.cost += int64(len(en.body[e]) + len(en.hdr[e]))
		}
		c.mem.pushFront(en)
	}
	c.trim()
}

// grew accounts n more bytes of en (a variant built on first use).
func (c *Cache) grew(en *Entry, n int64) {
	if en.list != &c.mem {
		return // no longer cached
	}
	en.cost += n
	c.mem.bytes += n
	c.trim()
}

func (c *Cache) trim() {
	for c.mem.bytes > c.maxBytes && c.mem.tail != nil {
		c.evict(c.mem.tail)
	}
	for c.files.n > c.maxOpen && c.files.tail != nil {
		c.evict(c.files.tail)
	}
}

// evict drops en from the cache. A body still being written is a slice
// the response holds; a file still being sent is closed when released.
func (c *Cache) evict(en *Entry) {
	if m := c.roots[en.root]; m != nil && len(en.names) > 0 {
		c.remove(m, en.names[0])
	} else if en.list != nil {
		en.list.unlink(en)
	}
}

// shedFile closes the least recently used open file no response is sending
// from, to free a descriptor; false when there is none.
func (c *Cache) shedFile() bool {
	for en := c.files.tail; en != nil; en = en.prev {
		if en.File.refs == 0 {
			c.evict(en)
			return true
		}
	}
	return false
}
