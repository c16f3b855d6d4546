package server

import (
	"github.com/hetaoc/hetao/runtime/auth"
	"github.com/hetaoc/hetao/runtime/logs"
)

// Unauthorized checks the request's credentials against f (auth_basic).
// When they are missing or wrong it answers 401 with f's challenge (500
// when the user file cannot be read) and reports true. A failure is
// logged with the user name and the client's address, never the password.
func (x *Ctx) Unauthorized(f *auth.File) bool {
	user, res := f.Check(x.Req.Header("Authorization"), x.l.clock.sec)
	switch res {
	case auth.OK:
		return false
	case auth.NoFile:
		x.l.rt.logErrorOnce("auth_basic: user file: %v", f.Err())
		x.Error(500)
		return true
	case auth.Wrong:
		logs.Warnf("auth_basic: wrong password for user %q from %s, %q", user, x.RemoteAddr(), x.Path)
	case auth.Unknown:
		logs.Warnf("auth_basic: unknown user %q from %s, %q", user, x.RemoteAddr(), x.Path)
	case auth.Malformed:
		logs.Warnf("auth_basic: malformed credentials from %s, %q", x.RemoteAddr(), x.Path)
	}
	x.respond(401, f.Challenge(), nil)
	return true
}
