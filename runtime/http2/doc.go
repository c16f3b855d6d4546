// Package http2 is the server side of HTTP/2 (RFC 9113, HPACK RFC 7541,
// priorities RFC 9218) as an engine without I/O, for the worker's event
// loop: the transport gives a Conn the plaintext bytes it read (Feed) and
// writes the bytes the Conn produces (Pull). A Conn owns no descriptor, no
// timer and no goroutine; everything happens inside those calls, and the
// Handler is called back from them.
//
// # Buffers
//
// Feed parses frames straight from the caller's buffer and keeps no
// reference to it: header blocks are decoded as their frames arrive into
// the stream's own arena (Stream.Req points into it), request body bytes
// are copied into the stream (bounded by the receive windows). Pull
// produces DATA only when called, reading file bodies (Source) one frame
// at a time, so what a slow or absent reader costs is bounded.
//
// # Where is X
//
//	frame parsing, sizes, padding, preface    frame.go
//	frame writing                              frame_write.go
//	connection: settings, limits, Feed, GOAWAY conn.go
//	per-frame rules and errors (§5.1, §6)      conn_frames.go
//	header blocks, CONTINUATION, HPACK bounds  headers.go
//	request pseudo-headers → http1.Request     request.go
//	stream states, request body, windows in    stream.go
//	answer head (HPACK), body, Source          respond.go
//	DATA scheduling, windows out, Pull         output.go
//	RFC 9218 priority, the order of streams    priority.go
//	defences: budgets and bounds               conn.go (charge, chargeReset, checkQueue), headers.go (blockCap, emit)
//
// # Behaviour choices
//
//   - SETTINGS advertise MAX_CONCURRENT_STREAMS (128), INITIAL_WINDOW_SIZE,
//     MAX_HEADER_LIST_SIZE, ENABLE_PUSH 0 and NO_RFC7540_PRIORITIES; none is
//     below its initial value, so nothing waits for the peer's ACK.
//   - A request's header list above MaxHeaderListSize (or MaxHeaders
//     fields) is answered 431 by the engine; a header block above it by
//     16 KiB closes the connection before it is decoded.
//   - A malformed request (§8.2–8.3) is a stream error PROTOCOL_ERROR; the
//     handler never sees it. Cookie fields are joined with "; " (§8.2.3).
//   - An answer complete before the request body is keeps the stream
//     half-closed (local): the rest of the body is read and dropped (and
//     checked against content-length) while the stream window the client
//     holds can carry it; otherwise RST_STREAM NO_ERROR (§8.1).
//   - Streams without a priority signal share the connection round robin;
//     with one, RFC 9218 decides (see before in priority.go).
//   - Closed streams keep no state: a frame for a stream ID at or below the
//     highest opened and not in flight is for a closed stream; the last 8
//     streams the server reset are remembered so that frames already in
//     flight for them are ignored.
package http2
