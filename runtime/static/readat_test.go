package static

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// openFile opens path as the cache would, as a File.
func openFile(t *testing.T, path string) *File {
	t.Helper()
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	f := newFile(fd, &st, mimeOf([]byte("bin")))
	t.Cleanup(f.Release)
	return f
}

func TestReadAtReadsTheMappedFile(t *testing.T) {
	t.Parallel()
	want := bytes.Repeat([]byte("0123456789abcdef"), 3*mapMin/16+1)
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, want, 0o644); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, path)
	var got []byte
	p := make([]byte, 16<<10+7) // pieces that do not divide the file
	for off := int64(0); ; {
		n, err := f.ReadAt(p, off)
		if err == io.EOF {
			break
		}
		if err != nil || n <= 0 {
			t.Fatalf("ReadAt at %d: %d, %v", off, n, err)
		}
		if f.mem == nil {
			t.Fatal("a file of mapMin bytes or more is not mapped")
		}
		got = append(got, p[:n]...)
		off += int64(n)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes, not the file's %d", len(got), len(want))
	}
	f.Release()
	if f.mem != nil || f.FD != -1 {
		t.Fatal("the mapping outlives the file's last use")
	}
}

// A mapped file that shrinks: reading its lost pages faults (SIGBUS),
// which without the recovery in copyMapped kills the process.
func TestReadAtShrunkFileIsAnErrorNotACrash(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.bin")
	if err := os.WriteFile(path, make([]byte, 4*mapMin), 0o644); err != nil {
		t.Fatal(err)
	}
	f := openFile(t, path)
	p := make([]byte, 16<<10)
	if n, err := f.ReadAt(p, 0); n != len(p) || err != nil || f.mem == nil {
		t.Fatalf("first read: %d, %v (mapped %v)", n, err, f.mem != nil)
	}
	if err := os.Truncate(path, mapMin); err != nil {
		t.Fatal(err)
	}
	n, err := f.ReadAt(p, 2*mapMin)
	if n != 0 || !errors.Is(err, ErrShrunk) {
		t.Fatalf("read past the new end: %d, %v; want ErrShrunk", n, err)
	}
	if f.mem != nil {
		t.Fatal("the mapping is kept after a fault")
	}
	// What is left reads on, with pread.
	if n, err := f.ReadAt(p, 0); n != len(p) || err != nil {
		t.Fatalf("read before the new end: %d, %v", n, err)
	}
}
