package api

import "net/http"

func OnlyInTest(w http.ResponseWriter, r *http.Request) {}
