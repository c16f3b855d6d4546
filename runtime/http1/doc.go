// Package http1 parses HTTP/1.0 and HTTP/1.1 requests (RFC 9112, RFC 9110)
// straight from a read buffer, without allocating, and helps write
// responses.
//
// # Buffers
//
// Nothing in this package copies request bytes. Every []byte in a Request,
// every data slice returned by Chunked.Decode and every result of a header
// helper is a sub-slice of the caller's buffer and stays valid only as long
// as the caller leaves that buffer alone. The caller (the event loop) owns
// the read buffer; it must not compact or reuse it while a Request that
// points into it is still being answered. A Request owns only its Headers
// array, which the next Parse reuses.
//
// # Behaviour choices
//
// Where RFC 9112 leaves a choice, the parser takes the strict side, since
// a front server that is more lenient than what sits behind it is how
// requests get smuggled:
//
//   - Bare LF ends a line in the request head (RFC 9112 §2.2 allows it) but
//     not in chunked framing, where CRLF is required. A bare CR is a 400.
//   - Empty lines before the request-line are skipped; they count towards
//     MaxHeadBytes and HeadLen.
//   - "HTTP/1.0" and "HTTP/1.1" are served, and "HTTP/1.2" to "HTTP/1.9"
//     as HTTP/1.1 (RFC 9110 §2.5: a later minor version is processed as
//     the highest one the recipient conforms to; nginx does the same);
//     any other "HTTP/d.d" is 505, anything else (HTTP/1.10) 400.
//   - Raw bytes >= 0x80 are accepted in the request-target and in field
//     values (obs-text); controls, SP and DEL are not.
//   - CONNECT must use authority-form, "*" is for OPTIONS only, and an
//     absolute-form target with userinfo ("http://u@h/") is a 400.
//   - Content-Length: 1*DIGIT only; a second Content-Length line, even with
//     the same value, and lists like "5, 5" are 400. Too large for MaxBody
//     (or for int64) is 413.
//   - Transfer-Encoding: with Content-Length 400; in HTTP/1.0 400; chunked
//     not last, chunked twice, chunked with parameters (§7.1), or a
//     malformed list 400 (§6.3: the length cannot be determined); chunked
//     last after other codings ("gzip, chunked") 501, as only chunked is
//     implemented (§6.1).
//   - Connection, and so KeepAlive, is a case-insensitive token list over
//     every Connection line: HTTP/1.1 keeps alive unless "close" is listed,
//     HTTP/1.0 only when "keep-alive" is and "close" is not.
//   - Every field line is in Headers. For a repeated field the shortcut
//     fields (Range, AcceptEncoding, …) hold the first line; Connection and
//     Transfer-Encoding lines are combined as lists; a second Host or
//     Content-Length line is a 400.
//   - Limits: MaxHeadBytes bounds the whole head, CRLFs included (empty
//     lines before the request line too). A longer head is 431, unless the
//     request line alone, without its CRLF, is longer than MaxHeadBytes:
//     then 414. Both are answered as soon as the buffer is longer than the
//     limit, without waiting for the end of the line. A request line of
//     exactly MaxHeadBytes is therefore 431, one byte longer 414. More
//     than MaxHeaders fields is 431.
//
// Unlike hetao 0.14 (whose parser closed the connection silently), every
// refusal carries a status: an *Error, after which the connection must be
// closed once the error response has been sent.
package http1
