package master

import (
	"strconv"
	"testing"
	"time"
)

func TestTicketRotation(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tk := &tickets{}
	step := func(at time.Duration, changed bool, n int) {
		t.Helper()
		c, err := tk.rotate(t0.Add(at))
		if err != nil || c != changed || len(tk.keys) != n {
			t.Fatalf("at %v: changed %v, %d keys, %v; want %v, %d", at, c, len(tk.keys), err, changed, n)
		}
	}
	step(0, true, 1)
	first := tk.keys[0].key
	step(11*time.Hour, false, 1)
	if next := tk.next(); !next.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("next rotation at %v", next)
	}
	step(12*time.Hour, true, 2) // a new key; the first still decrypts
	if tk.keys[1].key != first || tk.keys[0].key == first {
		t.Fatal("the new key is not first")
	}
	step(24*time.Hour, true, 3)
	step(35*time.Hour, false, 3)
	step(36*time.Hour, true, 3) // the first, replaced 24 h ago, is gone
	for _, k := range tk.keys {
		if k.key == first {
			t.Fatal("the first key is still accepted 24 h after it was replaced")
		}
	}
	if msg := tk.message(); len(msg) != 2+3*32 || msg[0] != 'K' || msg[1] != 3 {
		t.Errorf("message: %d bytes, % x…", len(msg), msg[:2])
	}
}

// A successor inherits the keys with their ages.
func TestTicketsInherited(t *testing.T) {
	tk := &tickets{}
	now := time.Now()
	tk.rotate(now.Add(-13 * time.Hour))
	tk.rotate(now)
	fd, err := tk.memfd()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvTicketFD, strconv.Itoa(fd))
	got := inheritTickets(t.Errorf)
	if len(got.keys) != 2 {
		t.Fatalf("inherited %d keys, want 2", len(got.keys))
	}
	for i, k := range got.keys {
		if k.key != tk.keys[i].key || !k.made.Equal(tk.keys[i].made) {
			t.Errorf("key %d: inherited made %v, want %v (or another key)", i, k.made, tk.keys[i].made)
		}
	}
	if changed, _ := got.rotate(now); changed {
		t.Error("inherited keys rotated at once")
	}
}
