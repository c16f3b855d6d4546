// Package static finds and keeps the files of a website's root: safe path
// resolution, index files, the per-worker file cache kept fresh by inotify,
// the compressed variants of a cached file (indexed by http1.Coding) and the
// validators of each (ETag, Last-Modified), open descriptors of files too
// large for the cache. It does not answer requests: the 406 → 412 → 304 →
// 416/206 ladder of conditional and range requests is runtime/server's
// (static_answer.go), from what this package keeps.
package static

// MIME is the media type of one extension and whether it is worth
// compressing.
type MIME struct {
	Type     string
	Compress bool
}

// Root is one document root with its index files. Generated code declares
// one per website (and per location with its own wwwroot).
type Root struct {
	Dir   string   // may hold $VAR$; expanded when the site starts
	Index []string // tried in order in the requested directory, each "/name"

	dir  string // Dir expanded, as opened
	real string // dir with its symlinks resolved ("": unknown, no /proc)
	fd   int    // O_PATH descriptor of dir
	id   int    // index of the root in the site, for the per-worker cache
}
