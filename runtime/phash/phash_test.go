package phash

import (
	"fmt"
	"testing"
)

func TestKnownHitsMisses(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 45, 100, 1000} {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("Host%d.Example.com", i)
		}
		tab, err := Build(keys, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(tab.Keys) > n+n/4+1 {
			t.Errorf("n=%d: %d slots, want close to n", n, len(tab.Keys))
		}
		for _, k := range keys {
			i := tab.Index([]byte(k))
			if i < 0 || tab.Keys[i] != lower(k) {
				t.Fatalf("n=%d: %q not found (slot %d)", n, k, i)
			}
			if j := tab.Index([]byte(lower(k))); j != i {
				t.Fatalf("fold: %q at %d, lower at %d", k, i, j)
			}
		}
		for _, miss := range []string{"", "x", "host.example.com", "Host1.Example.co", "Host1.Example.comm"} {
			if i := tab.Index([]byte(miss)); i >= 0 && n > 1 && tab.Keys[i] != lower(miss) {
				t.Fatalf("miss %q gave slot %d (%q)", miss, i, tab.Keys[i])
			}
		}
	}
}

func TestCaseSensitive(t *testing.T) {
	tab, err := Build([]string{"html", "htm", "HTML5"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Index([]byte("HTML")) >= 0 {
		t.Error("case-sensitive table matched HTML")
	}
	if tab.Index([]byte("HTML5")) < 0 || tab.Index([]byte("html")) < 0 {
		t.Error("known key missing")
	}
}

func TestDeterministic(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e", "f", "g"}
	a, _ := Build(keys, false)
	b, _ := Build([]string{"g", "f", "e", "d", "c", "b", "a"}, false)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("order changed the table:\n%v\n%v", a, b)
	}
}

func TestRejects(t *testing.T) {
	if _, err := Build([]string{"a", "A"}, true); err == nil {
		t.Error("duplicate after folding accepted")
	}
	if _, err := Build([]string{""}, false); err == nil {
		t.Error("empty key accepted")
	}
}

func TestIndexAllocs(t *testing.T) {
	tab, _ := Build([]string{"www.a.com", "www.b.com", "c.com"}, true)
	key := []byte("WWW.B.COM")
	if n := testing.AllocsPerRun(100, func() { tab.Index(key) }); n != 0 {
		t.Fatalf("Index allocates %v times", n)
	}
}

func BenchmarkIndex(b *testing.B) {
	keys := make([]string, 80)
	for i := range keys {
		keys[i] = fmt.Sprintf("ext%d", i)
	}
	tab, _ := Build(keys, false)
	key := []byte("ext42")
	for b.Loop() {
		tab.Index(key)
	}
}
