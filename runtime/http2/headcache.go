package http2

// The answer heads of a site repeat: a cached file's status and fields are
// the same bytes on every answer but for Date, which changes once a
// second. Once HPACK has every field of such a head in its dynamic table,
// the head encodes as indexes only, and those stay valid for as long as
// the table does not change: an indexed field adds nothing to it (RFC 7541
// §6.1). headCache keeps the last few such blocks by their HTTP/1 head, so
// that the next identical head is copied instead of being parsed,
// lower-cased and looked up field by field.
//
// The table changes only through our encoder's output: encBuffer counts
// (gen) every representation it is given that is not a plain index (a
// literal, which may insert, or a table size update), and the owner of the
// encoder bumps gen where it changes the table's size limit. A block is
// kept only if gen did not move while it was encoded, and used only while
// gen has not moved since.

// headCacheSize is the number of heads kept per connection: a page and a
// few of its assets' kinds.
const headCacheSize = 4

type headCache struct {
	e    [headCacheSize]headEntry
	next int // the entry to replace next
}

type headEntry struct {
	status int
	gen    uint64
	lines  []byte // the HTTP/1 field lines of the head
	block  []byte // their HPACK block, indexes only
}

// lookup returns the block for status and lines if it is still valid.
func (hc *headCache) lookup(status int, lines []byte, gen uint64) []byte {
	for i := range hc.e {
		e := &hc.e[i]
		if e.block != nil && e.gen == gen && e.status == status && string(e.lines) == string(lines) {
			return e.block
		}
	}
	return nil
}

// store keeps block as the encoding of status and lines at gen.
func (hc *headCache) store(status int, lines, block []byte, gen uint64) {
	e := &hc.e[hc.next]
	hc.next = (hc.next + 1) % headCacheSize
	e.status, e.gen = status, gen
	e.lines = append(e.lines[:0], lines...)
	e.block = append(e.block[:0], block...)
}
