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
	"os"

	"golang.org/x/crypto/acme"

	"github.com/hetaoc/hetao/runtime/acme/certfiles"
)

// obtain runs one order for domain: its authorization through a
// challenge the site can answer (TLS-ALPN-01 on the TLS listen itself, or
// HTTP-01 when a plain listen serves port 80; the first of types the CA
// offers), then a new key and the certificate, written for the workers.
func (a *account) obtain(ctx context.Context, domain string, types []string, chown func(string)) error {
	if err := a.register(ctx); err != nil {
		return err
	}
	c := a.client
	order, err := c.AuthorizeOrder(ctx, acme.DomainIDs(domain))
	if err != nil {
		return fmt.Errorf("new order: %w", err)
	}
	for _, u := range order.AuthzURLs {
		z, err := c.GetAuthorization(ctx, u)
		if err != nil {
			return fmt.Errorf("authorization: %w", err)
		}
		if z.Status != acme.StatusPending {
			continue
		}
		if err := a.answer(ctx, z, domain, types, chown); err != nil {
			return err
		}
	}
	if order, err = c.WaitOrder(ctx, order.URI); err != nil {
		return fmt.Errorf("order: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	csr, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{DNSNames: []string{domain}}, key)
	if err != nil {
		return err
	}
	chain, _, err := c.CreateCertFromOrder(ctx, order, csr, true)
	if err != nil {
		return fmt.Errorf("finalizing the order: %w", err)
	}
	return writePair(a.s.Storage, domain, chain, key, chown)
}

// answer provisions a challenge of z, tells the CA to validate it and
// waits for the verdict; the answer is removed afterwards.
func (a *account) answer(ctx context.Context, z *acme.Authorization, domain string, types []string, chown func(string)) error {
	c := a.client
	var chal *acme.Challenge
	for _, want := range types {
		for _, ch := range z.Challenges {
			if ch.Type == want {
				chal = ch
				break
			}
		}
		if chal != nil {
			break
		}
	}
	if chal == nil {
		return fmt.Errorf("the CA offers no challenge this site can answer (tls-alpn-01 on the listen, or http-01 with a plain listen on port 80)")
	}
	var file string
	switch chal.Type {
	case "tls-alpn-01":
		cert, err := c.TLSALPN01ChallengeCert(chal.Token, domain)
		if err != nil {
			return err
		}
		file = certfiles.ALPN(a.s.Storage, domain)
		b, err := pemOf(cert.Certificate, cert.PrivateKey)
		if err != nil {
			return err
		}
		if err := certfiles.Write(file, b, chown); err != nil {
			return err
		}
	case "http-01":
		body, err := c.HTTP01ChallengeResponse(chal.Token)
		if err != nil {
			return err
		}
		if file = certfiles.HTTP(a.s.Storage, chal.Token); file == "" {
			return fmt.Errorf("http-01 token %q is not a file name", chal.Token)
		}
		if err := certfiles.Write(file, []byte(body), chown); err != nil {
			return err
		}
	}
	defer os.Remove(file)
	if _, err := c.Accept(ctx, chal); err != nil {
		return fmt.Errorf("%s challenge: %w", chal.Type, err)
	}
	if _, err := c.WaitAuthorization(ctx, z.URI); err != nil {
		var ae *acme.AuthorizationError
		if errors.As(err, &ae) {
			return fmt.Errorf("%s challenge failed: %v", chal.Type, ae)
		}
		return fmt.Errorf("%s challenge: %w", chal.Type, err)
	}
	return nil
}

// pemOf is a certificate chain and its key as PEM.
func pemOf(chain [][]byte, key any) ([]byte, error) {
	var b []byte
	for _, der := range chain {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return append(b, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...), nil
}

// writePair writes domain's key then its certificate chain; the workers
// load them when told.
func writePair(storage, domain string, chain [][]byte, key any, chown func(string)) error {
	kd, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	var cb []byte
	for _, der := range chain {
		cb = append(cb, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	if _, err := tls.X509KeyPair(cb, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})); err != nil {
		return fmt.Errorf("the certificate received: %w", err)
	}
	if err := certfiles.Write(certfiles.Key(storage, domain), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}), chown); err != nil {
		return err
	}
	return certfiles.Write(certfiles.Cert(storage, domain), cb, chown)
}
