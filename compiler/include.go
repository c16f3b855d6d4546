package compiler

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tokenSource yields the tokens of the main file with the tokens of every
// !include spliced in where the directive stands, as hetao splices text.
// Includes are resolved against the directory of the file that holds the
// directive; a file that includes itself, directly or not, is an error.
type tokenSource struct {
	stack []*srcFile
	d     *diags
	// lost counts the !include directives that could not be spliced in,
	// each reported once: they do not stop the semantic checks.
	lost int
	// readFile reads an included file; nil means readConfigFile.
	readFile func(string) ([]byte, error)
	// hash sums every file read, in the order read (Config.Hash).
	hash hash.Hash
}

type srcFile struct {
	lx   *lexer
	abs  string // absolute path, to find cycles
	name string // path shown in diagnostics
}

func newTokenSource(name, abs string, src []byte, d *diags) *tokenSource {
	d.file(name)
	s := &tokenSource{stack: []*srcFile{{lx: newLexer(name, src, d), abs: abs, name: name}}, d: d, hash: sha256.New()}
	s.sum(src)
	return s
}

// sum adds one file's bytes to the hash, length first, so that the same
// bytes cut differently between files do not hash alike.
func (s *tokenSource) sum(src []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(src)))
	s.hash.Write(n[:])
	s.hash.Write(src)
}

func (s *tokenSource) next() token {
	for {
		top := s.stack[len(s.stack)-1]
		t := top.lx.next()
		switch {
		case t.kind == tEOF && len(s.stack) > 1:
			s.stack = s.stack[:len(s.stack)-1]
			continue
		case t.kind == tInclude:
			if !s.include(top, t) {
				s.lost++
				return token{kind: tLost, pos: t.pos}
			}
			continue
		}
		return t
	}
}

const maxIncludeDepth = 32

// include pushes the file named by t, or reports why it cannot and
// returns false.
func (s *tokenSource) include(from *srcFile, t token) bool {
	name := t.text
	display, abs := name, name
	if !filepath.IsAbs(name) {
		display = filepath.Join(filepath.Dir(from.name), name)
		abs = filepath.Join(filepath.Dir(from.abs), name)
	}
	for i, f := range s.stack {
		if f.abs == abs {
			chain := []string{}
			for _, g := range s.stack[i:] {
				chain = append(chain, g.name)
			}
			chain = append(chain, display)
			s.d.errorf(t.pos, "!include cycle: %s", strings.Join(chain, " includes "))
			return false
		}
	}
	if len(s.stack) >= maxIncludeDepth {
		s.d.errorf(t.pos, "!include nested more than %d deep", maxIncludeDepth)
		return false
	}
	read := s.readFile
	if read == nil {
		read = readConfigFile
	}
	src, err := read(abs)
	if err != nil {
		s.d.errorf(t.pos, "!include %s: %s", name, describeFileErr(err))
		return false
	}
	s.sum(src)
	s.d.file(display)
	s.stack = append(s.stack, &srcFile{lx: newLexer(display, src, s.d), abs: abs, name: display})
	return true
}

// maxConfigFile bounds a configuration file and each included one: a
// file that never ends (/dev/zero, a runaway generator) is refused
// instead of read until memory runs out. Pipes are fine, so that
// `hetaoc check <(generate)` works.
const maxConfigFile = 64 << 20

var errTooLarge = fmt.Errorf("larger than %d MiB: not a configuration", maxConfigFile>>20)

// readConfigFile reads a configuration file of at most maxConfigFile bytes.
func readConfigFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(src) > maxConfigFile {
		return nil, errTooLarge
	}
	return src, nil
}

// describeFileErr turns an *os.PathError into a short reason.
func describeFileErr(err error) string {
	switch {
	case os.IsNotExist(err):
		return "no such file"
	case os.IsPermission(err):
		return "permission denied"
	}
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
