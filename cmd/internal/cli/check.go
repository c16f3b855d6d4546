package cli

import "io"

func runCheck(args []string, stdout, stderr io.Writer) int { panic("TODO") }
