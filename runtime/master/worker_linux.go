package master

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Worker is this process's side of the master/worker protocol.
type Worker struct {
	Slot     int
	Listens  map[int][]int     // listen index → inherited listening sockets
	Commands <-chan byte       // 'T' drain, 'I' stop now, 'L' reopen logs; 'T' also when the master is gone
	Tickets  <-chan [][32]byte // session-ticket keys, newest first: at start, then after each rotation

	ctl    *os.File
	status int

	// MetricsFD is the shared memory of the workers' counters
	// (runtime/metrics); -1 none.
	MetricsFD int
}

// IsWorker reports whether the master started this process as a worker.
func IsWorker() bool { return os.Getenv(EnvWorker) != "" }

// AsWorker takes over the descriptors the master passed down. It returns
// nil when this process is not a worker.
func AsWorker() *Worker {
	s, ok := os.LookupEnv(EnvWorker)
	if !ok {
		return nil
	}
	slot, _ := strconv.Atoi(s)
	w := &Worker{Slot: slot, Listens: ParseListenFDs(os.Getenv(EnvListenFDs)), status: 4, MetricsFD: -1}
	if fd, err := strconv.Atoi(os.Getenv(EnvMetricsFD)); err == nil && fd > 2 {
		unix.CloseOnExec(fd)
		w.MetricsFD = fd
	}
	os.Unsetenv(EnvMetricsFD)
	os.Unsetenv(EnvWorker)
	os.Unsetenv(EnvListenFDs)
	for _, fd := range []int{3, 4} {
		unix.CloseOnExec(fd)
	}
	for _, fds := range w.Listens {
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			unix.SetNonblock(fd, true)
		}
	}
	w.ctl = os.NewFile(3, "master-control")
	cmds := make(chan byte, 4)
	w.Commands = cmds
	keys := make(chan [][32]byte, 1)
	w.Tickets = keys
	go func() {
		r := bufio.NewReader(w.ctl)
		for {
			c, err := r.ReadByte()
			if err == nil && c == 'K' {
				var k [][32]byte
				if k, err = readTicketKeys(r); err == nil {
					select { // only the latest keys matter
					case <-keys:
					default:
					}
					keys <- k
					continue
				}
			}
			if err != nil {
				cmds <- 'T' // the master is gone: finish and exit
				return
			}
			cmds <- c
		}
	}()
	return w
}

// readTicketKeys reads the rest of a 'K' message: a count, then as many
// 32-byte session-ticket keys, newest first (tickets_linux.go).
func readTicketKeys(r *bufio.Reader) ([][32]byte, error) {
	n, err := r.ReadByte()
	if err != nil {
		return nil, err
	}
	keys := make([][32]byte, n)
	for i := range keys {
		if _, err := io.ReadFull(r, keys[i][:]); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Ready tells the master this worker serves.
func (w *Worker) Ready() { w.ctl.WriteString("R\n") }

// Fail tells the master why this worker could not start.
func (w *Worker) Fail(err error) {
	w.ctl.WriteString("E " + strings.ReplaceAll(err.Error(), "\n", " ") + "\n")
}

// Sessions records this worker's session count in the status file.
func (w *Worker) Sessions(n int) { WriteWorkerStatus(w.status, w.Slot, os.Getpid(), n) }
