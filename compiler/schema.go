package compiler

import (
	"sort"
	"strings"
)

// The schema: which keys each object of the configuration accepts comes
// from the key table (keys.go). A key holds one object (kObject), a list
// of objects (kList: repeated keys or a JSON array), or one scalar. Keys
// outside the schema are errors, with a suggestion.

type keyKind int

const (
	kScalar keyKind = iota
	kObject
	kList
)

// keyHome maps each key to the sections that accept it, for "belongs in"
// hints.
var keyHome map[string][]string

func homesOf(schemas map[string]map[string]keyKind) map[string][]string {
	m := map[string][]string{}
	for sec, keys := range schemas {
		if strings.Contains(sec, "(") {
			continue
		}
		for name := range keys {
			m[name] = append(m[name], sec)
		}
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}

// suggest returns the key of valid closest to key, or "".
func suggest(key string, valid []string) string {
	best, bestD := "", 1<<30
	for _, v := range valid {
		if strings.EqualFold(v, key) {
			return v
		}
		d := editDistance(strings.ToLower(key), strings.ToLower(v))
		if d < bestD {
			best, bestD = v, d
		}
	}
	limit := 2
	if n := len(key) / 3; n > limit {
		limit = n
	}
	if bestD <= limit {
		return best
	}
	for _, v := range valid {
		if len(key) >= 4 && (strings.HasPrefix(v, key) || strings.HasPrefix(key, v) && len(v) >= 4) {
			return v
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
