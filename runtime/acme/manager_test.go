package acme

import (
	"crypto/x509"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

func TestDueAt(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		life time.Duration
		due  time.Duration // after t0
	}{
		{90 * 24 * time.Hour, 60 * 24 * time.Hour},   // Let's Encrypt's 90 days: 30 days before
		{365 * 24 * time.Hour, 335 * 24 * time.Hour}, // a year: 30 days before
		{6 * 24 * time.Hour, 4 * 24 * time.Hour},     // short-lived: a third of its life left
		{9 * time.Second, 6 * time.Second},
	} {
		leaf := &x509.Certificate{NotBefore: t0, NotAfter: t0.Add(tc.life)}
		if got := dueAt(leaf); !got.Equal(t0.Add(tc.due)) {
			t.Errorf("lifetime %v: due %v after issue, want %v", tc.life, got.Sub(t0), tc.due)
		}
	}
}

func TestChallengeTypes(t *testing.T) {
	if got := challengeTypes(false, 1); !reflect.DeepEqual(got, []string{"tls-alpn-01"}) {
		t.Errorf("no port 80: %v", got)
	}
	if got := challengeTypes(true, 0); got[0] != "tls-alpn-01" || len(got) != 2 {
		t.Errorf("port 80, first try: %v", got)
	}
	if got := challengeTypes(true, 1); got[0] != "http-01" {
		t.Errorf("port 80, after a failure: %v", got)
	}
}

// Prepare writes a stand-in, mode 0600, where no certificate is, and
// leaves a real one alone.
func TestPrepareStandIn(t *testing.T) {
	dir := t.TempDir()
	var said []string
	cfg := Config{Listens: []certfiles.Settings{{Storage: dir, Domains: []string{"a.example"}}},
		Infof: func(f string, a ...any) { said = append(said, f) }}
	if err := Prepare(cfg); err != nil {
		t.Fatal(err)
	}
	leaf := current(dir, "a.example")
	if leaf == nil || !certfiles.IsStandIn(leaf) || leaf.VerifyHostname("a.example") != nil || len(said) != 1 {
		t.Fatalf("stand-in %v, said %q", leaf, said)
	}
	for _, f := range []string{certfiles.Cert(dir, "a.example"), certfiles.Key(dir, "a.example")} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", f, err, st.Mode())
		}
	}
	if err := Prepare(cfg); err != nil || len(said) != 1 || current(dir, "a.example").SerialNumber.Cmp(leaf.SerialNumber) != 0 {
		t.Errorf("a second Prepare replaced the certificate (said %q, %v)", said, err)
	}
}
