package server

import (
	"flag"
	"os"
	"testing"
)

// TestMain runs more tests at once than -test.parallel's default
// (GOMAXPROCS): the tests here mostly wait on sockets and timers, not on
// the CPU. An explicit -test.parallel is kept.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "16")
	}
	checkPhases = true // every move of every connection the tests make is checked
	os.Exit(m.Run())
}
