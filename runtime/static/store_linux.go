package static

import (
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Cache is one worker's file cache: files up to a size limit held in
// memory, keyed by their cleaned request path per root, and dropped the
// moment inotify reports a change in their directory. It is owned by one
// event loop and is not safe for concurrent use.
type Cache struct {
	maxFile int64
	roots   map[int]map[string]*Entry // Root.id → path → entry
	ino     int                       // inotify descriptor, non-blocking
	dirs    map[int32][]watchedDir    // watch descriptor → directories it stands for
	watched map[watchedDir]int32
	evbuf   []byte

	maxBytes int64 // budget of mem: bodies, variants, overhead
	maxOpen  int   // bound of files
	mem      lru   // entries held in memory
	files    lru   // entries kept open (Entry.File)
	now      int64 // seconds, set by Tick
}

type watchedDir struct {
	root int
	dir  string // "/", "/a/", …
}

const watchMask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE |
	unix.IN_MOVED_FROM | unix.IN_MOVED_TO | unix.IN_CREATE | unix.IN_DELETE |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR

// NewCache makes a cache for files of at most maxFile bytes (0 caches
// nothing) with its own inotify descriptor. Its bodies in memory share a
// budget of 64 MiB or 8 × maxFile, whichever is more; it keeps at most
// min(1000, RLIMIT_NOFILE/4) files open (see SetLimits).
func NewCache(maxFile int64) (*Cache, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	return &Cache{
		maxFile: maxFile,
		roots:   make(map[int]map[string]*Entry),
		ino:     fd,
		dirs:    make(map[int32][]watchedDir),
		watched: make(map[watchedDir]int32),
		evbuf:   make([]byte, 16<<10),

		maxBytes: max(defaultMaxBytes, 8*maxFile),
		maxOpen:  openLimit(),
		now:      time.Now().Unix(),
	}, nil
}

// FD is the inotify descriptor for the owner's epoll set; call
// HandleEvents when it is readable.
func (c *Cache) FD() int { return c.ino }

// Close drops every entry (closing the files kept open that no response
// is sending from) and releases the inotify descriptor.
func (c *Cache) Close() error {
	c.dropAll()
	return unix.Close(c.ino)
}

func (c *Cache) dropAll() {
	for _, m := range c.roots {
		for k := range m {
			c.remove(m, k)
		}
	}
}

// Len is the number of cached paths.
func (c *Cache) Len() int {
	n := 0
	for _, m := range c.roots {
		n += len(m)
	}
	return n
}

// Lookup returns the cached entry for a cleaned path, or nil, and marks it
// used. It does not allocate, lock or make a system call.
func (c *Cache) Lookup(root *Root, path []byte) *Entry {
	en := c.roots[root.id][string(path)]
	if en != nil {
		en.lastUse = c.now
		en.list.toFront(en)
	}
	return en
}

// store caches en under each of its names.
func (c *Cache) store(root *Root, en *Entry) {
	m := c.roots[root.id]
	if m == nil {
		m = make(map[string]*Entry)
		c.roots[root.id] = m
	}
	for _, k := range en.names {
		if old := m[k]; old != nil && old != en {
			c.remove(m, k) // the file itself, cached before under its own name
		}
		m[k] = en
	}
	if en.File != nil {
		en.File.cached = true
	}
	en.root, en.c = root.id, c
	c.admit(en)
}

// remove drops the entry cached under key, under all its names: a change
// to a directory's index file also drops the directory's own key, wherever
// the index lives. An open file is closed once no response uses it.
func (c *Cache) remove(m map[string]*Entry, key string) {
	en := m[key]
	if en == nil {
		return
	}
	for _, k := range en.names {
		if m[k] == en {
			delete(m, k)
		}
	}
	if en.list != nil {
		en.list.unlink(en)
	}
	if en.File != nil {
		en.File.cached = false
		en.File.closeIfUnused()
	}
}

// watch makes sure changes in directory dir of root are reported: ok
// when they are, added when the watch is new (a change just before it may
// have gone unseen). It must be called before the file is read.
func (c *Cache) watch(root *Root, dir string) (ok, added bool) {
	wk := watchedDir{root.id, dir}
	if _, ok := c.watched[wk]; ok {
		return true, false
	}
	wd, err := unix.InotifyAddWatch(c.ino, root.dir+dir, watchMask)
	if err != nil {
		return false, false // out of watches, say: serve without caching
	}
	c.watched[wk] = int32(wd)
	c.dirs[int32(wd)] = append(c.dirs[int32(wd)], wk)
	return true, true
}

// HandleEvents reads every pending inotify event and drops what it touches.
func (c *Cache) HandleEvents() {
	for {
		n, err := unix.Read(c.ino, c.evbuf)
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			return
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&c.evbuf[off]))
			name := c.evbuf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			if i := indexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			c.event(ev.Wd, ev.Mask, string(name))
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

func (c *Cache) event(wd int32, mask uint32, name string) {
	if mask&unix.IN_Q_OVERFLOW != 0 {
		c.dropAll()
		return
	}
	for _, w := range c.dirs[wd] {
		m := c.roots[w.root]
		switch {
		case mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_IGNORED|unix.IN_UNMOUNT) != 0:
			c.dropPrefix(m, w.dir)
		case name != "":
			c.remove(m, w.dir+name)
			c.remove(m, w.dir) // the directory's index may have changed
			if orig := sidecarOf(name); orig != "" {
				c.remove(m, w.dir+orig) // a sidecar came, changed or went
			}
			if mask&unix.IN_ISDIR != 0 || strings.IndexByte(name, '/') < 0 {
				c.dropPrefix(m, w.dir+name+"/")
			}
		}
	}
	if mask&unix.IN_IGNORED != 0 {
		for _, w := range c.dirs[wd] {
			delete(c.watched, w)
		}
		delete(c.dirs, wd)
	}
}

