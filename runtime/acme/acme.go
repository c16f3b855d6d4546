// Package acme obtains and renews a site's certificates from an ACME CA
// (RFC 8555, Let's Encrypt and the like) with golang.org/x/crypto/acme.
// It runs in the master: one account per storage directory, one order per
// domain, the files written under the storage directory (certfiles) for
// the workers, which are told to load them again without a restart.
//
// Where is what: manager.go the schedule (start, due, backoff), order.go
// one order through its TLS-ALPN-01 or HTTP-01 challenge, standin.go the
// self-signed certificate served until the first arrives.
package acme

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"golang.org/x/crypto/acme"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// LetsEncrypt is the directory used when a listen names none.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// account is one storage directory's ACME account.
type account struct {
	s      certfiles.Settings
	client *acme.Client
	ready  bool // registered (or found registered)
}

// newAccount loads the account key of s.Storage, or makes one.
func newAccount(s certfiles.Settings, chown func(string)) (*account, error) {
	keyFile := s.Storage + "/account.key"
	var key *ecdsa.PrivateKey
	if b, err := os.ReadFile(keyFile); err == nil {
		blk, _ := pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("%s: no PEM key in it", keyFile)
		}
		if key, err = x509.ParseECPrivateKey(blk.Bytes); err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile, err)
		}
	} else if os.IsNotExist(err) {
		if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
		der, _ := x509.MarshalECPrivateKey(key)
		if err := certfiles.Write(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), nil); err != nil {
			return nil, fmt.Errorf("ACME account key: %w", err)
		}
	} else {
		return nil, fmt.Errorf("ACME account key: %w", err)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("acme ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("acme ca_file %s: no PEM certificate in it", s.CAFile)
		}
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, Proxy: http.ProxyFromEnvironment}
	}
	dir := s.Directory
	if dir == "" {
		dir = LetsEncrypt
	}
	return &account{s: s, client: &acme.Client{Key: key, DirectoryURL: dir, HTTPClient: hc, UserAgent: "hetao"}}, nil
}

// register makes sure the account exists at the CA (once per process).
func (a *account) register(ctx context.Context) error {
	if a.ready {
		return nil
	}
	acct := &acme.Account{}
	if a.s.Email != "" {
		acct.Contact = []string{"mailto:" + a.s.Email}
	}
	if _, err := a.client.Register(ctx, acct, acme.AcceptTOS); err != nil && !errors.Is(err, acme.ErrAccountAlreadyExists) {
		return fmt.Errorf("registering the account at %s: %w", a.client.DirectoryURL, err)
	}
	a.ready = true
	return nil
}
