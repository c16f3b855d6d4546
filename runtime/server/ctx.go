package server

import (
	"github.com/hetaoc/hetao/runtime/http1"
	"github.com/hetaoc/hetao/runtime/static"
)

// Ctx is one request being answered. It lives in the worker's loop and is
// reused for every request; nothing may keep it after Serve returns.
type Ctx struct {
	Req  *http1.Request
	Site *Website
}

// Static answers the request from a document root: the content phase of a
// website whose request was not redirected, forwarded or given to an app.
func (c *Ctx) Static(root *static.Root) {
	panic("TODO")
}

// Redirect answers with code (301, 302, 303, 307 or 308) and Location.
func (c *Ctx) Redirect(code int, location string) {
	panic("TODO")
}
