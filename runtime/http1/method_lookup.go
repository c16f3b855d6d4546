package http1

// LookupMethod maps an exact (case-sensitive) method token to its Method,
// MethodOther for any other token. HTTP/2 uses it for the :method
// pseudo-header, so both protocols name methods the same way.
func LookupMethod(b []byte) Method { return lookupMethod(b) }
