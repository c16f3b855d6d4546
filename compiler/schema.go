package compiler

import (
	"sort"
	"strings"
)

// The schema: which keys each object of the configuration accepts. A key
// written "name{}" holds one object, "name[]" a list of objects (repeated
// keys or a JSON array), anything else one scalar. Keys outside the schema
// are errors, with a suggestion.

var schemas = map[string][]string{
	"":                {"worker_processes", "cpu_affinity", "accept_mutex", "error_log", "log_level", "user", "limits{}", "listen[]", "tcp_options{}", "http_options{}", "error_pages{}", "mime_types{}", "ssl{}", "server{}", "servers{}"},
	"limits":          {"max_http_session_count", "max_file_cache", "max_connections_per_ip", "max_headers_count", "max_headers_length", "max_header_content_length"},
	"listen":          {"ip", "port", "ssl{}", "website[]", "server[]"},
	"ssl":             {"certificate_file", "certificate_key_file"},
	"website":         {"domain", "wwwroot", "index", "access_log", "rewrite[]", "redirect[]", "forward{}", "location[]", "app{}"},
	"server":          {"domain", "wwwroot", "index", "access_log", "rewrite[]", "redirect[]", "forward{}", "location[]", "app{}", "forward_type", "forward_rule", "forward_servers{}"},
	"servers":         {"server[]"},
	"rewrite":         {"pattern", "new_uri", "new_url", "template"},
	"redirect":        {"domain", "new_domain", "code"},
	"forward":         {"forward_type", "forward_rule", "ssl{}", "forward_server[]", "forward_servers{}"},
	"forward_servers": {"forward_server[]"},
	"forward_server":  {"ip", "port"},
	"location":        {"prefix", "exact", "regex", "wwwroot", "index", "rewrite[]", "redirect[]", "forward{}", "app{}"},
	"app":             {"type", "package", "dir", "handler"},
	"tcp_options":     {"nodelay", "linger", "nolinger"},
	"http_options":    {"compress_on", "timeout", "elapse", "forward_disable"},
	"mime_types":      {"mime_type[]"},
	"mime_type":       {"type", "mime", "compress_enable"},
	"error_pages":     {}, // error_page_NNN, checked by name
	"listen(2016)":    {"ip", "port"},
}

type keyKind int

const (
	kScalar keyKind = iota
	kObject
	kList
)

func parseSchemaKey(s string) (string, keyKind) {
	switch {
	case strings.HasSuffix(s, "{}"):
		return s[:len(s)-2], kObject
	case strings.HasSuffix(s, "[]"):
		return s[:len(s)-2], kList
	}
	return s, kScalar
}

// keyHome maps each key to the sections that accept it, for "belongs in"
// hints.
var keyHome = func() map[string][]string {
	m := map[string][]string{}
	for sec, keys := range schemas {
		if strings.Contains(sec, "(") {
			continue
		}
		for _, k := range keys {
			name, _ := parseSchemaKey(k)
			m[name] = append(m[name], sec)
		}
	}
	for _, v := range m {
		sort.Strings(v)
	}
	return m
}()

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
