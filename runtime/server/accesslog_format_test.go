package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// logLine is one line of the JSON access log.
type logLine struct {
	Time     string   `json:"time"`
	Remote   string   `json:"remote"`
	Host     string   `json:"host"`
	Method   string   `json:"method"`
	URI      string   `json:"uri"`
	Protocol string   `json:"protocol"`
	TLS      *bool    `json:"tls"`
	Status   int      `json:"status"`
	Bytes    *int64   `json:"bytes"`
	Duration *float64 `json:"duration"`
	Upstream *string  `json:"upstream"`
}

// parseJSONLog decodes every line of a JSON access log on its own, as a
// log shipper reads it, and fails on any line that is not one whole
// object with every field.
func parseJSONLog(t *testing.T, data []byte) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var l logLine
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("access log line %q: %v", sc.Text(), err)
		}
		if dec.More() {
			t.Fatalf("access log line %q: more than one object", sc.Text())
		}
		if l.TLS == nil || l.Bytes == nil || l.Duration == nil || l.Upstream == nil || l.Time == "" || l.Remote == "" {
			t.Fatalf("access log line %q lacks a field", sc.Text())
		}
		if _, err := time.Parse(time.RFC3339, l.Time); err != nil {
			t.Errorf("time %q: %v", l.Time, err)
		}
		out = append(out, l)
	}
	return out
}

func TestAccessLogJSON(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, func(s *Site) { s.AccessLogFormat = LogJSON })
	get(t, "http://"+ts.addr+"/a.txt?q=%22x%22", "User-Agent", "probe/1.0")
	get(t, "http://"+ts.addr+"/missing")
	big := get(t, "http://"+ts.addr+"/big.bin") // sendfile: its line is written once sent
	n := len(body(big))
	// Bytes a JSON line must escape, in the target.
	raw(t, ts.addr, "GET /\xff\"\\ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if !ts.inst.Stop(5 * time.Second) {
		t.Fatal("site did not stop")
	}
	data, err := os.ReadFile(filepath.Join(ts.logDir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONLog(t, data)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), data)
	}
	l := lines[0]
	if l.Remote != "127.0.0.1" || l.Host != ts.addr || l.Method != "GET" || l.URI != "/a.txt?q=%22x%22" ||
		l.Protocol != "HTTP/1.1" || *l.TLS || l.Status != 200 || *l.Bytes != 10 || *l.Upstream != "" {
		t.Errorf("first line: %+v", l)
	}
	if lines[1].Status != 404 || lines[1].URI != "/missing" {
		t.Errorf("second line: %+v", lines[1])
	}
	if lines[2].URI != "/big.bin" || *lines[2].Bytes != int64(n) || n != 1<<20 {
		t.Errorf("sendfile line: %+v, %d bytes received", lines[2], n)
	}
	if lines[3].URI != "/\u00ff\"\\" {
		t.Errorf("escaped line: uri %q", lines[3].URI)
	}
}

func TestAccessLogJSONUpstream(t *testing.T) {
	t.Parallel()
	be, _ := namedBackend(t, "b1")
	tweak, file := withAccessLog(t, func(s *Site) { s.AccessLogFormat = LogJSON })
	addr, inst := startProxyInstance(t, 'R', []Backend{backendAddr(t, be.Listener.Addr().String())}, tweak)
	if code, _ := fetch(t, http.DefaultClient, "http://"+addr+"/app?x=1"); code != 200 {
		t.Fatalf("status %d", code)
	}
	inst.Stop(5 * time.Second)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := parseJSONLog(t, data)
	if len(lines) != 1 || *lines[0].Upstream != be.Listener.Addr().String() || lines[0].Status != 200 || lines[0].URI != "/app?x=1" || *lines[0].Bytes == 0 {
		t.Fatalf("forwarded request's line:\n%s", data)
	}
}

// combinedLine is nginx's combined format, as nginx writes it:
// $remote_addr - $remote_user [$time_local] "$request" $status
// $body_bytes_sent "$http_referer" "$http_user_agent".
var combinedLine = regexp.MustCompile(`^(\S+) - - \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "([^"]*)" (\d{3}) (\d+) "([^"]*)" "([^"]*)"$`)

func TestAccessLogCombined(t *testing.T) {
	t.Parallel()
	ts := startTestSite(t, func(s *Site) { s.AccessLogFormat = LogCombined })
	get(t, "http://"+ts.addr+"/a.txt", "User-Agent", "probe/1.0 (x; \"y\")", "Referer", "http://ref.example/p?q=1")
	get(t, "http://"+ts.addr+"/big.bin", "User-Agent", "")
	lines := stopAndReadLog(t, ts, 2)
	want := [][]string{
		{"127.0.0.1", `GET /a.txt HTTP/1.1`, "200", "10", "http://ref.example/p?q=1", `probe/1.0 (x; \x22y\x22)`},
		{"127.0.0.1", `GET /big.bin HTTP/1.1`, "200", fmt.Sprint(1 << 20), "-", "-"},
	}
	for i, line := range lines {
		m := combinedLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("line %q is not in the combined format", line)
			continue
		}
		if _, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[2]); err != nil {
			t.Errorf("time %q: %v", m[2], err)
		}
		got := []string{m[1], m[3], m[4], m[5], m[6], m[7]}
		if fmt.Sprint(got) != fmt.Sprint(want[i]) {
			t.Errorf("line %q:\n got %q\nwant %q", line, got, want[i])
		}
	}
}

// TestAccessLogStdout: access_log "-" writes to the process's standard
// output, here a pipe.
func TestAccessLogStdout(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	saved, err := dupStdout(w)
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	ts := startTestSite(t, func(s *Site) { s.Listens[0].Hosts.Default.AccessLog = "-" })
	restoreStdout(saved)
	get(t, "http://"+ts.addr+"/a.txt")
	if !ts.inst.Stop(5 * time.Second) {
		t.Fatal("site did not stop")
	}
	r.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil || !strings.Contains(line, `"GET /a.txt HTTP/1.1" 200 10`) {
		t.Fatalf("standard output: %q, %v", line, err)
	}
}

// dupStdout points descriptor 1 at f and returns a copy of what it was.
func dupStdout(f *os.File) (int, error) {
	saved, err := unix.Dup(1)
	if err != nil {
		return -1, err
	}
	if err := unix.Dup3(int(f.Fd()), 1, 0); err != nil {
		unix.Close(saved)
		return -1, err
	}
	return saved, nil
}

func restoreStdout(saved int) {
	unix.Dup3(saved, 1, 0)
	unix.Close(saved)
}
