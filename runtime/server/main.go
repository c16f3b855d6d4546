package server

// Main runs a compiled site with the site binary's command line and returns
// the process exit code. Generated mains are one line:
//
//	func main() { os.Exit(server.Main(site, os.Args[1:])) }
func Main(site *Site, args []string) int {
	panic("TODO")
}
