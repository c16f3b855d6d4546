package server

import "github.com/hetaoc/hetao/runtime/http1"

// Redirects: a configured redirect, and a directory asked for without
// its trailing slash.

// redirect is Redirect (api.go).
func (x *Ctx) redirect(code int, target string) {
	loc := redirectLocation(target, x.Req.Target, x.c.ln.TLS != nil)
	x.respond(code, "Location: "+loc+"\r\n", nil)
}

func redirectLocation(target string, reqTarget []byte, tls bool) string {
	rest := target
	hasScheme := false
	for i := 0; i+2 < len(target); i++ {
		if target[i] == ':' && target[i+1] == '/' && target[i+2] == '/' {
			rest, hasScheme = target[i+3:], true
			break
		}
		if target[i] == '/' {
			break
		}
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' || rest[i] == '?' {
			return target // the target says where to go
		}
	}
	if !hasScheme {
		if tls {
			target = "https://" + target
		} else {
			target = "http://" + target
		}
	}
	if len(reqTarget) == 0 || reqTarget[0] != '/' {
		return target + "/"
	}
	return target + string(reqTarget)
}

// slashRedirect sends a directory asked for without its trailing slash to
// the same path with it, keeping the query.
func (x *Ctx) slashRedirect() {
	// From the cleaned path, never the raw one: "//evil.example/../sub"
	// must not become a Location naming another host.
	loc := make([]byte, 0, len(x.Path)+len(x.Req.Query)+8)
	loc = http1.AppendEscapedPath(loc, x.Path)
	loc = append(loc, '/')
	if x.Req.Query != nil {
		loc = append(loc, '?')
		loc = append(loc, x.Req.Query...)
	}
	x.respond(301, "Location: "+string(loc)+"\r\n", nil)
}
