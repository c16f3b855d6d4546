package server

import (
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

// TestCachedGETInEveryCodingAllocatesNothing: once built, the zstd and br
// variants are served as the gzip one is, without an allocation.
func TestCachedGETInEveryCodingAllocatesNothing(t *testing.T) {
	h := newHarness(t)
	root := h.c.ln.Hosts.Default.Root
	for _, c := range []struct{ ae, coding string }{{"zstd", "zstd"}, {"br", "br"}, {"gzip, deflate, br, zstd", "zstd"}, {"gzip, deflate, br", "br"}} {
		req := "GET /press.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: " + c.ae + "\r\n\r\n"
		h.do([]byte(req))
		en := h.l.cache.Lookup(root, []byte("/press.html"))
		deadline := time.Now().Add(10 * time.Second)
		for !en.Has(http1.CodingBrotli) { // built off the loop
			if time.Now().After(deadline) {
				t.Fatal("no br variant after 10s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		if got := h.answer(t, req); !strings.Contains(got, "\r\nContent-Encoding: "+c.coding+"\r\n") {
			t.Errorf("%q: %.300q", c.ae, got)
		}
		b := []byte(req)
		if n := testing.AllocsPerRun(200, func() { h.do(b) }); n != 0 {
			t.Errorf("%q: %v allocations per request", c.ae, n)
		}
	}
}
