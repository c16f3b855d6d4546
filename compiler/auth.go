package compiler

import "strings"

// AuthBasic is HTTP basic authentication against an htpasswd file of
// bcrypt entries (nginx auth_basic + auth_basic_user_file).
type AuthBasic struct {
	Realm    string
	UserFile string // may hold $VAR$
	Pos      Pos
}

// authBasic reads "auth_basic" : { "realm" : "…", "user_file" : "htpasswd" }.
func (c *checker) authBasic(o *obj) *AuthBasic {
	n := o.sub("auth_basic")
	if n == nil {
		return nil
	}
	ao := c.open(n, "auth_basic", o.key("auth_basic"))
	if ao.n == nil {
		return nil
	}
	a := &AuthBasic{Pos: n.pos}
	realm, rv := ao.str("realm", "")
	switch {
	case rv == nil || realm == "":
		if ao.misses("realm") {
			c.d.errorf(ao.keyPos("realm"), "%s needs a realm: the name browsers show when they ask for a password, like \"Staff only\"", ao.path)
		}
	case strings.IndexFunc(realm, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0:
		c.d.errorf(rv.pos, "%s holds a control character, which the WWW-Authenticate header cannot carry", ao.key("realm"))
	}
	a.Realm = realm
	file, fv := ao.str("user_file", "")
	if fv == nil || file == "" {
		if ao.misses("user_file") {
			c.d.errorf(ao.keyPos("user_file"), "%s needs a user_file: an htpasswd file of bcrypt entries (htpasswd -B)", ao.path)
		}
		return nil
	}
	a.UserFile = c.path(fv, ao.key("user_file"), file)
	c.checkFile(fv, ao.key("user_file"), a.UserFile)
	if rv == nil || realm == "" {
		return nil
	}
	return a
}

func showAuthBasic(a *AuthBasic) []any {
	if a == nil {
		return nil
	}
	return []any{pobj{{"realm", a.Realm}, {"user_file", a.UserFile}}}
}
