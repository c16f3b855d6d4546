package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/http1"
)

var html = &MIME{Type: "text/html", Compress: true}

func mimeOf(ext []byte) *MIME {
	if string(ext) == "html" {
		return html
	}
	return nil
}

func newRoot(t *testing.T, files map[string]string) (*Root, string) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := &Root{Dir: dir, Index: []string{"/index.html", "/index.htm"}}
	if err := r.Open(dir, 0); err != nil {
		t.Fatal(err)
	}
	return r, dir
}

func TestResolve(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o644)
	r, dir := newRoot(t, map[string]string{
		"index.html":     "root index",
		"sub/index.htm":  "sub index",
		"empty/.keep":    "",
		"a.html":         "a",
		"big.bin":        string(bytes.Repeat([]byte("x"), 4096)),
		"sub/deep/x.txt": "x",
	})
	os.Symlink(outside, filepath.Join(dir, "escape"))
	os.Symlink("a.html", filepath.Join(dir, "inside"))
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cases := []struct {
		path   string
		status int
		body   string
		file   bool // too large for the cache: an open descriptor
		direct bool // not through a symlink: cached
	}{
		{"/", 200, "root index", false, true},
		{"/sub/", 200, "sub index", false, true},
		{"/sub", 301, "", false, false},
		{"/empty/", 404, "", false, false},
		{"/a.html", 200, "a", false, true},
		{"/a.html/", 404, "", false, false},
		{"/missing", 404, "", false, false},
		{"/escape", 403, "", false, false},
		{"/inside", 200, "a", false, false},
		{"/big.bin", 200, "", true, true},
	}
	for _, tc := range cases {
		res := c.Resolve(r, []byte(tc.path), mimeOf)
		if res.Status != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, res.Status, tc.status)
			continue
		}
		if tc.file {
			if res.Entry == nil || res.Entry.File == nil || res.Entry.File.FD < 0 || res.Size != 4096 {
				t.Errorf("%s: want a cached open file of 4096 bytes, got %+v", tc.path, res)
			}
			if c.Lookup(r, []byte(tc.path)) != res.Entry {
				t.Errorf("%s: open file not cached", tc.path)
			}
			continue
		}
		if tc.status == 200 {
			if res.Entry == nil || string(res.Entry.Body(http1.CodingIdentity)) != tc.body {
				t.Errorf("%s: entry %+v", tc.path, res.Entry)
			}
			if cached := c.Lookup(r, []byte(tc.path)) == res.Entry; cached != tc.direct {
				t.Errorf("%s: cached %v, want %v", tc.path, cached, tc.direct)
			}
		}
	}
}

func TestVariantsAndHeaders(t *testing.T) {
	body := bytes.Repeat([]byte("<p>compressible</p>\n"), 100)
	en := newEntry(body, time.Unix(1700000000, 0), html)
	if v := en.Variant(true, true); v != http1.CodingGzip {
		t.Fatalf("variant %v", v)
	}
	zr, err := gzip.NewReader(bytes.NewReader(en.Body(http1.CodingGzip)))
	if err != nil {
		t.Fatal(err)
	}
	if plain, _ := io.ReadAll(zr); !bytes.Equal(plain, body) {
		t.Error("gzip variant does not inflate to the body")
	}
	if v := en.Variant(false, true); v != http1.CodingDeflate {
		t.Errorf("deflate only: %v", v)
	}
	if en.ETag(http1.CodingGzip) == en.ETag(http1.CodingIdentity) || en.ETag(http1.CodingDeflate) == en.ETag(http1.CodingGzip) {
		t.Error("variants share an ETag")
	}
	h := string(en.Header(http1.CodingGzip))
	for _, want := range []string{"Content-Type: text/html\r\n", "Content-Encoding: gzip\r\n", "Vary: Accept-Encoding\r\n", "Last-Modified: Tue, 14 Nov 2023 22:13:20 GMT\r\n"} {
		if !bytes.Contains([]byte(h), []byte(want)) {
			t.Errorf("gzip header lacks %q:\n%s", want, h)
		}
	}
	// A body that does not shrink is not worth a variant.
	tiny := newEntry([]byte("x"), time.Unix(0, 0), html)
	if v := tiny.Variant(true, true); v != http1.CodingIdentity {
		t.Errorf("one byte compressed: %v", v)
	}
	// Not compressible by type.
	bin := newEntry(body, time.Unix(0, 0), nil)
	if v := bin.Variant(true, true); v != http1.CodingIdentity || !bytes.Contains(bin.Header(http1.CodingIdentity), []byte("application/octet-stream")) {
		t.Errorf("untyped: %v %s", v, bin.Header(http1.CodingIdentity))
	}
}

