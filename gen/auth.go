package gen

import (
	"fmt"

	"github.com/dave/jennifer/jen"
)

const authPkg = "github.com/hetaoc/hetao/runtime/auth"

func (s *scope) authBasicName() string { return s.prefix() + "AuthBasic" }

// authBasicVar emits
//
//	// website1AuthBasic is auth_basic "Staff only" with the users of
//	// /srv/htpasswd (hetao.conf:20:5), read again when the file changes.
//	var website1AuthBasic = auth.New("/srv/htpasswd", "Staff only")
func (g *generator) authBasicVar(s *scope) jen.Code {
	a := s.authBasic
	return doc(
		fmt.Sprintf("%s is auth_basic %q with the users of", s.authBasicName(), a.Realm),
		fmt.Sprintf("%s (%s), read again when the file changes.", a.UserFile, g.pos(a.Pos)),
	).Var().Id(s.authBasicName()).Op("=").Qual(authPkg, "New").Call(jen.Lit(a.UserFile), jen.Lit(a.Realm))
}

// authBasicPhase emits
//
//	if c.Unauthorized(website1AuthBasic) {
//		return // auth_basic: 401 with WWW-Authenticate
//	}
func (g *generator) authBasicPhase(s *scope) ([]jen.Code, bool, error) {
	if s.authBasic == nil {
		return nil, false, nil
	}
	return []jen.Code{jen.If(jen.Id("c").Dot("Unauthorized").Call(jen.Id(s.authBasicName()))).Block(
		jen.Return().Comment("auth_basic: 401 with WWW-Authenticate"))}, false, nil
}
