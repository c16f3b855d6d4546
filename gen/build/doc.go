// Package build assembles the Go source package gen emits into a complete
// module and compiles it into a site binary:
//
//	module.go    WriteModule: go.mod, go.sum, the embedded runtime source and the
//	             generated files in one directory; WriteFiles: the generated files alone
//	appmod.go    the go.mod and go.sum of that module: hetaoc's own, plus the modules
//	             of the site's apps (golang.org/x/mod/modfile and semver)
//	build.go     Build: generate, write the module, run `go build` offline-safe
//	buildmap.go  a failed `go build`, reported at the configuration line it came from
//
// It validates nothing: the compiler has checked the configuration and
// resolved each app's module (compiler.App.Module, ModuleDir); what can
// still fail here is I/O and the go command.
package build
