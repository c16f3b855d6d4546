package acme

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"time"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// Config is what the master tells the manager (certfiles.Config).
type Config = certfiles.Config

// Renewal: a certificate is renewed 30 days before it expires, or once a
// third of its lifetime is left when it lives less than 90 days.
const renewBefore = 30 * 24 * time.Hour

// dueAt is when leaf should be replaced.
func dueAt(leaf *x509.Certificate) time.Time {
	life := leaf.NotAfter.Sub(leaf.NotBefore)
	return leaf.NotAfter.Add(-min(renewBefore, life/3))
}

// Backoff after a failed order: 1 s, doubling, at most an hour.
const (
	firstRetry = time.Second
	maxRetry   = time.Hour
)

// challengeTypes are the challenges to answer, preferred first: TLS-ALPN-01
// on the listen, and HTTP-01 too when a plain listen serves port 80; after
// a failure the other one is tried first (a TLS listen the CA cannot reach
// on port 443 fails TLS-ALPN-01 every time).
func challengeTypes(http01 bool, fails int) []string {
	switch {
	case !http01:
		return []string{"tls-alpn-01"}
	case fails%2 == 1:
		return []string{"http-01", "tls-alpn-01"}
	}
	return []string{"tls-alpn-01", "http-01"}
}

// current reads domain's certificate, nil when there is none usable.
func current(storage, domain string) *x509.Certificate {
	c, err := tls.LoadX509KeyPair(certfiles.Cert(storage, domain), certfiles.Key(storage, domain))
	if err != nil || c.Leaf == nil {
		return nil
	}
	return c.Leaf
}

// Prepare makes sure every domain has a certificate and key the workers
// can load before they start: a self-signed stand-in where none is (it is
// replaced by the first one the CA issues).
func Prepare(cfg Config) error {
	for _, s := range cfg.Listens {
		// The directories, 0700: the workers' user must own them to read
		// the certificates when it is not the master's.
		for _, d := range []string{s.Storage, filepath.Dir(certfiles.ALPN(s.Storage, "x")), filepath.Dir(certfiles.HTTP(s.Storage, "x"))} {
			if err := os.MkdirAll(d, 0o700); err != nil {
				return err
			}
			if cfg.Chown != nil {
				cfg.Chown(d)
			}
		}
		for _, d := range s.Domains {
			if current(s.Storage, d) != nil {
				continue
			}
			if err := writeStandIn(s.Storage, d, cfg.Chown); err != nil {
				return err
			}
			cfg.Infof("ACME %s: no certificate yet; serving a self-signed stand-in until the CA issues one", d)
		}
	}
	return nil
}

// job is one domain's place in the schedule.
type job struct {
	acct   *account
	domain string
	next   time.Time
	fails  int
}

// Run obtains what is missing or due, then renews in the background,
// until ctx ends. A CA that refuses or cannot be reached is logged with
// its reason and retried with backoff; the workers keep what they have.
func Run(ctx context.Context, cfg Config) {
	accts := map[string]*account{}
	var jobs []*job
	for _, s := range cfg.Listens {
		a := accts[s.Storage]
		if a == nil {
			var err error
			if a, err = newAccount(s, cfg.Chown); err != nil {
				cfg.Errorf("ACME: %v; no certificate will be obtained", err)
				continue
			}
			accts[s.Storage] = a
		}
		for _, d := range s.Domains {
			j := &job{acct: a, domain: d, next: time.Now()}
			if leaf := current(s.Storage, d); leaf != nil && !certfiles.IsStandIn(leaf) {
				j.next = dueAt(leaf)
			}
			jobs = append(jobs, j)
		}
	}
	if len(jobs) == 0 {
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		changed := false
		for _, j := range jobs {
			if time.Now().Before(j.next) {
				continue
			}
			octx, cancel := context.WithTimeout(ctx, 3*time.Minute)
			err := j.acct.obtain(octx, j.domain, challengeTypes(cfg.HTTP01, j.fails), cfg.Chown)
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				wait := min(firstRetry<<min(j.fails, 20), maxRetry)
				j.fails++
				j.next = time.Now().Add(wait)
				cfg.Errorf("ACME %s: %v; retrying in %v", j.domain, err, wait)
				continue
			}
			j.fails = 0
			changed = true
			if leaf := current(j.acct.s.Storage, j.domain); leaf != nil {
				j.next = dueAt(leaf)
				cfg.Infof("ACME %s: certificate obtained from %s, valid until %s; renewal due %s", j.domain,
					j.acct.client.DirectoryURL, leaf.NotAfter.UTC().Format(time.RFC3339), j.next.UTC().Format(time.RFC3339))
			} else {
				j.next = time.Now().Add(maxRetry)
			}
		}
		if changed && cfg.Changed != nil {
			cfg.Changed()
		}
		next := jobs[0].next
		for _, j := range jobs[1:] {
			if j.next.Before(next) {
				next = j.next
			}
		}
		timer.Reset(max(time.Until(next), 0))
	}
}
