package master

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Session-ticket keys: a TLS session ticket is encrypted with a key of
// the server's; a client resuming on another worker process is resumed
// only if that worker has the key too. So the master makes the keys and
// every worker uses the same: the newest encrypts, all of them decrypt.
// A new key is made every TicketRotate; a key replaced is still accepted
// for TicketAccept, then forgotten (tickets outlive neither: forward
// secrecy holds after TicketRotate+TicketAccept). The keys never touch
// the disk: workers get them on their control socket ('K', a count, then
// the 32-byte keys, newest first) when they start and after each
// rotation; a successor (SIGUSR2) inherits them, with their ages, in a
// memfd named by HETAO_TICKET_FD, so tickets issued before a reload
// resume after it.

// EnvTicketFD names a successor's inherited descriptor of the keys.
const EnvTicketFD = "HETAO_TICKET_FD"

// Rotation periods, variables for tests.
var (
	TicketRotate = 12 * time.Hour
	TicketAccept = 24 * time.Hour
)

type ticketKey struct {
	key  [32]byte
	made time.Time
}

// tickets are the keys, newest first. The supervisor rotates them while
// a successor may be starting: mu guards them.
type tickets struct {
	mu   sync.Mutex
	keys []ticketKey
}

// inheritTickets takes the keys a previous master handed down, else
// starts with none (rotate then makes the first).
func inheritTickets(errorf func(string, ...any)) *tickets {
	t := &tickets{}
	s, ok := os.LookupEnv(EnvTicketFD)
	if !ok {
		return t
	}
	os.Unsetenv(EnvTicketFD)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return t
	}
	defer unix.Close(fd)
	var b [4096]byte
	n, err := unix.Pread(fd, b[:], 0)
	if err != nil {
		errorf("session-ticket keys from the previous master: %v", os.NewSyscallError("pread", err))
		return t
	}
	for rec := b[:n]; len(rec) >= 40; rec = rec[40:] {
		k := ticketKey{made: time.Unix(0, int64(binary.BigEndian.Uint64(rec)))}
		copy(k.key[:], rec[8:40])
		t.keys = append(t.keys, k)
	}
	return t
}

// rotate makes a new key when the newest is TicketRotate old (or there is
// none) and forgets those replaced more than TicketAccept ago. It reports
// whether the keys changed.
func (t *tickets) rotate(now time.Time) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	changed := false
	if len(t.keys) == 0 || now.Sub(t.keys[0].made) >= TicketRotate {
		k := ticketKey{made: now}
		if _, err := rand.Read(k.key[:]); err != nil {
			return false, fmt.Errorf("session-ticket key: %w", err)
		}
		t.keys = append([]ticketKey{k}, t.keys...)
		changed = true
	}
	for i := 1; i < len(t.keys); i++ {
		// Key i was replaced when key i-1 was made.
		if now.Sub(t.keys[i-1].made) >= TicketAccept {
			t.keys = t.keys[:i]
			changed = true
			break
		}
	}
	return changed, nil
}

// next is when rotate has work next.
func (t *tickets) next() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	at := t.keys[0].made.Add(TicketRotate)
	if len(t.keys) > 1 {
		if drop := t.keys[len(t.keys)-2].made.Add(TicketAccept); drop.Before(at) {
			at = drop
		}
	}
	return at
}

// message is the control-socket message giving a worker the keys.
func (t *tickets) message() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := min(len(t.keys), 255)
	b := make([]byte, 0, 2+32*n)
	b = append(b, 'K', byte(n))
	for _, k := range t.keys[:n] {
		b = append(b, k.key[:]...)
	}
	return b
}

// memfd writes the keys with their ages into a memory file for a
// successor; the caller closes it.
func (t *tickets) memfd() (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fd, err := unix.MemfdCreate("hetao-tickets", unix.MFD_CLOEXEC)
	if err != nil {
		return -1, os.NewSyscallError("memfd_create", err)
	}
	var b []byte
	for _, k := range t.keys {
		b = binary.BigEndian.AppendUint64(b, uint64(k.made.UnixNano()))
		b = append(b, k.key[:]...)
	}
	if _, err := unix.Write(fd, b); err != nil {
		unix.Close(fd)
		return -1, os.NewSyscallError("write", err)
	}
	return fd, nil
}
