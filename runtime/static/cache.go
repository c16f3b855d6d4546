package static

import (
	"strconv"
	"strings"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

// Entry is a file held in memory with its compressed variants and the
// header lines that describe each. An Entry is immutable once built and
// shared with responses still being written, so dropping it from the cache
// never disturbs a send in progress.
type Entry struct {
	Size    int64
	ModTime time.Time
	MIME    *MIME
	Ext     string // of the file's name, without the dot ("" none)

	// File is set instead of the bodies for a file too large to hold in
	// memory: it is sent from this open descriptor.
	File *File

	names []string // the cache keys it is stored under (a directory's index has two)

	// Bookkeeping of the cache that holds it (nil list: not cached).
	c          *Cache
	root       int // Root.id
	list       *lru
	prev, next *Entry
	lastUse    int64 // Cache.now of the last hit
	cost       int64 // bytes counted against the budget

	body [http1.NumCodings][]byte      // [http1.CodingIdentity] always set (unless File); others built on first use
	hdr  [http1.NumCodings][]byte      // header lines for each variant (no status, no Date)
	done [http1.NumCodings]bool        // variant attempted (it may not pay off: then nil)
	bg   [http1.NumCodings]*background // variant being built off the loop (compress.go)
	etag [http1.NumCodings]string      // strong validator of each variant, quoted
}

// Body returns the bytes of variant e, or nil when e is not worth serving
// (the file does not compress).
func (en *Entry) Body(e http1.Coding) []byte { return en.body[e] }

// Header returns the header lines of variant e, each ending in CRLF.
func (en *Entry) Header(e http1.Coding) []byte { return en.hdr[e] }

// ETag returns the entity tag of variant e, quoted. Each variant has its
// own strong tag: the identity one with "-gzip", "-deflate", "-br" or
// "-zstd" appended.
func (en *Entry) ETag(e http1.Coding) string { return en.etag[e] }

// Variant picks the encoding to send when the client accepts gzip and/or
// deflate and compression is allowed; it builds that variant the first
// time it is asked for.
func (en *Entry) Variant(gzipOK, deflateOK bool) http1.Coding {
	if gzipOK && en.Has(http1.CodingGzip) {
		return http1.CodingGzip
	}
	if deflateOK && en.Has(http1.CodingDeflate) {
		return http1.CodingDeflate
	}
	return http1.CodingIdentity
}

// Has reports whether variant e can be served: the type is compressible
// and the coded body is smaller. The first call for a coding builds it
// (see compress.go for what that costs); later ones only look. Brotli is
// built in the background: until it is ready Has(CodingBrotli) is false,
// and the client gets its next best coding.
func (en *Entry) Has(e http1.Coding) bool {
	if e == http1.CodingIdentity {
		return true
	}
	if en.MIME == nil || !en.MIME.Compress {
		return false
	}
	if !en.done[e] {
		var z []byte
		if slow(e) {
			if en.bg[e] == nil {
				en.bg[e] = startBackground(en.body[http1.CodingIdentity], e)
				return false
			}
			if !en.bg[e].ready() {
				return false
			}
			z, en.bg[e] = en.bg[e].z, nil
		} else {
			z = compress(en.body[http1.CodingIdentity], e)
		}
		en.done[e] = true
		if z != nil && len(z) < len(en.body[http1.CodingIdentity]) {
			en.body[e] = z
			en.hdr[e] = en.header(e)
			if en.c != nil {
				en.c.grew(en, int64(len(z)+len(en.hdr[e])))
			}
		}
	}
	return en.body[e] != nil
}

// newEntry builds the entry of a file read whole.
func newEntry(body []byte, mod time.Time, mime *MIME) *Entry {
	en := &Entry{Size: int64(len(body)), ModTime: mod, MIME: mime}
	en.body[http1.CodingIdentity] = body
	en.done[http1.CodingIdentity] = true
	tag := ETag(mod, int64(len(body)))
	en.etag = [http1.NumCodings]string{tag, tag[:len(tag)-1] + `-gzip"`, tag[:len(tag)-1] + `-deflate"`, tag[:len(tag)-1] + `-br"`, tag[:len(tag)-1] + `-zstd"`}
	en.hdr[http1.CodingIdentity] = en.header(http1.CodingIdentity)
	return en
}

// ETag is the strong validator of a file version, nginx style:
// "<mtime hex>-<size hex>".
func ETag(mod time.Time, size int64) string {
	return `"` + strconv.FormatInt(mod.Unix(), 16) + "-" + strconv.FormatInt(size, 16) + `"`
}

func (en *Entry) header(e http1.Coding) []byte {
	return AppendHeader(nil, en.MIME, int64(len(en.body[e])), en.ModTime, en.ETag(e), e)
}

// AppendHeader appends the representation header lines of a file response:
// Content-Type, Content-Length, Last-Modified, ETag, Accept-Ranges (identity
// only), Vary (when the type is compressible) and Content-Encoding.
func AppendHeader(dst []byte, mime *MIME, length int64, mod time.Time, etag string, e http1.Coding) []byte {
	dst = append(dst, "Content-Type: "...)
	if mime != nil {
		dst = append(dst, mime.Type...)
	} else {
		dst = append(dst, "application/octet-stream"...)
	}
	dst = append(dst, "\r\nContent-Length: "...)
	dst = strconv.AppendInt(dst, length, 10)
	dst = append(dst, "\r\nLast-Modified: "...)
	dst = mod.UTC().AppendFormat(dst, "Mon, 02 Jan 2006 15:04:05 GMT")
	dst = append(dst, "\r\nETag: "...)
	dst = append(dst, etag...)
	dst = append(dst, "\r\n"...)
	switch e {
	case http1.CodingIdentity:
		dst = append(dst, "Accept-Ranges: bytes\r\n"...)
	case http1.CodingGzip:
		dst = append(dst, "Content-Encoding: gzip\r\n"...)
	case http1.CodingDeflate:
		dst = append(dst, "Content-Encoding: deflate\r\n"...)
	case http1.CodingBrotli:
		dst = append(dst, "Content-Encoding: br\r\n"...)
	case http1.CodingZstd:
		dst = append(dst, "Content-Encoding: zstd\r\n"...)
	}
	if mime != nil && mime.Compress {
		dst = append(dst, "Vary: Accept-Encoding\r\n"...)
	}
	return dst
}

// Ext returns the extension of the last path element (without the dot),
// or nil when it has none.
func Ext(path []byte) []byte {
	for i := len(path) - 1; i >= 0 && path[i] != '/'; i-- {
		if path[i] == '.' {
			return path[i+1:]
		}
	}
	return nil
}

// dirOf returns the directory part of a cleaned path, with its slash:
// "/a/b.html" → "/a/", "/a/" → "/a/".
func dirOf(path string) string {
	return path[:strings.LastIndexByte(path, '/')+1]
}
