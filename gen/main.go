package gen

import "github.com/dave/jennifer/jen"

// mainFile emits main.go:
//
//	func main() { os.Exit(server.Main(site, os.Args[1:])) }
//
// With Options.Mini the call is server.MainMini (minihetao's command line).
func (g *generator) mainFile(f *jen.File) error {
	run := "Main"
	if g.opt.Mini {
		run = "MainMini"
	}
	f.Func().Id("main").Params().Block(
		jen.Qual("os", "Exit").Call(
			jen.Qual(serverPkg, run).Call(jen.Id("site"), jen.Qual("os", "Args").Index(jen.Lit(1), jen.Empty())),
		),
	)
	return nil
}
