package server

import (
	"time"

	"github.com/hetaoc/hetao/runtime/logs"
	"github.com/hetaoc/hetao/runtime/master"
)

// Session resumption across workers: the master makes the session-ticket
// keys and hands the same to every worker (runtime/master/tickets_linux.go),
// so a ticket one worker issued resumes on any other, and after a reload.
// A worker waits for its first keys before it serves; a site run in one
// process (Start) keeps crypto/tls's own keys, which it rotates itself.

// firstKeysWait bounds the wait for the master's first keys, which it
// writes before the worker even runs: only a broken master is waited for.
const firstKeysWait = 5 * time.Second

// firstTicketKeys is the keys the master gave this worker at its start,
// or nil (crypto/tls's own keys then) if none came.
func firstTicketKeys(w *master.Worker) [][32]byte {
	select {
	case keys := <-w.Tickets:
		return keys
	case <-time.After(firstKeysWait):
		logs.Warnf("worker %d: no session-ticket keys from the master; a session resumes only on the worker that made it", w.Slot)
		return nil
	}
}

// setTicketKeys makes keys (newest first: it encrypts, all decrypt) the
// session-ticket keys of every TLS listen. Handshakes in progress may
// read them meanwhile: crypto/tls guards them.
func (rt *runtimeState) setTicketKeys(keys [][32]byte) {
	if len(keys) == 0 {
		return
	}
	for _, cfg := range rt.tls {
		cfg.SetSessionTicketKeys(keys)
	}
}
