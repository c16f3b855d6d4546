// Package server is the part of the dataplane that generated sites talk to:
// a generated main builds a *Site out of Go literals (tables, constants and
// one handler per website) and hands it to Main (api.go lists the calls).
// The package never reads a configuration file; everything dynamic ($VAR$
// paths, the file system, inherited sockets) is resolved when the site
// starts (state.go).
//
// # Transport, protocol, handler
//
// Each worker runs one event loop (loop_linux.go). A client connection,
// conn, is a transport: its descriptor, its TLS record layer if any
// (tlsloop_linux.go), input and output buffers, its deadlines, its
// admission slot, and its close policy. What it is doing is one value, its
// phase, and what it does once its answers are out another, its after
// (lifecycle.go); event, read and timeout choose by the phase.
//
// The transport drives a protocol. HTTP/1.x (h1_linux.go) is the first:
// it frames requests out of the bytes read (pipelining, keep-alive, a body
// read off or passed to a backend, an upgrade to a tunnel) and runs each
// request's handler on a Ctx. A protocol with several requests in flight
// on one transport (HTTP/2) gives each its own Ctx and its own output
// stream.
//
// Handlers write answers through an answerStream (answer.go), which does
// not know the protocol: the head in HTTP/1 form (status line, field
// lines, empty line) into headBuf and back with sendHead; then the body as
// bytes nobody changes until they are sent (sendShared) or as a range of
// an open file (sendFile). h1Answer writes into the loop's batch buffer,
// copy-free; an HTTP/2 stream encodes the head with HPACK
// (runtime/http2's Stream.RespondHTTP1) and the body as DATA frames. The
// reverse proxy's exchange streams a backend's answer with backpressure,
// reading the backend only while the client's output has drained
// (proxy_exchange_linux.go, upRead); to an HTTP/1 client it writes HTTP/1,
// to an HTTP/2 stream it hands the head and body to the stream
// (proxy_h2_linux.go).
//
// # Adding a protocol
//
// The transport hands a protocol the plaintext it read, in handle
// (conn_linux.go; today HTTP/1's process): what the protocol cannot use
// yet stays in c.in, and readLoop reads on only while c is not waiting
// (output pending, a backend answering). Output goes into the loop's batch
// buffer (l.wbuf), written once per read by flush; what the socket does not
// take waits in c.out (and c.outRef, c.file for shared bodies and files)
// and goes out in drain when epoll reports the socket writable. The
// deadline, close policy and linger are the transport's.
//
// HTTP/2 plugs in there: the protocol is chosen when the connection opens
// (ALPN from the record layer, or the prior-knowledge preface) and kept in
// the conn; the connection stays in phaseHead while open, since bodies and
// backends belong to its streams; each stream gets a Ctx and an
// answerStream whose headBuf is a scratch buffer and whose sendHead hands
// the head to runtime/http2's Stream.RespondHTTP1; frames are pulled into
// the batch buffer when the socket can take them. A forwarded stream keeps
// its exchange (upConn.h2) and its own deadlines; the connection's timer
// is the earliest of them while any stream waits for a backend.
//
// # Where is X
//
//	accept, admission (max_http_session_count, per IP), EMFILE   accept_linux.go
//	a connection's phase and close policy, legal moves             lifecycle.go
//	events, reading, writing, sendfile, close and linger           conn_linux.go (finish, lingerRead)
//	timers: timeout (idle), elapse (per request), their heap       conn_linux.go (deadline), timer.go
//	HTTP/1 framing, pipelining, keep-alive, request bodies         h1_linux.go (process)
//	the seam between handlers and protocols                        answer.go, h1_linux.go (h1Answer), h2_answer_linux.go (h2Answer)
//	HTTP/2: ALPN h2, the h2c preface, driving runtime/http2         h2_linux.go (startH2, h2Run, h2Preface), tls_config.go (listenTLS)
//	an HTTP/2 stream's answer, large files under flow control      h2_answer_linux.go (Request, answer, fileSource)
//	Host → website, path cleaning, the phases before the site's    ctx.go (serve)
//	the API generated code calls                                   api.go, site.go
//	a static answer: 406 → 412 → 304 → 416/206 → 200               static_answer.go (answer)
//	what happens on a 304                                          static_answer.go (notModified, send304)
//	where the gzip variant is chosen                               static_answer.go (coding), runtime/static (Entry.Variant)
//	redirects, the directory slash redirect                        redirect.go
//	status line, fields, error pages                               respond.go, state.go (errorPage)
//	rewrite, try_files, added headers, allow/deny, limit_req, auth rewrite.go, rewrite_table.go, tryfiles.go, headers.go, access.go, auth.go
//	forward: the request a backend sees                            proxy_linux.go (proxyHead), runtime/http1 (forward.go)
//	how a backend is picked, disabled, pooled, dialed              proxy_pool_linux.go (pick, connectAny)
//	the exchange: answer streaming, retry, 502/503/504, cut off    proxy_exchange_linux.go
//	forward over HTTP/2: bodies, backpressure, stream deadlines   proxy_h2_linux.go
//	protocol upgrades (WebSocket): the tunnel and its half pipes   tunnel_linux.go
//	applications compiled into the site                            app.go, app_linux.go
//	HTTPS: handshake, plain HTTP on a TLS port, TLS to backends    tls_linux.go
//	the TLS record layer in the loop                               tlsloop_linux.go
//	TLS 1.3 records sealed by the loop, KeyUpdate, the takeover    tlsseal_linux.go
//	large files read for TLS and HTTP/2 (mapped, SIGBUS-safe)      runtime/static/readat_linux.go
//	certificates, SNI, TLS policy, session tickets                 tls_config.go, tls_tickets.go
//	ACME: certificates from a CA, TLS-ALPN-01, HTTP-01             tls_acme.go, runtime/acme
//	IPv6: listening sockets, client addresses, per-/64 limits      ipv6_linux.go, ipaddr.go
//	limits (sessions, per IP, head, body, file cache)              site.go (Limits), accept_linux.go, runtime/http1, runtime/static
//	access log                                                     accesslog.go, accesslog_format.go
//	the loop: batching, yielding, stop and drain                   loop_linux.go (run, drainStep)
//	Start, Stop, listening sockets                                 serve_linux.go, ipv6_linux.go
//	master and worker processes, site commands                     main.go, process_*_linux.go
//	default pid file, the startup line                             process_files_linux.go
//	counters for /metrics, the ops listen (health, metrics)        ops.go, runtime/metrics, runtime/ops
package server
