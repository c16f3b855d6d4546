package h

import "net/http"

func Serve(w http.ResponseWriter, r *http.Request) {}