func (c *Cache) dropPrefix(m map[string]*Entry, prefix string) {
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			c.remove(m, k)
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Result is what Resolve found for a path.
type Result struct {
	Status int    // 200; 301 (a directory asked for without its slash); 403; 404
	Entry  *Entry // the file, cached (held in memory, or open: Entry.File)
	File   *File  // or the file, open and not cached: the caller Releases it
	Size   int64
	Mod    time.Time
	MIME   *MIME
	Err    error // the cause of a 500
}

// Resolve finds the file for a cleaned path (leading "/", no dot segments),
// trying the root's index files for a directory, and caches it when it is
// small enough. mimeOf maps an extension to its type (nil: unknown).
func (c *Cache) Resolve(root *Root, path []byte, mimeOf func(ext []byte) *MIME) Result {
	key := string(path)
	if key[len(key)-1] == '/' {
		return c.index(root, key, mimeOf)
	}
	fd, st, status, err := c.open(root, key)
	if status != 200 {
		return Result{Status: status, Err: err}
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		unix.Close(fd)
		return Result{Status: 301}
	}
	return c.load(root, key, key, fd, &st, mimeOf)
}

func (c *Cache) index(root *Root, dir string, mimeOf func(ext []byte) *MIME) Result {
	fd, st, status, err := c.open(root, dir)
	if status != 200 {
		return Result{Status: status, Err: err}
	}
	unix.Close(fd)
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return Result{Status: 404} // "/file.html/"
	}
	for _, idx := range root.Index {
		file := dir + strings.TrimPrefix(idx, "/")
		fd, st, status, err := c.open(root, file)
		if status == 500 {
			return Result{Status: status, Err: err}
		}
		if status != 200 {
			continue
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			unix.Close(fd)
			continue
		}
		return c.load(root, dir, file, fd, &st, mimeOf)
	}
	return Result{Status: 404}
}

// open is open, but out of descriptors it closes the least recently used
// file the cache keeps open (and no response is sending from) and tries
// again.
func (c *Cache) open(root *Root, path string) (int, unix.Stat_t, int, error) {
	for {
		fd, st, status, err := open(root, path)
		if (err == unix.EMFILE || err == unix.ENFILE) && c.shedFile() {
			continue
		}
		return fd, st, status, err
	}
}

// open opens a cleaned path beneath root and stats it; err is the cause
// of a 500.
func open(root *Root, path string) (int, unix.Stat_t, int, error) {
	var st unix.Stat_t
	fd, err := root.openBeneath(path[1:])
	if err != nil {
		status := errStatus(err)
		if status != 500 {
			err = nil
		}
		return -1, st, status, err
	}
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, st, 500, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG, unix.S_IFDIR:
		return fd, st, 200, nil
	}
	unix.Close(fd)
	return -1, st, 403, nil
}

func errStatus(err error) int {
	switch err {
	case unix.ENOENT, unix.ENOTDIR, unix.ENAMETOOLONG:
		return 404
	case unix.EACCES, unix.EPERM, unix.EXDEV, unix.ELOOP:
		return 403 // EXDEV: the path tried to leave the root
	}
	return 500
}

