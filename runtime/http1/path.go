package http1

// CleanPath percent-decodes the raw path (e.g. Request.Path) and resolves
// it to an absolute path that can never leave the root, appending the
// result to dst[:0] (dst belongs to the caller and is reused; raw is only
// read). With cap(dst) >= len(raw)+1 it does not allocate.
//
// The steps, in this order:
//  1. Percent-decode every "%XX". A '%' not followed by two hex digits,
//     and a NUL byte (raw or "%00"), are a 400 (ErrBadPath). '+' is an
//     ordinary byte (it means space only in a query).
//  2. Split the decoded bytes at '/': decoding first means "%2f" separates
//     segments and "%2e%2e" is "..", so encoded dot-segments cannot escape.
//  3. Drop empty segments ("//") and "." segments; ".." removes the
//     previous segment, and a ".." at the root is a 400 (ErrPathEscape),
//     as nginx does, rather than being clamped to "/".
//
// The result starts with '/', has no empty, "." or ".." segment, ends with
// '/' exactly when raw ended with '/' or with a "." or ".." segment
// ("/a/b/.." → "/a/", "/a/." → "/a/"), and is "/" for an empty raw path. A
// backslash is an ordinary byte (Linux). The result is decoded, so it may
// hold '%', '?' or any byte but NUL: do not feed it to CleanPath again
// without re-encoding '%'.
func CleanPath(dst, raw []byte) ([]byte, error) {
	out := append(dst[:0], '/')
	seg := 1 // where the current segment starts in out
	var err error
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if len(raw)-i < 3 {
				return out, ErrBadPath
			}
			hi, lo := unhex(raw[i+1]), unhex(raw[i+2])
			if hi < 0 || lo < 0 {
				return out, ErrBadPath
			}
			c = byte(hi<<4 | lo)
			i += 2
		}
		switch c {
		case 0:
			return out, ErrBadPath
		case '/':
			if out, seg, err = endSegment(out, seg, false); err != nil {
				return out, err
			}
		default:
			out = append(out, c)
		}
	}
	out, _, err = endSegment(out, seg, true)
	return out, err
}

// endSegment resolves the segment out[seg:] and returns the new output and
// the start of the next segment. A named segment gets its '/' unless it is
// the last one.
func endSegment(out []byte, seg int, last bool) ([]byte, int, error) {
	s := out[seg:]
	switch {
	case len(s) == 0:
	case len(s) == 1 && s[0] == '.':
		out = out[:seg]
	case len(s) == 2 && s[0] == '.' && s[1] == '.':
		if seg == 1 {
			return out[:1], 1, ErrPathEscape
		}
		out = out[:lastIndexByte(out[:seg-1], '/')+1]
		seg = len(out)
	case !last:
		out = append(out, '/')
		seg = len(out)
	}
	return out, seg, nil
}
