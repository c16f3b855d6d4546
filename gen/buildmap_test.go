package gen

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"

	hetao "github.com/hetaoc/hetao"
)

// lineOf returns the line number (from 1) of the first line of src that
// contains s, or 0.
func lineOf(src []byte, s string) int {
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// sysImport finds a runtime file and line importing golang.org/x/sys/unix.
func sysImport(t *testing.T) (string, int) {
	var file string
	var line int
	fs.WalkDir(hetao.Source, "runtime", func(p string, d fs.DirEntry, err error) error {
		if file == "" && err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			src, _ := fs.ReadFile(hetao.Source, p)
			if n := lineOf(src, `"golang.org/x/sys/unix"`); n > 0 {
				file, line = p, n
			}
		}
		return nil
	})
	if file == "" {
		t.Skip("the runtime does not import golang.org/x/sys/unix")
	}
	return file, line
}

func TestMapBuildError(t *testing.T) {
	cfg := twoListens()
	files, err := Generate(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	redirect := strconv.Itoa(lineOf(files["websites.go"], `c.Redirect(302, "http://www.test.com")`))
	key := strconv.Itoa(lineOf(files["hosts.go"], `"www.test.com", //`))
	sysFile, sysLine := sysImport(t)
	for _, tc := range []struct {
		name, output, want string
	}{{
		name:   "generated code",
		output: "# github.com/hetaoc/hetao\n./websites.go:" + redirect + ":3: undefined: x\n",
		want: `/abs/dir/hetao.conf:21:9: error: generated code for redirect "test.com" does not compile ` +
			"(go build: websites.go:" + redirect + ":3: undefined: x)\nhetaoc: this is a bug in hetaoc",
	}, {
		name:   "table entry",
		output: "./hosts.go:" + key + ":4: cannot use x\n",
		want:   `/abs/dir/hetao.conf:18:5: error: generated code for "www.test.com" does not compile`,
	}, {
		name:   "runtime",
		output: "# github.com/hetaoc/hetao/runtime/server\nruntime/server/ctx.go:10:2: undefined: y\n",
		want:   "hetaoc: error: the runtime embedded in hetaoc does not compile (go build: runtime/server/ctx.go:10:2: undefined: y)",
	}, {
		name:   "offline, module named",
		output: "go: golang.org/x/sys@v0.49.0: module lookup disabled by GOPROXY=off\n",
		want: "hetaoc: error: module golang.org/x/sys@v0.49.0 is not in the Go module cache and GOPROXY=off forbids downloading it; " +
			"run `go mod download golang.org/x/sys@v0.49.0`",
	}, {
		name:   "offline, importing file named",
		output: "go: downloading golang.org/x/sys v0.49.0\n" + sysFile + ":" + strconv.Itoa(sysLine) + ":2: module lookup disabled by GOPROXY=off\n",
		want:   "hetaoc: error: module golang.org/x/sys@",
	}, {
		name:   "no network",
		output: "go: golang.org/x/sys@v0.49.0: Get \"https://proxy.golang.org/golang.org/x/sys/@v/v0.49.0.zip\": dial tcp: lookup proxy.golang.org: no such host\n",
		want:   "hetaoc: error: module golang.org/x/sys@v0.49.0 is not in the Go module cache and could not be downloaded (no such host)",
	}} {
		got := mapBuildError(tc.output, "/tmp/hetaoc-build-1", files, cfg).Error()
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s:\n got %s\nwant %s…", tc.name, got, tc.want)
		}
	}
}
