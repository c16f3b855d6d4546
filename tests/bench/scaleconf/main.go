// Command scaleconf writes a configuration with many rewrite rules, the
// shape a site migration leaves behind, to measure how hetaoc build scales:
//
//	go run ./tests/bench/scaleconf -literal 20000 -regex 2000 -dir /tmp/scale
//	/usr/bin/time -v hetaoc build /tmp/scale/hetao.conf -o /tmp/scale/site
//
// Literal rules are exact old → new paths (`^/old/p17\.html$`); every
// -every'th rule is a regexp with groups instead, so literal and regexp
// rules interleave as a real map does.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	literal := flag.Int("literal", 20000, "literal (exact) rewrite rules")
	regex := flag.Int("regex", 2000, "regexp rewrite rules")
	dir := flag.String("dir", "", "directory to write hetao.conf and www/ into")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: scaleconf [-literal N] [-regex N] -dir DIR")
		os.Exit(2)
	}
	if err := write(*dir, *literal, *regex); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(dir string, literal, regex int) error {
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "index.html"), []byte("<h1>scale</h1>\n"), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "hetao.conf"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "// %d literal and %d regexp rewrites, interleaved.\n{\n", literal, regex)
	fmt.Fprintf(w, "\t\"listen\" : { \"ip\" : \"127.0.0.1\", \"port\" : 8080, \"website\" : {\n\t\t\"domain\" : \"\", \"wwwroot\" : \"www\", \"index\" : \"/index.html\",\n")
	total := literal + regex
	every := 0
	if regex > 0 {
		every = total / regex
	}
	l, r := 0, 0
	for i := 0; i < total; i++ {
		sep := ","
		if i == total-1 {
			sep = ""
		}
		if r < regex && (l == literal || every > 0 && i%every == every-1) {
			fmt.Fprintf(w, "\t\t\"rewrite\" : { \"pattern\" : \"^/r%d/([a-z]+)/([0-9]+)$\", \"new_uri\" : \"/n%d/$2/$1\" }%s\n", r, r, sep)
			r++
			continue
		}
		fmt.Fprintf(w, "\t\t\"rewrite\" : { \"pattern\" : \"^/old/p%d\\\\.html$\", \"new_uri\" : \"/new/p%d.html\" }%s\n", l, l, sep)
		l++
	}
	fmt.Fprintf(w, "\t} }\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
