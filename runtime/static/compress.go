package static

import (
	"bytes"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"

	"github.com/hetaoc/hetao/runtime/http1"
)

// compress returns data in coding e at the best compression (nil when it
// cannot): it runs once per file version and worker, the first time a
// client asks for that coding, and the result is served many times. gzip,
// deflate (level 9) and zstd (its best level) run on the event loop, at
// several MB/s of text; brotli at quality 11 is the smallest and slower by
// two orders of magnitude (well under 1 MB/s), so it is built off the loop
// (startBackground) while the client is served its next best coding.
func compress(data []byte, e http1.Coding) []byte {
	var b bytes.Buffer
	b.Grow(len(data)/2 + 64)
	switch e {
	case http1.CodingGzip:
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(data)
		w.Close()
	case http1.CodingDeflate:
		w, _ := zlib.NewWriterLevel(&b, flate.BestCompression)
		w.Write(data)
		w.Close()
	case http1.CodingBrotli:
		w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 22})
		w.Write(data)
		w.Close()
	case http1.CodingZstd:
		enc, err := zstdEncoder()
		if err != nil {
			return nil
		}
		return enc.EncodeAll(data, b.Bytes())
	}
	return b.Bytes()
}

// zstdEncoder is one encoder for the process, made on first use (its
// tables are large); EncodeAll may be called from several loops at once.
var zstdEncoder = sync.OnceValues(func() (*zstd.Encoder, error) {
	return zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedBestCompression),
		zstd.WithEncoderConcurrency(1),
		zstd.WithZeroFrames(true))
})

// slow reports whether coding e is built off the event loop.
func slow(e http1.Coding) bool { return e == http1.CodingBrotli }

// background is a variant being built by a goroutine of its own.
type background struct {
	done chan struct{} // closed when z is set
	z    []byte
}

// slowJobs bounds the background builds running at once in a process, so
// that they take one CPU at most from the loops.
var slowJobs = make(chan struct{}, 1)

// startBackground builds data in coding e off the loop. data must not
// change (a cached body never does).
func startBackground(data []byte, e http1.Coding) *background {
	b := &background{done: make(chan struct{})}
	go func() {
		slowJobs <- struct{}{}
		b.z = compress(data, e)
		<-slowJobs
		close(b.done)
	}()
	return b
}

// ready reports, without blocking, whether the build is over.
func (b *background) ready() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}
