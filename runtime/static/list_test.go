package static

import (
	"os"
	"path/filepath"
	"testing"
)

// TestListStaysBeneathTheRoot: a directory is listed with what its names
// are; a symlink out of the root is not followed into a listing.
func TestListStaysBeneathTheRoot(t *testing.T) {
	r, dir := newRoot(t, map[string]string{"a.txt": "abc", "d/b.txt": "b"})
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret"), []byte("s"), 0o644)
	os.Symlink(outside, filepath.Join(dir, "out"))
	os.Symlink("a.txt", filepath.Join(dir, "link.txt"))
	entries, status, err := r.List("/")
	if status != 200 || err != nil {
		t.Fatalf("%d %v", status, err)
	}
	got := map[string]int64{}
	for _, e := range entries {
		if e.Dir {
			got[e.Name+"/"] = 0
		} else {
			got[e.Name] = e.Size
		}
	}
	if got["a.txt"] != 3 || got["link.txt"] != 3 || len(got) != 4 {
		t.Errorf("%v", got) // a.txt, d/, link.txt, out/ (listed by name; not entered)
	}
	if _, status, _ := r.List("/out/"); status == 200 {
		t.Error("listed a directory outside the root through a symlink")
	}
	if _, status, _ := r.List("/a.txt/"); status != 404 {
		t.Errorf("a file listed as a directory: %d", status)
	}
	if _, status, _ := r.List("/none/"); status != 404 {
		t.Errorf("missing directory: %d", status)
	}
}
