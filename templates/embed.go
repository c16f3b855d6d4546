// Package templates holds the fixed files hetaoc copies or fills in: the
// default index page and minihetao's configuration. It imports nothing but
// embed; files whose shape depends on a configuration are generated with
// jennifer by package gen instead.
package templates

import "embed"

// FS holds every file of this directory but this one.
//
//go:embed index.html minihetao.conf
var FS embed.FS

// MinihetaoConf is the configuration cmd/minihetao is generated from.
const MinihetaoConf = "minihetao.conf"

// IndexPage is the default index page a new wwwroot starts with.
const IndexPage = "index.html"
