package metrics

import (
	"fmt"
	"os"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Region is the shared memory of every worker's slot. The master creates
// it and passes its descriptor to each worker it starts (Attach).
type Region struct {
	FD      int // memfd, close-on-exec: the master hands it down explicitly
	layout  Layout
	workers int
	mem     []byte
	v       []atomic.Uint64
}

// Create makes a region for workers slots of layout l.
func Create(l Layout, workers int) (*Region, error) {
	fd, err := unix.MemfdCreate("hetao-metrics", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	size := l.words() * 8 * workers
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("ftruncate", err)
	}
	r, err := mapRegion(fd, l, workers)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	return r, nil
}

func mapRegion(fd int, l Layout, workers int) (*Region, error) {
	size := l.words() * 8 * workers
	mem, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, os.NewSyscallError("mmap", err)
	}
	v := unsafe.Slice((*atomic.Uint64)(unsafe.Pointer(unsafe.SliceData(mem))), size/8)
	return &Region{FD: fd, layout: l, workers: workers, mem: mem, v: v}, nil
}

// Attach maps the region passed down as fd and returns slot's counters.
// The mapping lives as long as the worker.
func Attach(fd, slot int, l Layout) (*Worker, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, os.NewSyscallError("fstat", err)
	}
	stride := int64(l.words() * 8)
	workers := int(st.Size / stride)
	if st.Size%stride != 0 || slot < 0 || slot >= workers {
		return nil, fmt.Errorf("metrics: slot %d in a region of %d bytes (%d per worker): not this site's", slot, st.Size, stride)
	}
	r, err := mapRegion(fd, l, workers)
	if err != nil {
		return nil, err
	}
	unix.Close(fd) // the mapping stays
	return r.Worker(slot), nil
}

// Worker is slot's counters in the region.
func (r *Region) Worker(slot int) *Worker {
	n := r.layout.words()
	return &Worker{v: r.v[slot*n : (slot+1)*n], websites: r.layout.Websites}
}

// Snapshot sums every slot. Counters read while workers add to them are
// each exact at some instant; the snapshot as a whole is not atomic, as
// no scrape is.
func (r *Region) Snapshot() *Snapshot {
	n := r.layout.words()
	s := &Snapshot{Layout: r.layout, v: make([]uint64, n), PerWorker: make([]uint64, r.workers)}
	for w := 0; w < r.workers; w++ {
		var requests uint64
		for i := 0; i < n; i++ {
			x := r.v[w*n+i].Load()
			s.v[i] += x
			if i >= nFixed && i < nFixed+(r.layout.Websites+1)*perSite && (i-nFixed)%perSite < classes {
				requests += x
			}
		}
		s.PerWorker[w] = requests
	}
	return s
}

// Snapshot is the sum of every worker's counters.
type Snapshot struct {
	Layout    Layout
	PerWorker []uint64 // requests answered by each worker slot
	v         []uint64
}

// Conns is the open connections of every worker.
func (s *Snapshot) Conns() uint64 { return s.v[cConns] }

// Cache gives the file cache's hits, misses and bytes held.
func (s *Snapshot) Cache() (hits, misses, bytes uint64) {
	return s.v[cCacheHits], s.v[cCacheMisses], s.v[cCacheBytes]
}

// Variants is the compressed variants served, by encoding index.
func (s *Snapshot) Variants() [encodings]uint64 {
	var out [encodings]uint64
	copy(out[:], s.v[cVariants:cVariants+encodings])
	return out
}

// TLS gives completed and failed handshakes.
func (s *Snapshot) TLS() (ok, failed uint64) { return s.v[cTLSHandshakes], s.v[cTLSFailures] }

// Requests is website's answers by status class (index 0 is 1xx) and its
// body bytes; website Layout.Websites is the requests no website took.
func (s *Snapshot) Requests(website int) (byClass [classes]uint64, bytes uint64) {
	base := nFixed + website*perSite
	copy(byClass[:], s.v[base:base+classes])
	return byClass, s.v[base+classes]
}

// Backend is one backend's counters, summed over the workers (Disabled:
// how many workers skip it now).
type Backend struct {
	Requests, Failures, Disabled uint64
	Buckets                      [len(Buckets) + 1]uint64 // per bucket, not cumulative; the last is +Inf
	SumMs, Count                 uint64
}

// Backend gives backend b's counters.
func (s *Snapshot) Backend(b int) Backend {
	base := nFixed + (s.Layout.Websites+1)*perSite + b*perBackend
	var out Backend
	out.Requests, out.Failures, out.Disabled = s.v[base+bRequests], s.v[base+bFailures], s.v[base+bDisabled]
	copy(out.Buckets[:], s.v[base+bBuckets:base+bBuckets+len(Buckets)+1])
	out.SumMs, out.Count = s.v[base+bSum], s.v[base+bCount]
	return out
}
