package gen

import (
	"github.com/dave/jennifer/jen"

	"github.com/hetaoc/hetao/compiler"
)

// tls emits a listen's TLS settings,
//
//	&server.TLS{CertFile: "...", KeyFile: "...", MinVersion: tls.VersionTLS13}
//
// with MinVersion only for the "modern" policy.
func (g *generator) tls(l *compiler.Listen) jen.Code {
	vals := []jen.Code{
		field("CertFile", jen.Lit(l.SSL.CertificateFile)),
		field("KeyFile", jen.Lit(l.SSL.CertificateKeyFile)),
	}
	if l.SSL.MinVersion == "1.3" {
		vals = append(vals, field("MinVersion", jen.Qual("crypto/tls", "VersionTLS13")))
	}
	return jen.Op("&").Qual(serverPkg, "TLS").Values(vals...)
}
