package metrics

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestRegionSumsWorkers: two slots of one region, the second reached
// through its descriptor as a worker process reaches it, summed by the
// master's snapshot.
func TestRegionSumsWorkers(t *testing.T) {
	l := Layout{Websites: 2, Backends: 1}
	r, err := Create(l, 2)
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(r.FD)
	if err != nil {
		t.Fatal(err)
	}
	w1, err := Attach(fd, 1, l)
	if err != nil {
		t.Fatal(err)
	}
	w0 := r.Worker(0)
	w0.Request(0, 200, 100)
	w0.Request(1, 404, 10)
	w1.Request(0, 204, 0)
	w1.Request(-1, 421, 5) // no website
	w1.Request(7, 500, 1)  // out of range: counted as no website
	w0.CacheHit()
	w1.CacheMiss()
	w1.Variant(Gzip)
	w0.TLSHandshake(true)
	w1.TLSHandshake(false)
	w0.UpstreamRequest(0)
	w1.UpstreamRequest(0)
	w1.UpstreamFailure(0)
	w0.UpstreamLatency(0, 3)   // first bucket
	w1.UpstreamLatency(0, 7)   // second
	w1.UpstreamLatency(0, 1e6) // +Inf
	w0.UpstreamDisabled(0, true)
	w0.Gauges(3, 1000)
	w1.Gauges(2, 500)

	s := r.Snapshot()
	if c, b := s.Requests(0); c != [classes]uint64{0, 2, 0, 0, 0} || b != 100 {
		t.Errorf("website 0: %v %d", c, b)
	}
	if c, b := s.Requests(1); c[3] != 1 || b != 10 {
		t.Errorf("website 1: %v %d", c, b)
	}
	if c, b := s.Requests(2); c[3] != 1 || c[4] != 1 || b != 6 {
		t.Errorf("no website: %v %d", c, b)
	}
	if s.PerWorker[0] != 2 || s.PerWorker[1] != 3 {
		t.Errorf("per worker %v", s.PerWorker)
	}
	if h, m, bytes := s.Cache(); h != 1 || m != 1 || bytes != 1500 {
		t.Errorf("cache %d %d %d", h, m, bytes)
	}
	if s.Conns() != 5 || s.Variants()[Gzip] != 1 {
		t.Errorf("conns %d variants %v", s.Conns(), s.Variants())
	}
	if ok, failed := s.TLS(); ok != 1 || failed != 1 {
		t.Errorf("tls %d %d", ok, failed)
	}
	b := s.Backend(0)
	if b.Requests != 2 || b.Failures != 1 || b.Disabled != 1 || b.Count != 3 || b.SumMs != 1e6+10 ||
		b.Buckets[0] != 1 || b.Buckets[1] != 1 || b.Buckets[len(Buckets)] != 1 {
		t.Errorf("backend %+v", b)
	}
	if _, err := Attach(r.FD, 2, l); err == nil {
		t.Error("slot 2 of 2 attached")
	}
	if _, err := Attach(r.FD, 0, Layout{Websites: 3}); err == nil {
		t.Error("a region of another layout attached")
	}
}

// TestWordsKeepWorkersApart: slots are whole 64-byte lines.
func TestWordsKeepWorkersApart(t *testing.T) {
	for _, l := range []Layout{{}, {Websites: 1}, {Websites: 3, Backends: 5}} {
		if l.words()%8 != 0 {
			t.Errorf("%+v: %d words", l, l.words())
		}
	}
}
