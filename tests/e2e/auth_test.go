package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

const authConf = `{
	"worker_processes" : 1,
	"error_log" : "log/error.log",
	"log_level" : WARN,
	"listen" : {
		"ip" : "127.0.0.1",
		"port" : @PORT@,
		"website" : {
			"domain" : "",
			"wwwroot" : "www",
			"index" : "/index.html",
			"location" : { "prefix" : "/staff/", "auth_basic" : { "realm" : "Staff only", "user_file" : "htpasswd" } }
		}
	}
}
`

// htpasswdLine is what htpasswd -nbB prints for user and pass, made with
// htpasswd itself when it is installed.
func htpasswdLine(t *testing.T, user, pass string) string {
	if _, err := exec.LookPath("htpasswd"); err == nil {
		out, err := exec.Command("htpasswd", "-nbB", user, pass).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out)) + "\n"
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pass), 5)
	if err != nil {
		t.Fatal(err)
	}
	return user + ":$2y$" + string(h[4:]) + "\n"
}

// TestAuthBasic: no credentials and a wrong password get 401 with
// WWW-Authenticate, the right one 200; a failure is logged with the user,
// never the password; a user added to the file can log in at once.
func TestAuthBasic(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	dir := siteDir(t, map[string]string{
		"hetao.conf":           conf(authConf, "PORT", port),
		"htpasswd":             htpasswdLine(t, "alice", "correct horse"),
		"www/index.html":       "public",
		"www/staff/index.html": "staff page",
	})
	start(t, dir, build(t, dir), port)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	do := func(path, user, pass string) response {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return response{resp.StatusCode, resp.Header, string(b)}
	}
	if r := do("/", "", ""); r.status != 200 {
		t.Errorf("public page: %d", r.status)
	}
	for _, c := range []struct{ user, pass string }{{"", ""}, {"alice", "wrong password"}, {"mallory", "correct horse"}} {
		r := do("/staff/", c.user, c.pass)
		if r.status != 401 || r.header.Get("WWW-Authenticate") != `Basic realm="Staff only", charset="UTF-8"` {
			t.Errorf("%q/%q: %d %q", c.user, c.pass, r.status, r.header.Get("WWW-Authenticate"))
		}
	}
	for i := 0; i < 2; i++ { // the second one from memory
		if r := do("/staff/", "alice", "correct horse"); r.status != 200 || r.body != "staff page" {
			t.Errorf("right password: %d %q", r.status, r.body)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "log/error.log"))
	if !strings.Contains(string(log), `wrong password for user "alice" from 127.0.0.1`) || !strings.Contains(string(log), `unknown user "mallory"`) {
		t.Errorf("failures not logged:\n%s", log)
	}
	if strings.Contains(string(log), "wrong password\"") || strings.Contains(string(log), "correct horse") {
		t.Errorf("a password in the log:\n%s", log)
	}
	// A new user: the file is read again when it changes.
	tmp := filepath.Join(dir, "htpasswd.new")
	os.WriteFile(tmp, []byte(htpasswdLine(t, "alice", "correct horse")+htpasswdLine(t, "bob", "battery staple")), 0o644)
	os.Rename(tmp, filepath.Join(dir, "htpasswd"))
	deadline := time.Now().Add(3 * time.Second)
	for do("/staff/", "bob", "battery staple").status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("a user added to the file is still refused")
		}
		time.Sleep(50 * time.Millisecond) // the file is looked at once a second: nothing to await but the clock
	}
}
