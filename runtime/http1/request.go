// Package http1 parses HTTP/1.0 and HTTP/1.1 requests (RFC 9112) straight
// from a read buffer, without allocating, and writes responses.
package http1

// Request is a parsed request head. Byte slices point into the buffer given
// to Parse and are valid until that buffer is reused.
type Request struct{}
