package static

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"io"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/hetaoc/hetao/runtime/http1"
)

// TestEveryVariantDecodesToTheFile: each coded variant is smaller, decodes
// to the same bytes with a decoder other than ours where the standard
// library has one, and is described by its own header and ETag.
func TestEveryVariantDecodesToTheFile(t *testing.T) {
	body := bytes.Repeat([]byte("<p>hetao press page, compressible text.</p>\n"), 200)
	en := newEntry(body, time.Unix(1700000000, 0), html)
	decode := map[http1.Coding]func(io.Reader) (io.Reader, error){
		http1.CodingGzip:    func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		http1.CodingDeflate: func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) },
		http1.CodingBrotli:  func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		http1.CodingZstd: func(r io.Reader) (io.Reader, error) {
			d, err := zstd.NewReader(r)
			return d, err
		},
	}
	names := map[http1.Coding]string{http1.CodingGzip: "gzip", http1.CodingDeflate: "deflate", http1.CodingBrotli: "br", http1.CodingZstd: "zstd"}
	tags := map[string]bool{en.ETag(http1.CodingIdentity): true}
	for e, dec := range decode {
		if !hasAwaited(en, e) {
			t.Fatalf("%s: no variant", names[e])
		}
		z := en.Body(e)
		if len(z) >= len(body) {
			t.Errorf("%s: %d bytes for %d", names[e], len(z), len(body))
		}
		r, err := dec(bytes.NewReader(z))
		if err != nil {
			t.Fatalf("%s: %v", names[e], err)
		}
		if plain, err := io.ReadAll(r); err != nil || !bytes.Equal(plain, body) {
			t.Errorf("%s: does not decode to the file (%v)", names[e], err)
		}
		if h := string(en.Header(e)); !bytes.Contains([]byte(h), []byte("Content-Encoding: "+names[e]+"\r\n")) {
			t.Errorf("%s: header %q", names[e], h)
		}
		if tags[en.ETag(e)] {
			t.Errorf("%s: ETag %s shared", names[e], en.ETag(e))
		}
		tags[en.ETag(e)] = true
	}
	if !(len(en.Body(http1.CodingBrotli)) < len(en.Body(http1.CodingGzip))) {
		t.Errorf("brotli %d bytes, gzip %d: quality 11 should beat gzip -9", len(en.Body(http1.CodingBrotli)), len(en.Body(http1.CodingGzip)))
	}
	bin := newEntry(body, time.Unix(0, 0), nil)
	if bin.Has(http1.CodingBrotli) || bin.Has(http1.CodingZstd) {
		t.Error("a type that is not compressible has coded variants")
	}
}

// BenchmarkFirstCompression is what the first request for each coding of
// a 64 KiB text file costs, once per file version and worker.
func BenchmarkFirstCompression(b *testing.B) {
	// Words drawn by a fixed generator: text that compresses like prose,
	// not like one line repeated.
	words := []string{"the", "server", "hetao", "compiles", "a", "site", "into", "one", "binary", "<p>", "</p>", "of", "and", "request", "answer", "file", "cache", "header", "worker", "loop", "epoll", "config", "2016", "layout", "\n"}
	var buf bytes.Buffer
	x := uint32(1)
	for buf.Len() < 64<<10 {
		x = x*1664525 + 1013904223
		buf.WriteString(words[(x>>16)%uint32(len(words))])
		buf.WriteByte(' ')
	}
	body := buf.Bytes()[:64<<10]
	for _, c := range []struct {
		name string
		e    http1.Coding
	}{{"gzip", http1.CodingGzip}, {"deflate", http1.CodingDeflate}, {"br", http1.CodingBrotli}, {"zstd", http1.CodingZstd}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			var n int
			for b.Loop() {
				n = len(compress(body, c.e))
			}
			b.ReportMetric(float64(n), "bytes")
		})
	}
}

// hasAwaited is Has, waiting for a variant built in the background.
func hasAwaited(en *Entry, e http1.Coding) bool {
	if en.Has(e) {
		return true
	}
	if b := en.bg[e]; b != nil {
		<-b.done
	}
	return en.Has(e)
}

// TestBrotliIsBuiltOffTheLoop: the first ask for br starts the build and
// is answered without it; once the build is over br is served.
func TestBrotliIsBuiltOffTheLoop(t *testing.T) {
	body := bytes.Repeat([]byte("<p>compressible</p>\n"), 100)
	en := newEntry(body, time.Unix(0, 0), html)
	if en.Has(http1.CodingBrotli) {
		t.Fatal("br ready at the first ask")
	}
	b := en.bg[http1.CodingBrotli]
	if b == nil {
		t.Fatal("no build started")
	}
	<-b.done
	if !en.Has(http1.CodingBrotli) || en.bg[http1.CodingBrotli] != nil {
		t.Fatal("br not served once built")
	}
	if n := testing.AllocsPerRun(100, func() { en.Has(http1.CodingBrotli) }); n != 0 {
		t.Errorf("Has once built: %v allocations", n)
	}
}
