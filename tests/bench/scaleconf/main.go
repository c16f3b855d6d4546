// Command scaleconf writes a configuration with many rewrite rules, the
// shape a site migration leaves behind, to measure how hetaoc build scales:
//
//	go run ./tests/bench/scaleconf -literal 20000 -regex 2000 -dir /tmp/scale
//	/usr/bin/time -v hetaoc build /tmp/scale/hetao.conf -o /tmp/scale/site
//
// Literal rules are exact old → new paths (`^/old/p17\.html$`); every
// -every'th rule is a regexp with groups instead, so literal and regexp
// rules interleave as a real map does. -websites adds websites without
// rules (hetaoc's other scale: many virtual hosts).
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
	websites := flag.Int("websites", 0, "more websites, each with its own domain and no rules")
	exact := flag.Int("exact", 0, "exact locations of the first website, each with an index of its own")
	redirects := flag.Int("redirects", 0, "redirects of the first website, one per old domain")
	dir := flag.String("dir", "", "directory to write hetao.conf and www/ into")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: scaleconf [-literal N] [-regex N] -dir DIR")
		os.Exit(2)
	}
	if err := write(*dir, *literal, *regex, *websites, *exact, *redirects); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(dir string, literal, regex, websites, exact, redirects int) error {
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
	fmt.Fprintf(w, "\t\"listen\" : { \"ip\" : \"127.0.0.1\", \"port\" : 8080, \"website\" : {\n\t\t\"domain\" : \"\", \"wwwroot\" : \"www\", \"index\" : \"/index.html\"")
	total := literal + regex
	every := 0
	if regex > 0 {
		every = total / regex
	}
	l, r := 0, 0
	for i := 0; i < total; i++ {
		if r < regex && (l == literal || every > 0 && i%every == every-1) {
			fmt.Fprintf(w, ",\n\t\t\"rewrite\" : { \"pattern\" : \"^/r%d/([a-z]+)/([0-9]+)$\", \"new_uri\" : \"/n%d/$2/$1\" }", r, r)
			r++
			continue
		}
		fmt.Fprintf(w, ",\n\t\t\"rewrite\" : { \"pattern\" : \"^/old/p%d\\\\.html$\", \"new_uri\" : \"/new/p%d.html\" }", l, l)
		l++
	}
	for i := 0; i < exact; i++ {
		fmt.Fprintf(w, ",\n\t\t\"location\" : { \"exact\" : \"/l/%d\", \"index\" : \"/index.html\" }", i)
	}
	for i := 0; i < redirects; i++ {
		fmt.Fprintf(w, ",\n\t\t\"redirect\" : { \"domain\" : \"old%d.example\", \"new_domain\" : \"https://new%d.example\" }", i, i)
	}
	fmt.Fprintf(w, "\n\t}")
	for i := 0; i < websites; i++ {
		fmt.Fprintf(w, ",\n\t\"website\" : { \"domain\" : \"w%d.example\", \"wwwroot\" : \"www\", \"index\" : \"/index.html\" }", i)
	}
	fmt.Fprintf(w, " }\n}\n")
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
