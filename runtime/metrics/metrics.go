// Package metrics holds a site's counters where the master can read them
// without asking the workers: one shared memory region (memfd, mmap'd
// MAP_SHARED) with a slot of counters per worker. A worker's event loop is
// the only writer of its slot and adds to it with plain atomic adds, no
// lock and no system call; the master, serving a scrape, sums the slots.
// A replaced worker takes over its slot, so counters never go back; a
// reload starts a new region (Prometheus sees a counter reset).
//
// The package uses the standard library and x/sys/unix only: the text
// format is written by runtime/ops, linked only into sites that have an
// ops listen.
package metrics

import (
	"sync/atomic"
)

// Buckets are the upper bounds, in milliseconds, of the upstream latency
// histogram; a last, implicit bucket is +Inf.
var Buckets = [...]int64{5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000}

// Status classes counted per website: 1xx … 5xx.
const classes = 5

// Encodings of compressed variants served.
const (
	Gzip = iota
	Deflate
	Brotli
	Zstd
	encodings
)

// EncodingNames are the encodings' names, by index.
var EncodingNames = [encodings]string{"gzip", "deflate", "br", "zstd"}

// Fixed counters of a slot, before the per-website and per-backend ones.
const (
	cConns         = iota // gauge: open connections
	cCacheHits            // answers from the file cache
	cCacheMisses          // lookups the cache did not answer
	cCacheBytes           // gauge: bytes the cache holds
	cTLSHandshakes        // completed
	cTLSFailures          // failed handshakes
	cVariants             // encodings counters start here
	nFixed         = cVariants + encodings
)

// Per website (and one more for requests no website took): requests by
// class, then bytes sent.
const perSite = classes + 1

// Per backend: requests, failures, disabled (gauge), latency buckets,
// then the sum of latencies in ms and their count.
const (
	bRequests = iota
	bFailures
	bDisabled
	bBuckets
	bSum   = bBuckets + len(Buckets) + 1
	bCount = bSum + 1
	perBackend
)

// Layout is the shape of one worker's slot.
type Layout struct {
	Websites int // request counters for websites 0..Websites-1, and Websites for none
	Backends int // backends of every upstream, numbered in order
}

// words is the number of counters in a slot, rounded up to a whole
// number of 64-byte lines so that two workers never share one.
func (l Layout) words() int {
	n := nFixed + (l.Websites+1)*perSite + l.Backends*perBackend
	return (n + 7) &^ 7
}

// Worker is one worker's slot. Its methods are called by that worker's
// loop (TLSHandshake also from handshake goroutines: every update is an
// atomic add or store). A nil *Worker counts nothing.
type Worker struct {
	v        []atomic.Uint64
	websites int
}

// NewWorker is a slot in ordinary memory, for a site run in one process
// (tests); Region.Worker gives one in the shared region.
func NewWorker(l Layout) *Worker {
	return &Worker{v: make([]atomic.Uint64, l.words()), websites: l.Websites}
}

// Request counts an answer of website (-1: none took it) with status and
// body bytes.
func (w *Worker) Request(website, status int, bytes int64) {
	if w == nil {
		return
	}
	if website < 0 || website > w.websites {
		website = w.websites
	}
	base := nFixed + website*perSite
	if c := status/100 - 1; c >= 0 && c < classes {
		w.v[base+c].Add(1)
	}
	if bytes > 0 {
		w.v[base+classes].Add(uint64(bytes))
	}
}

// CacheHit and CacheMiss count file cache lookups.
func (w *Worker) CacheHit() {
	if w != nil {
		w.v[cCacheHits].Add(1)
	}
}

func (w *Worker) CacheMiss() {
	if w != nil {
		w.v[cCacheMisses].Add(1)
	}
}

// Variant counts a compressed variant served (Gzip …).
func (w *Worker) Variant(enc int) {
	if w == nil {
		return
	}
	if enc >= 0 && enc < encodings {
		w.v[cVariants+enc].Add(1)
	}
}

// TLSHandshake counts a handshake that completed or failed.
func (w *Worker) TLSHandshake(ok bool) {
	if w == nil {
		return
	}
	if ok {
		w.v[cTLSHandshakes].Add(1)
	} else {
		w.v[cTLSFailures].Add(1)
	}
}

// Gauges sets the worker's open connections and cache bytes.
func (w *Worker) Gauges(conns, cacheBytes int64) {
	if w == nil {
		return
	}
	w.v[cConns].Store(uint64(max(conns, 0)))
	w.v[cCacheBytes].Store(uint64(max(cacheBytes, 0)))
}

func (w *Worker) backend(b int) int { return nFixed + (w.websites+1)*perSite + b*perBackend }

// UpstreamRequest counts a request sent to backend b.
func (w *Worker) UpstreamRequest(b int) {
	if w == nil {
		return
	}
	w.v[w.backend(b)+bRequests].Add(1)
}

// UpstreamFailure counts a backend that refused, broke or timed out.
func (w *Worker) UpstreamFailure(b int) {
	if w == nil {
		return
	}
	w.v[w.backend(b)+bFailures].Add(1)
}

// UpstreamDisabled sets whether this worker skips backend b.
func (w *Worker) UpstreamDisabled(b int, down bool) {
	if w == nil {
		return
	}
	v := uint64(0)
	if down {
		v = 1
	}
	w.v[w.backend(b)+bDisabled].Store(v)
}

// UpstreamLatency observes one exchange with backend b that took ms.
func (w *Worker) UpstreamLatency(b int, ms int64) {
	if w == nil {
		return
	}
	base := w.backend(b)
	i := 0
	for i < len(Buckets) && ms > Buckets[i] {
		i++
	}
	w.v[base+bBuckets+i].Add(1)
	w.v[base+bSum].Add(uint64(max(ms, 0)))
	w.v[base+bCount].Add(1)
}
