package server

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Out of descriptors, the file cache gives up the files it keeps open (the
// least recently used first) rather than answer 500: with the open-files
// limit just above what the process holds, many distinct large files and
// then the home page are still served.
func TestOpenFilesGivenBackWhenOutOfDescriptors(t *testing.T) {
	ts := startTestSite(t, nil)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // beyond the memory cache
	const n = 40
	for i := range n {
		if err := os.WriteFile(filepath.Join(ts.www, "f"+strconv.Itoa(i)+".bin"), big, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	restore := lowerOpenFiles(t, 12) // room for a few connections and files
	defer restore()
	var fails []string
	for i := range n {
		out := raw(t, ts.addr, "HEAD /f"+strconv.Itoa(i)+".bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 200") {
			fails = append(fails, strconv.Itoa(i)+": "+strings.SplitN(out, "\r\n", 2)[0])
		}
	}
	home := raw(t, ts.addr, "GET /sub/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	restore()
	if len(fails) > 0 {
		t.Errorf("large files out of descriptors: %v", fails)
	}
	if !strings.HasPrefix(home, "HTTP/1.1 200") {
		t.Errorf("an index page out of descriptors: %q", strings.SplitN(home, "\r\n", 2)[0])
	}
}
