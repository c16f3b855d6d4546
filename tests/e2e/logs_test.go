package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hetaoc/hetao/tests/internal/sitetest"
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
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "-" },
		"website" : { "domain" : "quiet.example", "wwwroot" : "www", "index" : "/index.html" }
	}
}
`

// TestContainerLogs runs a site in the foreground with access_log "-" and
// access_log_format json: it prints where it serves on standard error,
// and each request as one JSON object on standard output. A website that
// names no access log writes there too when HETAO_ACCESS_LOG is "-", as
// in the container image.
func TestContainerLogs(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":     conf(containerLogs, "PORT", port),
		"www/index.html": "<h1>hi</h1>",
	})
	s := sitetest.StartEnv(t, dir, build(t, dir), []string{"HETAO_ACCESS_LOG=-"}, []int{port})
	banner := fmt.Sprintf("serving http://127.0.0.1:%d/, 2 workers, pid %d\n", port, s.Cmd.Process.Pid)
	for i := 0; i < 3; i++ {
		host := "127.0.0.1" // the default website, access_log "-"
		if i == 2 {
			host = "quiet.example" // no access_log: HETAO_ACCESS_LOG
		}
		if r := get(t, fmt.Sprintf("http://127.0.0.1:%d/?n=%d", port, i), "Host", host); r.status != 200 {
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

// TestCombinedMatchesNginx sends the same requests to a site with
// access_log_format combined and to nginx writing its combined log, and
// wants the same lines but for the time.
func TestCombinedMatchesNginx(t *testing.T) {
	t.Parallel()
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("nginx is not installed: the combined format is not compared with nginx's own")
	}
	port, nport := freePort(t), unheldPort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf": conf(`{
	"error_log" : "log/error.log",
	"access_log_format" : combined,
	"listen" : { "ip" : "127.0.0.1", "port" : @PORT@,
		"website" : { "domain" : "", "wwwroot" : "www", "index" : "/index.html", "access_log" : "log/access.log" } }
}
`, "PORT", port),
		"www/index.html":  "<h1>hi</h1>",
		"www/a b.txt":     "spaced",
		"nginx/tmp/.keep": "",
	})
	os.WriteFile(filepath.Join(dir, "nginx/nginx.conf"), []byte(conf(`daemon off;
master_process off;
worker_processes 1;
pid @DIR@/nginx/nginx.pid;
error_log @DIR@/nginx/error.log;
events { worker_connections 64; }
http {
	access_log @DIR@/nginx/access.log combined;
	client_body_temp_path @DIR@/nginx/tmp;
	proxy_temp_path @DIR@/nginx/tmp;
	fastcgi_temp_path @DIR@/nginx/tmp;
	uwsgi_temp_path @DIR@/nginx/tmp;
	scgi_temp_path @DIR@/nginx/tmp;
	server { listen 127.0.0.1:@PORT@; root @DIR@/www; }
}
`, "DIR", dir, "PORT", nport)), 0o644)
	ng := exec.Command(nginx, "-c", filepath.Join(dir, "nginx/nginx.conf"), "-e", filepath.Join(dir, "nginx/error.log"))
	var ngOut sitetest.SyncBuffer
	ng.Stdout, ng.Stderr = &ngOut, &ngOut
	if err := ng.Start(); err != nil {
		t.Fatal(err)
	}
	ngDone := make(chan struct{})
	go func() { ng.Wait(); close(ngDone) }()
	t.Cleanup(func() { ng.Process.Kill(); <-ngDone })
	sitetest.WaitServing(t, nport, ngDone)
	s := start(t, dir, build(t, dir), port)

	requests := []string{
		"GET /index.html HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1.0 (x; \"q\" \\ \xe4)\r\nReferer: http://ref.example/p?q=1\r\nConnection: close\r\n\r\n",
		"GET /a%20b.txt?x=%22y%22 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		"HEAD / HTTP/1.0\r\nUser-Agent: curl/8.5.0\r\n\r\n",
	}
	for _, p := range []int{port, nport} {
		for _, req := range requests {
			c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte(req))
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			io.Copy(io.Discard, c) // both close after the answer
			c.Close()
		}
	}
	syscall.Kill(s.Cmd.Process.Pid, syscall.SIGTERM)
	<-s.Exited
	ng.Process.Signal(syscall.SIGQUIT) // nginx's graceful stop: the log is written as it goes
	<-ngDone
	read := func(p string) []string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	ours, theirs := read("log/access.log"), read("nginx/access.log")
	when := regexp.MustCompile(`\[[^]]+\]`)
	if len(ours) != len(requests) || len(theirs) != len(requests) {
		t.Fatalf("lines: ours\n%s\nnginx's\n%s", strings.Join(ours, "\n"), strings.Join(theirs, "\n"))
	}
	for i := range ours {
		o, n := when.ReplaceAllString(ours[i], "[T]"), when.ReplaceAllString(theirs[i], "[T]")
		if o != n {
			t.Errorf("request %d:\n ours  %s\n nginx %s", i+1, ours[i], theirs[i])
		}
	}
}
