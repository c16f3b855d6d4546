package master

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestParseInherit(t *testing.T) {
	got := parseInherit("127.0.0.1:80=4,5;0.0.0.0:443=6;bad;x:1=2,y")
	want := map[string][]int{"127.0.0.1:80": {4, 5}, "0.0.0.0:443": {6}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseInherit = %v, want %v", got, want)
	}
	if len(parseInherit("")) != 0 {
		t.Errorf("parseInherit(\"\") not empty")
	}
}

func TestParseListenFDs(t *testing.T) {
	got := ParseListenFDs("0=5,6;1=7")
	want := map[int][]int{0: {5, 6}, 1: {7}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseListenFDs = %v, want %v", got, want)
	}
}

func TestAddr(t *testing.T) {
	// Matching is on ip and port: "" and 0.0.0.0 are the same address, and
	// a specific ip is not the wildcard (hetao's bug B6 matched port only).
	if Addr("", 80) != Addr("0.0.0.0", 80) {
		t.Error(`"" and 0.0.0.0 differ`)
	}
	if Addr("127.0.0.1", 80) == Addr("", 80) || Addr("127.0.0.1", 80) == Addr("127.0.0.1", 81) {
		t.Error("distinct addresses match")
	}
}

func TestStatusFile(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "hetao.pid")
	if err := WritePid(pidFile, 1234); err != nil {
		t.Fatal(err)
	}
	if pid, err := ReadPid(pidFile); err != nil || pid != 1234 {
		t.Fatalf("ReadPid = %d, %v", pid, err)
	}
	s, err := createStatus(statusPath(pidFile), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if _, err := ReadStatus(pidFile); err == nil {
		t.Error("status file visible before publish")
	}
	s.master(1234, 2, "")
	s.publish()
	s.worker(0, 2000, 0)
	WriteWorkerStatus(s.fd(), 1, 2001, 17) // as a worker does, through its descriptor
	st, err := ReadStatus(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	want := Status{Master: 1234, Workers: []WorkerStatus{{0, 2000, 0}, {1, 2001, 17}}}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("ReadStatus = %+v, want %+v", st, want)
	}
	now := time.UnixMilli(time.Now().UnixMilli())
	s.master(1234, 2, "reload-failed "+strconv.FormatInt(now.UnixMilli(), 10))
	if st, _ := ReadStatus(pidFile); !st.ReloadFailed.Equal(now) {
		t.Errorf("ReloadFailed = %v, want %v", st.ReloadFailed, now)
	}
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) {
		t.Error("this process is not alive")
	}
	if Alive(0) || Alive(1<<30) {
		t.Error("impossible pids alive")
	}
}

func TestNotifySystemd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NOTIFY_SOCKET", path)
	notifySystemd("MAINPID=42\nREADY=1")
	buf := make([]byte, 64)
	n, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
	if err != nil || string(buf[:n]) != "MAINPID=42\nREADY=1" {
		t.Errorf("systemd got %q, %v", buf[:n], err)
	}
}

// TestImports keeps the package to the standard library and x/sys/unix.
func TestImports(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/hetaoc/hetao/runtime/master" && p != "golang.org/x/sys/unix" {
			t.Errorf("runtime/master depends on %s", p)
		}
	}
}
