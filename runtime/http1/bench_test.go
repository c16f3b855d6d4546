package http1

import (
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	buf := []byte(browserGET)
	var r Request
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Parse(buf, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePipelined parses 16 small pipelined requests per op, the
// way a loop walks a read buffer.
func BenchmarkParsePipelined(b *testing.B) {
	one := "GET /api/items/42?fields=name HTTP/1.1\r\nHost: api.example.com\r\nAccept: application/json\r\nUser-Agent: bench/1.0\r\n\r\n"
	buf := []byte(strings.Repeat(one, 16))
	var r Request
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		for p := buf; len(p) > 0; {
			n, err := r.Parse(p, nil)
			if err != nil {
				b.Fatal(err)
			}
			p = p[n:]
		}
	}
}

// BenchmarkAcceptEncoding reads a browser's Accept-Encoding and a
// q-weighted one and orders the codings, as a cached GET does.
func BenchmarkAcceptEncoding(b *testing.B) {
	browser, weighted := []byte("gzip, deflate, br, zstd"), []byte("br;q=1.0, gzip;q=0.8, deflate;q=0.9, identity;q=0.1, *;q=0")
	b.ReportAllocs()
	for b.Loop() {
		AcceptEncoding(browser).Order()
		AcceptEncoding(weighted).Order()
	}
}

func BenchmarkCleanPath(b *testing.B) {
	raw := []byte("/static/css/../img/%7Euser//photos/./2024/summer%20holiday.jpg")
	dst := make([]byte, 0, 128)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = CleanPath(dst, raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunked decodes a 64 KiB body sent as 16 chunks of 4 KiB.
func BenchmarkChunked(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 16; i++ {
		sb.WriteString("1000;ext=x\r\n")
		sb.WriteString(strings.Repeat("x", 4096))
		sb.WriteString("\r\n")
	}
	sb.WriteString("0\r\nTrailer: y\r\n\r\n")
	in := []byte(sb.String())
	var c Chunked
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		c.Reset()
		total := 0
		for p := in; len(p) > 0; {
			n, data, done, err := c.Decode(p)
			if err != nil {
				b.Fatal(err)
			}
			total += len(data)
			if done {
				break
			}
			p = p[n:]
		}
		if total != 16*4096 {
			b.Fatal(total)
		}
	}
}
