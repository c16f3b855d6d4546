package gen

import (
	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// tls emits a listen's TLS settings,
//
//	&server.TLS{
//		CertFile:   "...",
//		KeyFile:    "...",
//		MinVersion: tls.VersionTLS13,
//		Certs: []server.Cert{
//			{Domain: "b.example", CertFile: "...", KeyFile: "..."}, // hetao.conf:9:4
//		},
//	}
//
// with MinVersion only for the "modern" policy and Certs only when a
// website has its own certificate (SNI).
func (g *generator) tls(l *compiler.Listen) jen.Code {
	vals := []jen.Code{
		field("CertFile", jen.Lit(l.SSL.CertificateFile)),
		field("KeyFile", jen.Lit(l.SSL.CertificateKeyFile)),
	}
	if l.SSL.MinVersion == "1.3" {
		vals = append(vals, field("MinVersion", jen.Qual("crypto/tls", "VersionTLS13")))
	}
	var certs []jen.Code
	for _, w := range l.Websites {
		if w.SSL != nil {
			certs = append(certs, jen.Values(
				field("Domain", jen.Lit(w.Domain)),
				field("CertFile", jen.Lit(w.SSL.CertificateFile)),
				field("KeyFile", jen.Lit(w.SSL.CertificateKeyFile)),
			).Op(",").Comment(g.pos(w.SSL.Pos)))
		}
	}
	if len(certs) > 0 {
		vals = append(vals, field("Certs", jen.Index().Qual(serverPkg, "Cert").Add(lines(certs))))
	}
	if len(vals) == 2 {
		return jen.Op("&").Qual(serverPkg, "TLS").Values(vals...)
	}
	return jen.Op("&").Qual(serverPkg, "TLS").Add(fields(vals...))
}