// load serves the regular file open at fd, found for key; file is its own
// path (differs from key for an index file). A file up to maxFile bytes is
// read and cached in memory, a larger one is cached open (see File); with
// maxFile 0 nothing is cached. What it returns knows the file's extension.
func (c *Cache) load(root *Root, key, file string, fd int, st *unix.Stat_t, mimeOf func(ext []byte) *MIME) Result {
	res := c.loadFile(root, key, file, fd, st, mimeOf)
	if ext := Ext([]byte(file)); len(ext) > 0 {
		e := string(ext)
		if en := res.Entry; en != nil {
			en.Ext = e
			if en.File != nil {
				en.File.Ext = e
			}
		}
		if res.File != nil {
			res.File.Ext = e
		}
	}
	if f := res.File; f != nil {
		attachSidecars(root, file, f)
	} else if res.Entry != nil && res.Entry.File != nil {
		attachSidecars(root, file, res.Entry.File)
	}
	return res
}

func (c *Cache) loadFile(root *Root, key, file string, fd int, st *unix.Stat_t, mimeOf func(ext []byte) *MIME) Result {
	mime := mimeOf([]byte(Ext([]byte(file))))
	if c.maxFile <= 0 {
		f := newFile(fd, st, mime)
		return Result{Status: 200, File: f, Size: f.Size, Mod: f.Mod, MIME: mime}
	}
	// Only a file whose real path is the one asked for is cached: through
	// a symlink, a change to the target is reported in another directory
	// (or not at all), so such a file is opened for each request.
	if !root.direct(fd, file) {
		return c.uncached(fd, st, mime)
	}
	// Watch before reading, so a change after the read is seen.
	cacheable, fresh := c.watch(root, dirOf(file))
	if cacheable && key != file {
		var keyFresh bool
		cacheable, keyFresh = c.watch(root, dirOf(key))
		fresh = fresh || keyFresh
	}
	if cacheable && fresh {
		// The file was opened before its directory was watched: open it
		// again, so what is served is covered by the watch.
		unix.Close(fd)
		var status int
		var err error
		if fd, *st, status, err = c.open(root, file); status != 200 || st.Mode&unix.S_IFMT != unix.S_IFREG {
			if status == 200 {
				unix.Close(fd)
				status = 404
			}
			return Result{Status: status, Err: err}
		}
		if !root.direct(fd, file) { // replaced by a symlink meanwhile
			return c.uncached(fd, st, mime)
		}
	}
	res := Result{Status: 200, Size: st.Size, Mod: time.Unix(st.Mtim.Unix()), MIME: mime}
	var en *Entry
	if st.Size > c.maxFile {
		f := newFile(fd, st, mime)
		if !cacheable || c.maxOpen <= 0 {
			res.File = f
			return res
		}
		en = &Entry{Size: f.Size, ModTime: f.Mod, MIME: mime, File: f}
	} else {
		body, err := readAll(fd, st.Size)
		unix.Close(fd)
		if err != nil {
			return Result{Status: 500, Err: err}
		}
		res.Size = int64(len(body))
		en = newEntry(body, res.Mod, mime)
	}
	res.Entry = en
	if cacheable {
		en.names = append(en.names, key)
		if key != file {
			en.names = append(en.names, file)
		}
		c.store(root, en)
	}
	return res
}

// uncached serves the file open at fd without caching it: a small one is
// read into an entry of its own, a large one is sent from fd and closed.
func (c *Cache) uncached(fd int, st *unix.Stat_t, mime *MIME) Result {
	mod := time.Unix(st.Mtim.Unix())
	if st.Size > c.maxFile {
		f := newFile(fd, st, mime)
		return Result{Status: 200, File: f, Size: f.Size, Mod: mod, MIME: mime}
	}
	body, err := readAll(fd, st.Size)
	unix.Close(fd)
	if err != nil {
		return Result{Status: 500, Err: err}
	}
	return Result{Status: 200, Entry: newEntry(body, mod, mime), Size: int64(len(body)), Mod: mod, MIME: mime}
}

func readAll(fd int, size int64) ([]byte, error) {
	buf := make([]byte, size)
	n := 0
	for n < len(buf) {
		m, err := unix.Pread(fd, buf[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("pread", err)
		}
		if m == 0 {
			break // truncated while we read: serve what is there
		}
		n += m
	}
	return buf[:n], nil
}

// FirstIndex returns the path of the first of root's index files that
// exists as a regular file in directory dir (a cleaned path ending in "/"),
// or "" when none does. It only looks: nothing is read or cached.
func (r *Root) FirstIndex(dir []byte) string {
	for _, idx := range r.Index {
		file := string(dir) + strings.TrimPrefix(idx, "/")
		fd, st, status, _ := open(r, file)
		if status != 200 {
			continue
		}
		unix.Close(fd)
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			return file
		}
	}
	return ""
}
