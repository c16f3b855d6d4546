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
	var vals []jen.Code
	if a := l.SSL.ACME; a != nil {
		var domains []jen.Code
		for _, d := range compiler.ACMEDomains(l) {
			domains = append(domains, jen.Lit(d))
		}
		vals = append(vals, field("ACME", jen.Op("&").Qual(serverPkg, "ACME").Add(fields(
			field("Email", jen.Lit(a.Email)),
			field("Directory", jen.Lit(a.Directory)),
			field("Storage", jen.Lit(a.Storage)),
			field("CAFile", jen.Lit(a.CAFile)),
			field("Domains", jen.Index().String().Values(domains...)),
		))))
	} else {
		vals = append(vals,
			field("CertFile", jen.Lit(l.SSL.CertificateFile)),
			field("KeyFile", jen.Lit(l.SSL.CertificateKeyFile)))
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
	if len(vals) == 2 && l.SSL.ACME == nil {
		return jen.Op("&").Qual(serverPkg, "TLS").Values(vals...)
	}
	return jen.Op("&").Qual(serverPkg, "TLS").Add(fields(vals...))
}

// acmeClient emits, when a listen has acme,
//
//	&server.ACMEClient{Prepare: acme.Prepare, Run: acme.Run}
//
// so that only such a site links the ACME client; nil otherwise.
func (g *generator) acmeClient() jen.Code {
	for _, l := range g.cfg.Listens {
		if l.SSL != nil && l.SSL.ACME != nil {
			return jen.Op("&").Qual(serverPkg, "ACMEClient").Values(
				field("Prepare", jen.Qual(acmePkg, "Prepare")),
				field("Run", jen.Qual(acmePkg, "Run")),
			)
		}
	}
	return nil
}

// acmePkg is the ACME client of the runtime.
const acmePkg = "github.com/hetaoc/hetao/runtime/acme"
