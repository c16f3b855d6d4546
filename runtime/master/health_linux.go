package master

import (
	"os"
	"strconv"
	"sync/atomic"
)

// Health is what the master knows about the site's state, for the ops
// endpoint: read from any goroutine, written by the master's loop.
type Health struct {
	workers  atomic.Int32 // configured
	up       atomic.Int32 // workers that said they serve
	serving  atomic.Bool  // every listening socket open, workers started
	draining atomic.Bool  // TERM or INT received, or a successor took over
	restarts atomic.Uint64
	reloads  atomic.Uint64
	handed   chan struct{} // closed when a successor took over
	succ     bool          // this master is a reload's successor
}

// EnvReloads carries the count of reloads to a successor.
const EnvReloads = "HETAO_RELOADS"

func newHealth(workers int) *Health {
	h := &Health{handed: make(chan struct{}), succ: os.Getenv(EnvInherit) != ""}
	h.workers.Store(int32(workers))
	if n, err := strconv.ParseUint(os.Getenv(EnvReloads), 10, 64); err == nil {
		h.reloads.Store(n)
	}
	os.Unsetenv(EnvReloads)
	return h
}

// Live reports that the master runs (it answers at all).
func (h *Health) Live() bool { return true }

// Ready reports that the site takes traffic: its sockets are open, every
// worker serves, and it is not draining.
func (h *Health) Ready() bool {
	return h.serving.Load() && !h.draining.Load() && h.up.Load() >= h.workers.Load()
}

// Draining reports a stop or a handover in progress.
func (h *Health) Draining() bool { return h.draining.Load() }

// Workers gives the configured and the serving workers.
func (h *Health) Workers() (configured, up int) { return int(h.workers.Load()), int(h.up.Load()) }

// Restarts counts workers replaced after they died.
func (h *Health) Restarts() uint64 { return h.restarts.Load() }

// Reloads counts reloads that succeeded, across the masters of the site.
func (h *Health) Reloads() uint64 { return h.reloads.Load() }

// Successor reports that this master took over from another, whose
// sockets (the ops one included) are still open while it drains.
func (h *Health) Successor() bool { return h.succ }

// HandedOver is closed once a successor serves: the ops endpoint closes
// its socket so that only the new master answers.
func (h *Health) HandedOver() <-chan struct{} { return h.handed }