func TestInotifyDropsChangedEntries(t *testing.T) {
	r, dir := newRoot(t, map[string]string{"index.html": "v1", "sub/a.html": "a1"})
	c, err := NewCache(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range []string{"/", "/index.html", "/sub/a.html"} {
		if res := c.Resolve(r, []byte(p), mimeOf); res.Entry == nil {
			t.Fatalf("%s not cached: %+v", p, res)
		}
	}
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("v2"), 0o644)
	os.RemoveAll(filepath.Join(dir, "sub"))
	deadline := time.Now().Add(2 * time.Second)
	for c.Lookup(r, []byte("/")) != nil || c.Lookup(r, []byte("/index.html")) != nil || c.Lookup(r, []byte("/sub/a.html")) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("entries still cached after the change (%d)", c.Len())
		}
		time.Sleep(5 * time.Millisecond) // events arrive asynchronously
		c.HandleEvents()
	}
	if res := c.Resolve(r, []byte("/"), mimeOf); res.Entry == nil || string(res.Entry.Body(http1.CodingIdentity)) != "v2" {
		t.Errorf("after the change: %+v", res)
	}
}

func TestFirstIndexAndExt(t *testing.T) {
	r, _ := newRoot(t, map[string]string{"app/index.htm": "x", "dirindex/index.html/x": "a directory named like an index"})
	if got := r.FirstIndex([]byte("/app/")); got != "/app/index.htm" {
		t.Errorf("FirstIndex /app/ = %q", got)
	}
	if got := r.FirstIndex([]byte("/dirindex/")); got != "" {
		t.Errorf("a directory is not an index file: %q", got)
	}
	for in, want := range map[string]string{"/a.html": "html", "/a.b/c": "", "/x.": "", "/.htaccess": "htaccess", "/": ""} {
		if got := string(Ext([]byte(in))); got != want {
			t.Errorf("Ext(%q) = %q, want %q", in, got, want)
		}
	}
}

// fdOpen reports whether descriptor fd is open in this process.
func fdOpen(fd int) bool {
	_, err := os.Stat("/proc/self/fd/" + strconv.Itoa(fd))
	return err == nil
}

// waitDropped handles inotify events until path is no longer cached.
func waitDropped(t *testing.T, c *Cache, r *Root, path string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for c.Lookup(r, []byte(path)) != nil {
		if time.Now().After(deadline) {
			t.Fatalf("%s still cached after the change", path)
		}
		time.Sleep(5 * time.Millisecond) // events arrive asynchronously
		c.HandleEvents()
	}
}

func TestOpenFileCache(t *testing.T) {
	big := string(bytes.Repeat([]byte("b"), 2048))
	r, dir := newRoot(t, map[string]string{"big.bin": big, "other.bin": big})
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res := c.Resolve(r, []byte("/big.bin"), mimeOf)
	if res.Entry == nil || res.Entry.File == nil {
		t.Fatalf("big.bin not cached open: %+v", res)
	}
	f := res.Entry.File
	fd := f.FD
	if again := c.Lookup(r, []byte("/big.bin")); again == nil || again.File != f {
		t.Fatalf("second lookup: %+v, want the same open file", again)
	}
	// A response is sending from it when the file changes: the descriptor
	// stays open for that response and is closed when it is done.
	f.Hold()
	os.WriteFile(filepath.Join(dir, "big.bin"), []byte(big+"more"), 0o644)
	waitDropped(t, c, r, "/big.bin")
	if !fdOpen(fd) || f.FD != fd {
		t.Fatal("descriptor closed under a response still sending from it")
	}
	f.Release()
	if fdOpen(fd) || f.FD != -1 {
		t.Fatal("descriptor of a dropped file still open after its last response")
	}
	res = c.Resolve(r, []byte("/big.bin"), mimeOf)
	if res.Entry == nil || res.Entry.File == nil || res.Entry.File.Size != int64(len(big))+4 {
		t.Fatalf("after the change: %+v", res)
	}
	// Unused when dropped: closed at once.
	other := c.Resolve(r, []byte("/other.bin"), mimeOf).Entry.File
	ofd := other.FD
	os.Remove(filepath.Join(dir, "other.bin"))
	waitDropped(t, c, r, "/other.bin")
	if fdOpen(ofd) {
		t.Fatal("descriptor of a deleted file still open")
	}
}

