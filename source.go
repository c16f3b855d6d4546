// Package hetao holds the source of the runtime that every generated site
// is compiled against.
//
// This is the one place that can reach runtime/ as files: hetaoc embeds its
// own go.mod, go.sum and runtime/** here, and build.WriteModule copies them
// next to the generated main package, so `hetaoc build` works from any
// directory and offline once hetaoc itself was built. A site binary is
// therefore always built against the runtime of the hetaoc that built it.
package hetao

import "embed"

// Source is the module root of hetaoc as it was built: go.mod, go.sum and
// the runtime packages (tests and testdata included; build.WriteModule leaves
// those out).
//
//go:embed go.mod go.sum runtime
var Source embed.FS
