// Command hetaoc compiles a hetao configuration into a site binary.
package main

import (
	"os"

	"github.com/hetaoc/hetao/cmd/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
