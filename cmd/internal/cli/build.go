package cli

import "io"

func runBuild(args []string, stdout, stderr io.Writer) int { panic("TODO") }

func runGen(args []string, stdout, stderr io.Writer) int { panic("TODO") }
