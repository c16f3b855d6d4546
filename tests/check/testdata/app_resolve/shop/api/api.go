package api

import web "net/http"

// Serve is a handler, with net/http renamed and its own parameter names.
func Serve(rw web.ResponseWriter, req *web.Request) {}

// Handler is a variable: its type is left to the build.
var Handler = web.HandlerFunc(Serve)

// Wrong takes the request by value.
func Wrong(w web.ResponseWriter, r web.Request) {}

// Result returns an error.
func Result(w web.ResponseWriter, r *web.Request) error { return nil }

// Method is a method, not a function.
type T struct{}

func (T) Method(w web.ResponseWriter, r *web.Request) {}