func TestOpenFileNotCachedWhenCachingIsOff(t *testing.T) {
	r, _ := newRoot(t, map[string]string{"a.html": "a"})
	c, err := NewCache(0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res := c.Resolve(r, []byte("/a.html"), mimeOf)
	if res.Entry != nil || res.File == nil || res.File.Size != 1 {
		t.Fatalf("with caching off: %+v, want an uncached open file", res)
	}
	fd := res.File.FD
	res.File.Release()
	if fdOpen(fd) {
		t.Fatal("an uncached file stays open after its response")
	}
}

// An index file in a subdirectory of the requested one: a change to it
// must drop the directory's key too, though the event names another
// directory.
func TestIndexInAnotherDirectoryDropsBothKeys(t *testing.T) {
	r, dir := newRoot(t, map[string]string{"d/sub/i.html": "v1"})
	r.Index = []string{"/sub/i.html"}
	c, err := NewCache(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if res := c.Resolve(r, []byte("/d/"), mimeOf); res.Entry == nil || string(res.Entry.Body(http1.CodingIdentity)) != "v1" {
		t.Fatalf("/d/: %+v", res)
	}
	os.WriteFile(filepath.Join(dir, "d/sub/i.html"), []byte("v2"), 0o644)
	waitDropped(t, c, r, "/d/")
	if res := c.Resolve(r, []byte("/d/"), mimeOf); res.Entry == nil || string(res.Entry.Body(http1.CodingIdentity)) != "v2" {
		t.Fatalf("/d/ after the change: %+v", res)
	}
}

// A file served through a symlink into another directory: its changes are
// reported there, not in the directory of the requested path, so it must
// not be served stale (nor kept open once replaced).
func TestSymlinkedFileFollowsItsTarget(t *testing.T) {
	big := string(bytes.Repeat([]byte("b"), 2048))
	r, dir := newRoot(t, map[string]string{"data/v.txt": "v1", "data/big.bin": big, "www/x": ""})
	os.Symlink("../data/v.txt", filepath.Join(dir, "www/cur.txt"))
	os.Symlink("../data/big.bin", filepath.Join(dir, "www/big.bin"))
	os.Symlink("data", filepath.Join(dir, "linkdir"))
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	get := func(path string) string {
		t.Helper()
		if en := c.Lookup(r, []byte(path)); en != nil {
			return string(en.Body(http1.CodingIdentity))
		}
		res := c.Resolve(r, []byte(path), mimeOf)
		if res.Status != 200 || res.Entry == nil {
			t.Fatalf("%s: %+v", path, res)
		}
		return string(res.Entry.Body(http1.CodingIdentity))
	}
	for _, p := range []string{"/www/cur.txt", "/linkdir/v.txt"} {
		if got := get(p); got != "v1" {
			t.Fatalf("%s: %q", p, got)
		}
	}
	// Replace the target as an editor or a deployment would.
	tmp := filepath.Join(dir, "data/.v.tmp")
	os.WriteFile(tmp, []byte("v2"), 0o644)
	if err := os.Rename(tmp, filepath.Join(dir, "data/v.txt")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		time.Sleep(5 * time.Millisecond)
		c.HandleEvents()
		if get("/www/cur.txt") == "v2" && get("/linkdir/v.txt") == "v2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("served stale through the symlink: %q, %q", get("/www/cur.txt"), get("/linkdir/v.txt"))
		}
	}
	// A large file through a symlink is not kept open: its descriptor is
	// the response's, closed when it is done.
	res := c.Resolve(r, []byte("/www/big.bin"), mimeOf)
	if res.Status != 200 || res.Entry != nil || res.File == nil {
		t.Fatalf("/www/big.bin: %+v, want an uncached open file", res)
	}
	fd := res.File.FD
	res.File.Release()
	if fdOpen(fd) {
		t.Fatal("the symlinked file stays open after its response")
	}
}

// The open files a cache keeps are bounded; the least recently used goes
// first, unless a response is still sending from it, which keeps it open
// until released.
func TestOpenFilesAreBounded(t *testing.T) {
	big := string(bytes.Repeat([]byte("b"), 2048))
	files := map[string]string{}
	for i := range 10 {
		files["f"+strconv.Itoa(i)] = big
	}
	r, _ := newRoot(t, files)
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.maxOpen < 1 || c.maxOpen > maxOpenCap {
		t.Fatalf("default open-file bound %d", c.maxOpen)
	}
	c.SetLimits(1<<20, 3)
	var fs []*File // descriptor numbers are reused: look at File.FD
	var held *File
	for i := range 10 {
		res := c.Resolve(r, []byte("/f"+strconv.Itoa(i)), mimeOf)
		if res.Entry == nil || res.Entry.File == nil {
			t.Fatalf("f%d: %+v", i, res)
		}
		fs = append(fs, res.Entry.File)
		if i == 0 {
			held = res.Entry.File
			held.Hold()
		}
		if i == 1 {
			c.Lookup(r, []byte("/f0")) // f0 used again
		}
		if _, _, n := c.Stats(); n > 3 {
			t.Fatalf("%d files kept open, bound 3", n)
		}
	}
	for i := range 7 {
		if i != 0 && fs[i].FD >= 0 {
			t.Errorf("f%d evicted but still open", i)
		}
	}
	for i := 7; i < 10; i++ {
		if !fdOpen(fs[i].FD) || c.Lookup(r, []byte("/f"+strconv.Itoa(i))) == nil {
			t.Errorf("f%d, among the last used, not kept open", i)
		}
	}
	if held.FD < 0 || !fdOpen(held.FD) {
		t.Fatal("a file being sent was closed by eviction")
	}
	held.Release()
	if held.FD != -1 {
		t.Fatal("an evicted file still open after its last response")
	}
}

// Least recently used order: a hit moves an entry to the front.
func TestEvictionIsLeastRecentlyUsed(t *testing.T) {
	r, _ := newRoot(t, map[string]string{"a.html": "a", "b.html": "b", "c.html": "c"})
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetLimits(2*(entryOverhead+200), 10) // room for two small entries
	c.Resolve(r, []byte("/a.html"), mimeOf)
	c.Resolve(r, []byte("/b.html"), mimeOf)
	c.Lookup(r, []byte("/a.html"))
	c.Resolve(r, []byte("/c.html"), mimeOf)
	if c.Lookup(r, []byte("/b.html")) != nil || c.Lookup(r, []byte("/a.html")) == nil || c.Lookup(r, []byte("/c.html")) == nil {
		t.Fatalf("want b evicted, a and c kept (%d entries)", c.Len())
	}
}

// Open files no request has used for inactiveSecs are closed by Tick.
func TestInactiveOpenFilesAreClosed(t *testing.T) {
	big := string(bytes.Repeat([]byte("b"), 2048))
	r, _ := newRoot(t, map[string]string{"old.bin": big, "new.bin": big})
	c, err := NewCache(1024)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t0 := time.Unix(1_000_000, 0)
	c.Tick(t0)
	oldFD := c.Resolve(r, []byte("/old.bin"), mimeOf).Entry.File.FD
	c.Tick(t0.Add(30 * time.Second))
	newFD := c.Resolve(r, []byte("/new.bin"), mimeOf).Entry.File.FD
	c.Tick(t0.Add((inactiveSecs - 1) * time.Second))
	if !fdOpen(oldFD) {
		t.Fatal("closed before it was inactive")
	}
	c.Tick(t0.Add(inactiveSecs * time.Second))
	if fdOpen(oldFD) || c.Lookup(r, []byte("/old.bin")) != nil {
		t.Fatal("a file unused for the inactive time still open")
	}
	if !fdOpen(newFD) || c.Lookup(r, []byte("/new.bin")) == nil {
		t.Fatal("a recently used file was closed")
	}
}

// The bodies in memory, with the compressed variants built on first use,
// stay within the byte budget.
func TestMemoryIsBounded(t *testing.T) {
	body := strings.Repeat("<p>compressible but not entirely: ", 1000)
	files := map[string]string{}
	for i := range 40 {
		files["p"+strconv.Itoa(i)+".html"] = body + strconv.Itoa(i*7919)
	}
	r, _ := newRoot(t, files)
	c, err := NewCache(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.maxBytes != defaultMaxBytes {
		t.Fatalf("default budget %d", c.maxBytes)
	}
	const budget = 200 << 10
	c.SetLimits(budget, 10)
	for i := range 40 {
		p := []byte("/p" + strconv.Itoa(i) + ".html")
		res := c.Resolve(r, p, mimeOf)
		if res.Entry == nil {
			t.Fatalf("%s: %+v", p, res)
		}
		if en := c.Lookup(r, p); en == nil || en.Variant(true, true) != http1.CodingGzip {
			t.Fatalf("%s: no gzip variant", p)
		}
		if _, b, _ := c.Stats(); b > budget {
			t.Fatalf("after %d files the cache holds %d bytes, budget %d", i+1, b, budget)
		}
	}
	n, b, _ := c.Stats()
	if n == 0 || n != c.Len() || b < int64(n)*int64(len(body)) {
		t.Fatalf("accounting: %d entries (%d keys), %d bytes", n, c.Len(), b)
	}
	// Dropped by inotify: accounted out.
	c.dropAll()
	if n, b, _ := c.Stats(); n != 0 || b != 0 {
		t.Fatalf("after dropping all: %d entries, %d bytes", n, b)
	}
}
