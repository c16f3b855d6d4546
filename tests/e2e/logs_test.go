package e2e

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

const containerLogs = `// logs as a container wants them: errors to standard error, one JSON
// access-log line per request to standard output
{
	"worker_processes" : 2,
	"error_log" : "",
	"access_log_format" : json,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "-" }
	}
}
`

// TestContainerLogs runs a site in the foreground with access_log "-" and
// access_log_format json: it prints where it serves on standard error,
// and each request as one JSON object on standard output.
func TestContainerLogs(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(containerLogs, "PORT", port),
		"www/index.html": "<h1>hi</h1>",
	})
	s := start(t, dir, build(t, dir), port)
	banner := fmt.Sprintf("serving http://127.0.0.1:%d/, 2 workers, pid %d\n", port, s.Cmd.Process.Pid)
	for i := 0; i < 3; i++ {
		if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/?n=%d", port, i)); r.status != 200 {
			t.Fatalf("status %d", r.status)
		}
	}
	syscall.Kill(s.Cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-s.Exited:
	case <-time.After(10 * time.Second):
		t.Fatal("TERM did not stop the site")
	}
	out := s.Out.String()
	if !strings.Contains(out, banner) {
		t.Errorf("no %q in the output:\n%s", banner, out)
	}
	var n int
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var l struct {
			URI    string `json:"uri"`
			Status int    `json:"status"`
			Bytes  int    `json:"bytes"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		if l.URI != fmt.Sprintf("/?n=%d", n) || l.Status != 200 || l.Bytes != len("<h1>hi</h1>") {
			t.Errorf("line %d: %q", n, line)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d JSON lines on standard output, want 3:\n%s", n, out)
	}
}
