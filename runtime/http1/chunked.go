package http1

// Chunked decodes a chunked request body (RFC 9112 §7.1) incrementally:
// feed it whatever bytes have arrived, in order, and it never looks back.
// The zero value is ready; MaxBody (0: HardMaxBody) bounds the sum of the
// chunk sizes and survives Reset.
//
// Framing is strict, because leniency here is what request smuggling feeds
// on: every line of the framing (chunk-size line, the CRLF after the data,
// trailer lines, the final empty line) must end in CRLF, a bare LF or CR is
// a 400. Chunk extensions are skipped but the chunk-size line is bounded to
// MaxChunkLine bytes; trailer fields are skipped and bounded to
// MaxTrailerBytes in all. Whitespace (BWS) between the size and ';' is
// tolerated, but not before the CRLF (RFC 9112 §7.1.1 allows BWS only
// before a chunk extension): "3 \r\n" is a 400.
type Chunked struct {
	MaxBody int64

	state uint8
	err   *Error
	size  int64 // chunk size being read, then data bytes left in the chunk
	total int64 // sum of the chunk sizes so far
	n     int   // bytes in the current size line, or in the trailer section
}

// Bounds on the parts of the framing that carry no data.
const (
	MaxChunkLine    = 4096
	MaxTrailerBytes = 16 << 10
)

const (
	csSize       = iota // chunk-size hex digits, none read yet when n == 0
	csSizeWS            // BWS after the size: a ';' must follow
	csExt               // chunk-ext, skipped
	csSizeLF            // CR of the size line seen
	csData              // size bytes of data left
	csDataCR            // CRLF after the data
	csDataLF            //
	csTrailer           // at the start of a trailer line, or the final CRLF
	csTrailerMid        // inside a trailer line
	csTrailerLF         // CR of a trailer line seen
	csEndLF             // CR of the final empty line seen
	csDone
	csError
)

// Reset prepares c for a new body, keeping MaxBody.
func (c *Chunked) Reset() { *c = Chunked{MaxBody: c.MaxBody} }

// Done reports whether the last chunk and the trailer section are complete.
func (c *Chunked) Done() bool { return c.state == csDone }

// Total returns the sum of the chunk sizes announced so far.
func (c *Chunked) Total() int64 { return c.total }

// Decode consumes bytes from in, which the caller owns. It returns how many
// bytes it consumed, the body data among them (a sub-slice of in, valid as
// long as in is), whether the terminating chunk and trailers are complete,
// or an *Error (400 malformed, 413 larger than MaxBody). Each call returns
// at most one piece of data, so callers loop:
//
//	for len(in) > 0 && !done {
//		n, data, done, err = c.Decode(in)
//		if err != nil { ... }
//		use(data)
//		in = in[n:]
//	}
//
// When done, in[consumed:] is the start of the next pipelined request. If
// in is non-empty and neither done nor an error is returned, consumed > 0.
// After an error every call returns the same error; after done, (0, nil,
// true, nil). Decode does not allocate.
func (c *Chunked) Decode(in []byte) (consumed int, data []byte, done bool, err error) {
	i := 0
	for i < len(in) {
		b := in[i]
		switch c.state {
		case csSize:
			if v := unhex(b); v >= 0 {
				if c.size > HardMaxBody>>4 {
					return c.fail(i, ErrBodyTooLarge)
				}
				c.size = c.size<<4 | int64(v)
				c.n++
				if c.n > MaxChunkLine {
					return c.fail(i, ErrChunkExtTooLong)
				}
				break
			}
			if c.n == 0 {
				return c.fail(i, ErrBadChunk)
			}
			switch b {
			case ' ', '\t':
				c.state = csSizeWS
			case ';':
				c.state = csExt
			case '\r':
				c.state = csSizeLF
			default:
				return c.fail(i, ErrBadChunk)
			}
		case csSizeWS, csExt:
			switch {
			case b == '\r' && c.state == csExt:
				c.state = csSizeLF
			case c.state == csSizeWS && b == ';':
				c.state = csExt
			case c.state == csSizeWS && b != ' ' && b != '\t',
				c.state == csExt && chars[b]&cValue == 0:
				return c.fail(i, ErrBadChunk)
			}
			c.n++
			if c.n > MaxChunkLine {
				return c.fail(i, ErrChunkExtTooLong)
			}
		case csSizeLF:
			if b != '\n' {
				return c.fail(i, ErrBareCR)
			}
			limit := c.MaxBody
			if limit <= 0 || limit > HardMaxBody {
				limit = HardMaxBody
			}
			if c.size > limit-c.total {
				return c.fail(i, ErrBodyTooLarge)
			}
			c.total += c.size
			c.n = 0
			if c.size == 0 {
				c.state = csTrailer
			} else {
				c.state = csData
			}
		case csData:
			k := int64(len(in) - i)
			if k > c.size {
				k = c.size
			}
			c.size -= k
			if c.size == 0 {
				c.state = csDataCR
			}
			end := i + int(k)
			return end, in[i:end:end], false, nil
		case csDataCR:
			if b != '\r' {
				return c.fail(i, ErrBadChunk)
			}
			c.state = csDataLF
		case csDataLF:
			if b != '\n' {
				return c.fail(i, ErrBareCR)
			}
			c.state = csSize
		case csTrailer, csTrailerMid:
			switch {
			case b == '\r' && c.state == csTrailer:
				c.state = csEndLF
			case b == '\r':
				c.state = csTrailerLF
			case chars[b]&cValue == 0:
				return c.fail(i, ErrBadChunk)
			default:
				c.state = csTrailerMid
			}
			c.n++
			if c.n > MaxTrailerBytes {
				return c.fail(i, ErrTrailerTooLarge)
			}
		case csTrailerLF:
			if b != '\n' {
				return c.fail(i, ErrBareCR)
			}
			c.state = csTrailer
		case csEndLF:
			if b != '\n' {
				return c.fail(i, ErrBareCR)
			}
			c.state = csDone
			return i + 1, nil, true, nil
		case csDone:
			return 0, nil, true, nil
		default:
			return 0, nil, false, c.err
		}
		i++
	}
	if c.state == csError {
		return 0, nil, false, c.err
	}
	return i, nil, c.state == csDone, nil
}

func (c *Chunked) fail(i int, e *Error) (int, []byte, bool, error) {
	c.state, c.err = csError, e
	return i, nil, false, e
}

// unhex returns the value of a hex digit, or -1.
func unhex(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b|0x20 && b|0x20 <= 'f':
		return int(b|0x20-'a') + 10
	}
	return -1
}
