package server

import "github.com/hetaoc/hetao/runtime/http1"

// Ctx is one request being answered. It lives in the worker's loop and is
// reused for every request; nothing may keep it after Serve returns.
type Ctx struct {
	Req  *http1.Request
	Site *Website
}
