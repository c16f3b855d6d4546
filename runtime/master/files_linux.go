package master

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// WritePid writes pid to path atomically (a temporary file renamed over it).
func WritePid(path string, pid int) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, pid)
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ReadPid reads the pid in path.
func ReadPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s: no pid in it", path)
	}
	return pid, nil
}

// Alive reports whether a process with pid exists (and is not a zombie).
func Alive(pid int) bool {
	if pid <= 0 || unix.Kill(pid, 0) == unix.ESRCH {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) S …: the state follows the last ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// The status file sits next to the pid file ("hetao.pid" → "hetao.status").
// It holds fixed-size text records: record 0 is the master's, record i+1
// worker i's, which the worker rewrites itself (pwrite) about once a second
// with its session count. A new master writes a new file (renamed over the
// old one), so old workers still draining write into the old, unlinked one.
const statusRecord = 64

func statusPath(pidFile string) string {
	if pidFile == "" {
		return ""
	}
	return strings.TrimSuffix(pidFile, ".pid") + ".status"
}

type statusFile struct {
	path string
	tmp  string // where it is until published
	f    int
}

func createStatus(path string, workers int) (*statusFile, error) {
	if path == "" {
		return nil, nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	fd, err := unix.Open(tmp, unix.O_RDWR|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, &os.PathError{Op: "create", Path: tmp, Err: err}
	}
	s := &statusFile{path: path, tmp: tmp, f: fd}
	for i := 0; i < workers; i++ {
		s.worker(i, 0, 0)
	}
	return s, nil
}

// publish puts the file in place, once the site serves: until then a
// previous master's file stays.
func (s *statusFile) publish() {
	if s != nil && s.tmp != "" {
		os.Rename(s.tmp, s.path)
		s.tmp = ""
	}
}

// fd is the descriptor workers inherit (as 4); -1 (nothing) without a file.
func (s *statusFile) fd() int {
	if s == nil {
		return int(devNull())
	}
	return s.f
}

// master writes the master's record; note is "" or "reload-failed MS"
// (Unix milliseconds), which `site reload` watches for.
func (s *statusFile) master(pid, workers int, note string) {
	if s != nil {
		writeRecord(s.f, 0, strings.TrimSpace(fmt.Sprintf("master %d workers %d %s", pid, workers, note)))
	}
}

func (s *statusFile) worker(slot, pid, sessions int) {
	if s != nil {
		WriteWorkerStatus(s.f, slot, pid, sessions)
	}
}

func (s *statusFile) remove() {
	if s != nil {
		os.Remove(s.path)
	}
}

func (s *statusFile) close() {
	if s != nil && s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
	if s != nil && s.f >= 0 {
		unix.Close(s.f)
		s.f = -1
	}
}

// WriteWorkerStatus rewrites worker slot's record in the status file fd.
func WriteWorkerStatus(fd, slot, pid, sessions int) {
	writeRecord(fd, slot+1, fmt.Sprintf("worker %d pid %d sessions %d", slot, pid, sessions))
}

func writeRecord(fd, i int, s string) {
	b := []byte(fmt.Sprintf("%-*s\n", statusRecord-1, s))
	unix.Pwrite(fd, b[:statusRecord], int64(i*statusRecord))
}

// WorkerStatus is one worker's line of the status file.
type WorkerStatus struct {
	Slot, Pid, Sessions int
}

// Status is what the status file says.
type Status struct {
	Master       int
	ReloadFailed time.Time // the last failed reload, if any
	Workers      []WorkerStatus
}

// ReadStatus reads the status file next to pidFile.
func ReadStatus(pidFile string) (st Status, err error) {
	b, err := os.ReadFile(statusPath(pidFile))
	if err != nil {
		return st, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 2 && f[0] == "master":
			st.Master, _ = strconv.Atoi(f[1])
			if len(f) == 6 && f[4] == "reload-failed" {
				ms, _ := strconv.ParseInt(f[5], 10, 64)
				st.ReloadFailed = time.UnixMilli(ms)
			}
		case len(f) == 6 && f[0] == "worker":
			var w WorkerStatus
			w.Slot, _ = strconv.Atoi(f[1])
			w.Pid, _ = strconv.Atoi(f[3])
			w.Sessions, _ = strconv.Atoi(f[5])
			st.Workers = append(st.Workers, w)
		}
	}
	return st, nil
}

var nullFD = -1

func devNull() uintptr {
	if nullFD < 0 {
		nullFD, _ = unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0)
	}
	return uintptr(nullFD)
}
