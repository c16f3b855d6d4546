// Package hetaoapp is the application the end-to-end tests compile into a
// site: ordinary net/http handlers, no dependencies.
package hetaoapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Echo answers, as JSON, what it was asked: method, path, query, the
// X-Test field, the body's length and SHA-256 (and the body itself when
// short), how it was framed, the client's address and the connection the
// request came on.
func Echo(w http.ResponseWriter, r *http.Request) {
	h := sha256.New()
	var head strings.Builder
	n, err := io.Copy(h, io.TeeReader(r.Body, &limited{&head, 64}))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"method":   r.Method,
		"path":     r.URL.Path,
		"query":    r.URL.RawQuery,
		"x-test":   r.Header.Get("X-Test"),
		"host":     r.Host,
		"remote":   r.RemoteAddr,
		"proto":    r.Header.Get("X-Forwarded-Proto"),
		"length":   n,
		"sha256":   hex.EncodeToString(h.Sum(nil)),
		"body":     head.String(),
		"chunked":  len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked",
		"declared": r.ContentLength,
		"conn":     goroutine(),
	})
}

// limited keeps the first n bytes written to it.
type limited struct {
	b *strings.Builder
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if k := min(len(p), l.n-l.b.Len()); k > 0 {
		l.b.Write(p[:k])
	}
	return len(p), nil
}

// goroutine is the number of the goroutine serving the request. net/http
// serves every request of one connection on one goroutine, so equal
// numbers mean one (reused) connection from the site to the app.
func goroutine() string {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return ""
	}
	return f[1]
}

var (
	mu      sync.Mutex
	release = make(chan struct{})
	slowEnd = "none"
)

// Stream writes "first;" and flushes it, waits until /release is
// requested (at most 10 s), then writes "second;" and "done".
func Stream(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	ch := release // before "first;" is out: the client releases after reading it
	mu.Unlock()
	io.WriteString(w, "first;")
	w.(http.Flusher).Flush()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		io.WriteString(w, "never released;")
	}
	io.WriteString(w, "second;")
	w.(http.Flusher).Flush()
	io.WriteString(w, "done")
}

// Control: /release lets Stream go on; /slow-end tells how the last Slow
// ended ("none" before it did).
func Control(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	defer mu.Unlock()
	switch {
	case strings.HasSuffix(r.URL.Path, "/release"):
		close(release)
		release = make(chan struct{})
		io.WriteString(w, "released")
	case strings.HasSuffix(r.URL.Path, "/slow-end"):
		io.WriteString(w, slowEnd)
	default:
		http.NotFound(w, r)
	}
}

// Panic panics before answering, or with ?late=1 after 5 of 100 bytes.
func Panic(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("late") != "" {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "begun")
		panic("hetaoapp: late panic")
	}
	w.Header().Set("X-Never-Sent", "1")
	panic("hetaoapp: deliberate panic")
}

// Slow waits for 30 s, far past the site's timeout, or until the request's
// context ends, and records which.
func Slow(w http.ResponseWriter, r *http.Request) {
	end := "timer"
	select {
	case <-r.Context().Done():
		end = "context: " + r.Context().Err().Error()
	case <-time.After(30 * time.Second):
	}
	mu.Lock()
	slowEnd = end
	mu.Unlock()
	io.WriteString(w, "too late")
}

// Status answers 418 with fields of its own: two Set-Cookie, X-App and a
// Cache-Control, and a body naming the method.
func Status(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Set-Cookie", "a=1; Path=/")
	h.Add("Set-Cookie", "b=2; Path=/")
	h.Set("X-App", "hetaoapp")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusTeapot)
	fmt.Fprintf(w, "I'm a teapot (%s)", r.Method)
}
