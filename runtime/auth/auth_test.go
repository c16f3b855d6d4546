package auth

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// entry is an htpasswd -B line: bcrypt with the $2y$ prefix Apache writes.
func entry(t testing.TB, user, pass string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return user + ":$2y$" + string(h[4:]) + "\n"
}

func basic(user, pass string) []byte {
	return []byte("Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass)))
}

func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "htpasswd")
	if err := os.WriteFile(path, []byte("# users\n\n"+entry(t, "alice", "s3cret")+entry(t, "bob", "pa:ss")), 0o600); err != nil {
		t.Fatal(err)
	}
	f := New(path, `Staff "only"`)
	if got, want := f.Challenge(), "WWW-Authenticate: Basic realm=\"Staff \\\"only\\\"\", charset=\"UTF-8\"\r\n"; got != want {
		t.Errorf("challenge %q, want %q", got, want)
	}
	cases := []struct {
		auth string
		user string
		res  Result
	}{
		{string(basic("alice", "s3cret")), "", OK},
		{string(basic("alice", "s3cret")), "", OK}, // remembered
		{string(basic("bob", "pa:ss")), "", OK},    // a colon in the password
		{"basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret")), "", OK},
		{string(basic("alice", "wrong")), "alice", Wrong},
		{string(basic("alice", "s3cret ")), "alice", Wrong},
		{string(basic("carol", "s3cret")), "carol", Unknown},
		{"", "", Missing},
		{"Bearer abc", "", Missing},
		{"Basic !!!", "", Malformed},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), "", Malformed},
		{"Basic " + strings.Repeat("QUFB", 200), "", Malformed},
	}
	for _, c := range cases {
		user, res := f.Check([]byte(c.auth), 100)
		if user != c.user || res != c.res {
			t.Errorf("%q: %q %v, want %q %v", c.auth, user, res, c.user, c.res)
		}
	}
	ok := basic("alice", "s3cret")
	if n := testing.AllocsPerRun(100, func() { f.Check(ok, 100) }); n != 0 {
		t.Errorf("a remembered password: %v allocations", n)
	}
}

// TestFileChanges: the file is read again when it changes, at most once a
// second; a file that cannot be read is NoFile.
func TestFileChanges(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "htpasswd")
	os.WriteFile(path, []byte(entry(t, "alice", "one")), 0o600)
	f := New(path, "r")
	if _, res := f.Check(basic("alice", "one"), 100); res != OK {
		t.Fatal(res)
	}
	tmp := path + ".new"
	os.WriteFile(tmp, []byte(entry(t, "alice", "two")+entry(t, "dave", "x")), 0o600)
	os.Rename(tmp, path) // as htpasswd and editors replace it
	if _, res := f.Check(basic("alice", "one"), 100); res != OK {
		t.Errorf("re-read within the same second: %v", res)
	}
	if _, res := f.Check(basic("alice", "one"), 101); res != Wrong {
		t.Errorf("old password after the change: %v", res)
	}
	if _, res := f.Check(basic("dave", "x"), 101); res != OK {
		t.Errorf("new user: %v", res)
	}
	os.Remove(path)
	if _, res := f.Check(basic("dave", "x"), 102); res != NoFile || f.Err() == nil {
		t.Errorf("missing file: %v %v", res, f.Err())
	}
}

func TestParseRefusesWhatItCannotCheck(t *testing.T) {
	for _, bad := range []string{
		"alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
		"alice:$apr1$abc$def\n",
		"no colon\n",
		":$2y$05$abcdefghijklmnopqrstuuJ5Jc0H5P0Ed6yWq1i2jPp3x0kR1y4qS\n",
		entry(t, "a", "1") + entry(t, "a", "2"),
	} {
		if _, err := Parse([]byte(bad), "htpasswd"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("# c\nalice:$2y$05$6Q1CGTkXzKJ1kq0Pp4F4eO0qGz5E0iQ9cQ7Gb1e5X6m9mP0Wb3kQG\n"))
	f.Add([]byte("a:b\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		users, err := Parse(b, "f")
		if err == nil {
			for name, u := range users {
				if name == "" || len(u.hash) == 0 {
					t.Fatalf("empty user or hash accepted: %q", name)
				}
			}
		}
	})
}

func FuzzCheck(f *testing.F) {
	fl := &File{users: map[string]*user{}, checked: 1, path: "x"}
	f.Add([]byte("Basic YWxpY2U6czNjcmV0"))
	f.Add([]byte("Basic"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, res := fl.Check(b, 1); res == OK {
			t.Fatal("OK without users")
		}
	})
}
