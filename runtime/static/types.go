// Package static serves files from a website's root: safe path resolution,
// index files, the per-worker file cache kept fresh by inotify, precompressed
// variants, conditional and range requests.
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
