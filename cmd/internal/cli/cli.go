// Package cli is hetaoc's command line; cmd/hetaoc/main.go only calls Main.
package cli

import (
	"fmt"
	"io"
)

const usage = `usage: hetaoc <command> [arguments]

commands:
  check [--no-fs] [--print] hetao.conf   validate a configuration
  build hetao.conf -o site                compile a configuration into a site binary
  gen hetao.conf -d DIR                   write the generated Go module to DIR
  version [hetao.conf]                    print hetaoc's version (and the configuration's hash)
`

// Main runs hetaoc with args (without the program name) and returns the exit
// code: 0 success, 1 errors in the input, 2 bad usage.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "check":
		return runCheck(args[1:], stdout, stderr)
	case "build":
		return runBuild(args[1:], stdout, stderr)
	case "gen":
		return runGen(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		return runVersion(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hetaoc: unknown command %q\n%s", args[0], usage)
	return 2
}
