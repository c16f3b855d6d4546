package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/hetaoc/hetao/compiler"
)

const checkUsage = `usage: hetaoc check [--no-fs] [--print] hetao.conf

  --no-fs   skip the checks that look at the file system (wwwroot,
            error pages, certificates, application directories)
  --print   print the configuration with every default filled in
`

// runCheck validates a configuration. Diagnostics go to stderr; a clean
// configuration prints "FILE: ok" to stdout, and with --print the
// normalised configuration after it (the ok line is then a // comment, so
// stdout stays a loadable configuration). Exit codes: 0 clean (warnings
// allowed), 1 errors, 2 usage.
func runCheck(args []string, stdout, stderr io.Writer) int {
	var opt compiler.Options
	var print bool
	var files []string
	for i, a := range args {
		switch a {
		case "--no-fs", "-no-fs":
			opt.NoFS = true
		case "--print", "-print":
			print = true
		case "-h", "--help", "-help":
			fmt.Fprint(stdout, checkUsage)
			return 0
		case "--":
			files = append(files, args[i+1:]...)
		default:
			if strings.HasPrefix(a, "-") && a != "-" {
				fmt.Fprintf(stderr, "hetaoc check: unknown flag %s\n%s", a, checkUsage)
				return 2
			}
			files = append(files, a)
			continue
		}
		if a == "--" {
			break
		}
	}
	if len(files) != 1 {
		fmt.Fprintf(stderr, "hetaoc check: want one configuration file, got %d\n%s", len(files), checkUsage)
		return 2
	}
	file := files[0]
	cfg, diags := compiler.Load(file, opt)
	warnings := 0
	for _, d := range diags {
		fmt.Fprintln(stderr, d)
		if d.Severity == compiler.Warning {
			warnings++
		}
	}
	if compiler.HasErrors(diags) || cfg == nil {
		errs := len(diags) - warnings
		fmt.Fprintf(stderr, "%s: %d error%s\n", file, errs, plural(errs))
		return 1
	}
	ok := file + ": ok"
	if warnings > 0 {
		ok += fmt.Sprintf(" (%d warning%s)", warnings, plural(warnings))
	}
	if print {
		fmt.Fprintf(stdout, "// %s\n", ok)
		compiler.Print(stdout, cfg)
		return 0
	}
	fmt.Fprintln(stdout, ok)
	return 0
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
