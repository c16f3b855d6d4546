package server

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// lowerOpenFiles sets the process's soft open-files limit to room more
// than it has open now; the returned function (also safe to call twice, and
// to defer) restores the limit.
func lowerOpenFiles(t *testing.T, room int) (restore func()) {
	t.Helper()
	var saved unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
		t.Fatal(err)
	}
	restored := false
	restore = func() {
		if !restored {
			restored = true
			if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &saved); err != nil {
				t.Fatal(err)
			}
		}
	}
	low := saved
	low.Cur = uint64(openFDs(t) + room)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	return restore
}

func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Out of descriptors, accept fails while connections stay queued: the
// level-triggered listener must not spin the loop, and accepting resumes
// once descriptors are free again.
func TestAcceptPausesWhenOutOfDescriptors(t *testing.T) {
	ts := startTestSite(t, nil)
	addr := &unix.SockaddrInet4{Port: ts.site.Listens[0].Port, Addr: [4]byte{127, 0, 0, 1}}
	// Client sockets made while descriptors are plentiful; they connect
	// after the limit is lowered (connecting takes no descriptor).
	const n = 12
	var clients [n]int
	for i := range clients {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = fd
		defer unix.Close(fd)
	}
	restore := lowerOpenFiles(t, 3) // room for about three connections
	defer restore()
	// Kept alive: the connections accepted hold their descriptors.
	req := []byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	for _, fd := range clients {
		if err := unix.Connect(fd, addr); err != nil {
			restore()
			t.Fatalf("connect: %v", err)
		}
		if _, err := unix.Write(fd, req); err != nil {
			restore()
			t.Fatal(err)
		}
	}
	time.Sleep(200 * time.Millisecond) // let the loop run into the limit
	before := cpuTime(t)
	time.Sleep(500 * time.Millisecond) // measured: a spinning loop burns all of it
	used := cpuTime(t) - before
	restore()
	if used > 200*time.Millisecond {
		t.Errorf("the process used %v of CPU in 500 ms while out of descriptors", used)
	}
	for i, fd := range clients {
		unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5})
		var got []byte
		buf := make([]byte, 4096)
		for !strings.Contains(string(got), "0123456789") {
			m, err := unix.Read(fd, buf)
			if m <= 0 || err != nil {
				break
			}
			got = append(got, buf[:m]...)
		}
		if !strings.Contains(string(got), "0123456789") {
			t.Fatalf("client %d after the limit was lifted: %q", i, got)
		}
	}
}
