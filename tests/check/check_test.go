package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCasesWellFormed checks the layout of the golden cases; they are run
// by cmd/internal/cli's TestCheckGolden.
func TestCasesWellFormed(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	broken := 0
	for _, dir := range dirs {
		want, err := os.ReadFile(filepath.Join(dir, "want.txt"))
		if err != nil {
			t.Errorf("%s: %v", dir, err)
			continue
		}
		if strings.HasSuffix(string(want), "exit 1\n") {
			broken++
		}
		_, errConf := os.Stat(filepath.Join(dir, "hetao.conf"))
		_, errFile := os.Stat(filepath.Join(dir, "file"))
		if errConf != nil && errFile != nil {
			t.Errorf("%s: no hetao.conf and no file", dir)
		}
	}
	if broken < 30 {
		t.Errorf("%d cases with errors; keep at least 30", broken)
	}
}
