package other

import . "net/http"

// Handle is a handler, net/http imported with a dot; there is no Serve.
func Handle(w ResponseWriter, r *Request) {}
