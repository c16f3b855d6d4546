package http1

import (
	"bytes"
	"testing"
)

func TestCleanPath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/a", "/a"},
		{"/a/", "/a/"},
		{"a/b", "/a/b"},
		{"*", "/*"},
		{"//a//b//", "/a/b/"},
		{"/./a/./b/.", "/a/b/"},
		{"/a/b/..", "/a/"},
		{"/a/b/../", "/a/"},
		{"/a/b/../c", "/a/c"},
		{"/a/../b/../c/", "/c/"},
		{"/a/..", "/"},
		{"/a/b/../../", "/"},
		{"/...", "/..."},
		{"/..a/b..", "/..a/b.."},
		{"/a.b/.c", "/a.b/.c"},
		{"/%41%62c", "/Abc"},
		{"/a%2fb", "/a/b"},
		{"/a%2Fb/%2e%2E/c", "/a/c"},
		{"/a%2f%2e%2e", "/"},
		{"/%25", "/%"},
		{"/%2541", "/%41"},
		{"/a+b", "/a+b"},
		{"/a\\..\\b", "/a\\..\\b"},
		{"/caf%C3%A9", "/caf\xc3\xa9"},
		{"/a?b", "/a?b"},
	}
	for _, tc := range cases {
		got, err := CleanPath(nil, []byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	bad := []struct {
		in   string
		want *Error
	}{
		{"/..", ErrPathEscape},
		{"..", ErrPathEscape},
		{"/../a", ErrPathEscape},
		{"/a/../..", ErrPathEscape},
		{"/a/../../b", ErrPathEscape},
		{"/%2e%2e/etc/passwd", ErrPathEscape},
		{"/a%2f..%2f..%2fetc", ErrPathEscape},
		{"/.%2e/", ErrPathEscape},
		{"/a/./../..", ErrPathEscape},
		{"/%", ErrBadPath},
		{"/%4", ErrBadPath},
		{"/%zz", ErrBadPath},
		{"/%4g", ErrBadPath},
		{"/%00", ErrBadPath},
		{"/a\x00b", ErrBadPath},
	}
	for _, tc := range bad {
		got, err := CleanPath(nil, []byte(tc.in))
		if err != tc.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestCleanPathAllocs(t *testing.T) {
	raw := []byte("/static/../img/%7Euser/./photo%20one.jpg")
	dst := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(100, func() {
		var err error
		if dst, err = CleanPath(dst, raw); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("CleanPath allocates %v", allocs)
	}
	if string(dst) != "/img/~user/photo one.jpg" {
		t.Fatalf("got %q", dst)
	}
}

// checkClean asserts the invariants of a CleanPath result.
func checkClean(t *testing.T, raw, out []byte) {
	t.Helper()
	if len(out) == 0 || out[0] != '/' {
		t.Fatalf("CleanPath(%q) = %q: not absolute", raw, out)
	}
	if bytes.IndexByte(out, 0) >= 0 {
		t.Fatalf("CleanPath(%q) = %q: NUL", raw, out)
	}
	if bytes.Contains(out, []byte("//")) {
		t.Fatalf("CleanPath(%q) = %q: empty segment", raw, out)
	}
	seg := bytes.Split(out[1:], []byte("/"))
	for _, s := range seg {
		if string(s) == "." || string(s) == ".." {
			t.Fatalf("CleanPath(%q) = %q: dot segment", raw, out)
		}
	}
	re := bytes.ReplaceAll(out, []byte("%"), []byte("%25"))
	again, err := CleanPath(nil, re)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("CleanPath(%q) = %q, but again %q, %v", raw, out, again, err)
	}
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/a/b/../c", "/%2e%2e/x", "//a//", "/a/./b/.", "/%00", "/%zz", "/a%2f..%2f..", "/..", "a\\..\\b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := CleanPath(make([]byte, 0, 1), raw)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T", err)
			}
			return
		}
		checkClean(t, raw, out)
		// A path that does not go above the root resolves the same when
		// cleaning is done after a prefix directory is added.
		pre, err := CleanPath(nil, append([]byte("/root/"), raw...))
		if err != nil || !bytes.HasPrefix(pre, []byte("/root")) || string(pre[5:]) != string(out) && !(len(pre) == 5 && string(out) == "/") {
			t.Fatalf("prefixed %q = %q, %v; unprefixed %q", raw, pre, err, out)
		}
	})
}
