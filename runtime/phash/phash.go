// Package phash is the perfect hash shared by the generator and the site
// binary: hetaoc builds tables with Build, generated code embeds them as
// literals, and the running site looks keys up with Table.Index. Both sides
// call the same Hash, so they can never disagree.
//
// The scheme is hash-and-displace (CHD): a key's bucket is Hash(key, 0), and
// every bucket owns one seed that sends its keys to distinct free slots.
// Seeds are searched upward from 0, so Build is deterministic.
package phash

import (
	"errors"
	"fmt"
	"sort"
)

// Table is a perfect hash table over a fixed set of keys.
type Table struct {
	Seeds []uint32 // one per bucket
	Keys  []string // slot → key; "" marks a free slot
	Fold  bool     // ASCII case-insensitive keys (stored lower-case)
}

// Hash is FNV-1a over the key (ASCII-lower-cased when fold is set), started
// from seed and finished with murmur3's avalanche.
func Hash[T ~string | ~[]byte](key T, seed uint32, fold bool) uint32 {
	h := uint32(2166136261) ^ (seed * 0x9e3779b9)
	for i := 0; i < len(key); i++ {
		c := key[i]
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		h ^= uint32(c)
		h *= 16777619
	}
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// Index returns the slot of key, or -1 when key is not in the table.
// It does not allocate.
func (t *Table) Index(key []byte) int {
	if len(key) == 0 || len(t.Keys) == 0 {
		return -1
	}
	b := Hash(key, 0, t.Fold) % uint32(len(t.Seeds))
	s := int(Hash(key, t.Seeds[b]+1, t.Fold) % uint32(len(t.Keys)))
	if equal(t.Keys[s], key, t.Fold) {
		return s
	}
	return -1
}

func equal(k string, key []byte, fold bool) bool {
	if len(k) != len(key) {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if fold && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if k[i] != c {
			return false
		}
	}
	return true
}

// maxSeed bounds the search for one bucket's seed before Build grows the
// table by one slot and starts again.
const maxSeed = 1 << 16

// Build makes a table over keys, which must be distinct (after folding) and
// non-empty. The result depends only on the set of keys.
func Build(keys []string, fold bool) (Table, error) {
	norm := make([]string, len(keys))
	seen := make(map[string]bool, len(keys))
	for i, k := range keys {
		if k == "" {
			return Table{}, errors.New("phash: empty key")
		}
		if fold {
			k = lower(k)
		}
		if seen[k] {
			return Table{}, fmt.Errorf("phash: duplicate key %q", k)
		}
		seen[k] = true
		norm[i] = k
	}
	sort.Strings(norm)
	if len(norm) == 0 {
		return Table{Fold: fold}, nil
	}
	for slots := len(norm); ; slots++ {
		if t, ok := try(norm, slots, fold); ok {
			return t, nil
		}
	}
}

func try(keys []string, slots int, fold bool) (Table, bool) {
	nb := (len(keys) + 1) / 2
	buckets := make([][]string, nb)
	for _, k := range keys {
		b := Hash(k, 0, fold) % uint32(nb)
		buckets[b] = append(buckets[b], k)
	}
	order := make([]int, nb)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return len(buckets[order[i]]) > len(buckets[order[j]]) })

	t := Table{Seeds: make([]uint32, nb), Keys: make([]string, slots), Fold: fold}
	used := make([]bool, slots)
	pos := make([]int, 0, 8)
	for _, b := range order {
		if len(buckets[b]) == 0 {
			continue
		}
		found := false
		for seed := uint32(0); seed < maxSeed && !found; seed++ {
			pos = pos[:0]
			found = true
			for _, k := range buckets[b] {
				s := int(Hash(k, seed+1, fold) % uint32(slots))
				if used[s] || contains(pos, s) {
					found = false
					break
				}
				pos = append(pos, s)
			}
			if found {
				t.Seeds[b] = seed
				for i, k := range buckets[b] {
					used[pos[i]] = true
					t.Keys[pos[i]] = k
				}
			}
		}
		if !found {
			return Table{}, false
		}
	}
	return t, true
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Lower is s folded as a Fold table folds its keys: ASCII letters only,
// so that the generator names a key exactly as Build stores it.
func Lower(s string) string { return lower(s) }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
