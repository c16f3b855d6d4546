// Package auth is HTTP basic authentication (RFC 7617) against an
// htpasswd file of bcrypt entries, as Apache's htpasswd -B writes them.
// The file is read on first use and again when it changes (checked at most
// once a second); passwords are checked with golang.org/x/crypto/bcrypt,
// and a password once verified is remembered as its SHA-256, compared in
// constant time, so that a logged-in client does not pay bcrypt's cost on
// every request.
package auth

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"

	"golang.org/x/crypto/bcrypt"

	"github.com/hetaoc/hetao/runtime/envvar"
)

// Result is the outcome of a check.
type Result int

const (
	OK        Result = iota
	Missing          // no credentials, or not Basic ones: challenge the client
	Malformed        // Basic, but not base64 of user:password
	Unknown          // no such user
	Wrong            // wrong password
	NoFile           // the user file cannot be read: the site answers 500
)

// File is one auth_basic: a realm and its user file. Its methods may be
// called from several event loops at once.
type File struct {
	Path      string // may hold $VAR$, expanded at first use
	challenge string // "WWW-Authenticate: Basic realm=\"…\", charset=\"UTF-8\"\r\n"

	mu      sync.Mutex
	path    string // Path expanded
	users   map[string]*user
	stamp   stamp
	checked int64 // unix seconds of the last stat
	readErr error
}

type user struct {
	hash     []byte
	verified [sha256.Size]byte // SHA-256 of the password last verified
	ok       bool              // verified is set
}

type stamp struct {
	ino, size int64
	mtime     int64 // ns
}

// dummyHash is checked for an unknown user, so that the answer takes as
// long as for a known one with a wrong password. Made on first use: a site
// without auth_basic never pays for it.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("hetao dummy password"), 5) // htpasswd -B's cost
	return h
})

// New makes the File of realm, reading users from path.
func New(path, realm string) *File {
	q := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(realm)
	return &File{Path: path, challenge: "WWW-Authenticate: Basic realm=\"" + q + "\", charset=\"UTF-8\"\r\n"}
}

// Challenge is the header line of a 401 answer, with its CRLF.
func (f *File) Challenge() string { return f.challenge }

// Check verifies the value of an Authorization header at unix time now.
// It returns the user name it named (when it could be decoded) for the
// log, never the password.
func (f *File) Check(authorization []byte, now int64) (string, Result) {
	scheme, cred, _ := bytes.Cut(bytes.TrimSpace(authorization), []byte(" "))
	if !asciiEqualFold(scheme, "basic") {
		return "", Missing
	}
	var buf [512]byte
	cred = bytes.TrimSpace(cred)
	if base64.StdEncoding.DecodedLen(len(cred)) > len(buf) {
		return "", Malformed
	}
	n, err := base64.StdEncoding.Decode(buf[:], cred)
	if err != nil {
		return "", Malformed
	}
	name, pass, ok := bytes.Cut(buf[:n], []byte(":"))
	if !ok {
		return "", Malformed
	}
	sum := sha256.Sum256(pass)
	f.mu.Lock()
	f.refresh(now)
	if f.users == nil {
		f.mu.Unlock()
		return string(name), NoFile
	}
	u := f.users[string(name)]
	if u != nil && u.ok && subtle.ConstantTimeCompare(sum[:], u.verified[:]) == 1 {
		f.mu.Unlock()
		return "", OK
	}
	f.mu.Unlock()
	// bcrypt is slow by design: other loops go on meanwhile. u.hash never
	// changes; a re-read makes new users.
	if u == nil {
		bcrypt.CompareHashAndPassword(dummyHash(), pass)
		return string(name), Unknown
	}
	if bcrypt.CompareHashAndPassword(u.hash, pass) != nil {
		return string(name), Wrong
	}
	f.mu.Lock()
	u.verified, u.ok = sum, true
	f.mu.Unlock()
	return "", OK
}

// refresh reads the file again when it changed since it was last read;
// it stats it at most once a second. Called with f.mu held.
func (f *File) refresh(now int64) {
	if f.users != nil && now == f.checked {
		return
	}
	f.checked = now
	if f.path == "" {
		p, err := envvar.Expand(f.Path, os.LookupEnv)
		if err != nil {
			f.users, f.readErr = nil, err
			return
		}
		f.path = p
	}
	var st syscall.Stat_t
	if err := syscall.Stat(f.path, &st); err != nil {
		f.users, f.readErr = nil, err
		return
	}
	s := stamp{ino: int64(st.Ino), size: st.Size, mtime: st.Mtim.Nano()}
	if f.users != nil && s == f.stamp {
		return
	}
	users, err := read(f.path)
	if err != nil {
		f.users, f.readErr = nil, err
		return
	}
	f.users, f.stamp, f.readErr = users, s, nil
}

// Err is why the user file could not be read at the last check, or nil.
func (f *File) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readErr
}

// read parses an htpasswd file: "user:hash" lines, blank lines and
// "#" comments skipped. Entries that are not bcrypt ($2a$, $2b$, $2y$) are
// an error: hetao cannot check them, and ignoring one would lock its user
// out without a word.
func read(path string) (map[string]*user, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(b, path)
}

// Parse reads the users of an htpasswd file's contents; name is for
// messages.
func Parse(b []byte, name string) (map[string]*user, error) {
	users := map[string]*user{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 4096), 1<<20)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" || t[0] == '#' {
			continue
		}
		u, h, ok := strings.Cut(t, ":")
		if !ok || u == "" {
			return nil, fmt.Errorf("%s:%d: not a user:hash line", name, line)
		}
		if _, err := bcrypt.Cost([]byte(h)); err != nil {
			return nil, fmt.Errorf("%s:%d: user %q: not a bcrypt hash (write the file with htpasswd -B)", name, line, u)
		}
		if _, dup := users[u]; dup {
			return nil, fmt.Errorf("%s:%d: user %q listed twice", name, line, u)
		}
		users[u] = &user{hash: []byte(h)}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	return users, nil
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
