package server

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	_ "crypto/sha256" // the hashes of the TLS 1.3 suites
	_ "crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"

	"golang.org/x/crypto/chacha20poly1305"
)

// The loop's own TLS 1.3 record sealing. crypto/tls seals a record by
// copying the plaintext into its record buffer and encrypting it there, and
// then writes the record to the connection under it, which for the loop
// means one more copy into the buffer it sends (tlsIO.Write): two copies of
// every byte sent, 6-7% of the CPU of a 1 MiB answer over HTTP/2. Once a
// TLS 1.3 handshake is done, the loop seals application data itself, from
// a copy in the buffer it sends, with the server's traffic secret and
// sequence number taken over from crypto/tls at the hand-off.
//
// crypto/tls still reads (it decrypts the client's records) and may still
// write after that: an alert, close_notify, or the KeyUpdate that a
// client's KeyUpdate with update_requested asks for (RFC 8446 §4.6.3). It
// seals those with the state it had at the hand-off, which the loop
// mirrors (theirs): tlsSeal.translate opens each such record with it and
// seals it again with the loop's state (ours), and after a KeyUpdate both
// move to the next traffic secret, as crypto/tls's has.
//
// crypto/tls does not export the traffic secret or the sequence number;
// takeover reads them from its unexported fields with reflection (reading
// only). Where they are not found (another Go release), or the version or
// suite is not TLS 1.3 with one of its three suites, the loop leaves the
// sealing to crypto/tls. TestTLSSealTakesOver fails when the takeover
// stops happening.

// tlsSeal is a connection's TLS 1.3 write side, run by the loop.
type tlsSeal struct {
	suite        uint16
	ours, theirs sealState
	nonce        [12]byte
}

// sealState is a traffic secret's AEAD, IV and record sequence number.
type sealState struct {
	secret []byte
	aead   cipher.AEAD
	iv     [12]byte
	seq    uint64
}

// Record framing (RFC 8446 §5).
const (
	recordHeaderLen    = 5
	recordMaxPlain     = 16384 // the most content a record carries
	recordTypeHshake   = 22
	recordTypeAppData  = 23
	handshakeKeyUpdate = 24
)

// suiteParams gives the hash and key length of each of the three TLS 1.3
// suites; ok is false for any other.
func suiteParams(suite uint16) (crypto.Hash, int, bool) {
	switch suite {
	case tls.TLS_AES_128_GCM_SHA256:
		return crypto.SHA256, 16, true
	case tls.TLS_AES_256_GCM_SHA384:
		return crypto.SHA384, 32, true
	case tls.TLS_CHACHA20_POLY1305_SHA256:
		return crypto.SHA256, chacha20poly1305.KeySize, true
	}
	return 0, 0, false
}

// takeover returns the write side of tc, whose TLS 1.3 handshake is done
// (cs is its state), for the loop to run; nil leaves it to crypto/tls.
func takeover(tc *tls.Conn, cs *tls.ConnectionState) *tlsSeal {
	if cs.Version != tls.VersionTLS13 || !cs.HandshakeComplete {
		return nil
	}
	if _, _, ok := suiteParams(cs.CipherSuite); !ok {
		return nil
	}
	out := reflect.ValueOf(tc).Elem().FieldByName("out")
	if !out.IsValid() || out.Kind() != reflect.Struct {
		return nil
	}
	sec, seq := out.FieldByName("trafficSecret"), out.FieldByName("seq")
	if !sec.IsValid() || sec.Kind() != reflect.Slice || sec.Type().Elem().Kind() != reflect.Uint8 ||
		!seq.IsValid() || seq.Kind() != reflect.Array || seq.Len() != 8 || seq.Type().Elem().Kind() != reflect.Uint8 {
		return nil
	}
	var n uint64
	for i := range 8 {
		n = n<<8 | seq.Index(i).Uint()
	}
	secret := append([]byte(nil), sec.Bytes()...)
	if len(secret) == 0 {
		return nil
	}
	s := &tlsSeal{suite: cs.CipherSuite}
	if s.ours.set(s.suite, secret) != nil {
		return nil
	}
	// theirs gets its AEAD when crypto/tls first writes, if ever.
	s.ours.seq, s.theirs.seq, s.theirs.secret = n, n, secret
	return s
}

// expandLabel is HKDF-Expand-Label (RFC 8446 §7.1) with an empty context.
func expandLabel(h crypto.Hash, secret []byte, label string, n int) ([]byte, error) {
	info := make([]byte, 0, 4+6+len(label))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(6+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, 0)
	return hkdf.Expand(h.New, secret, string(info), n)
}

// set derives st's AEAD and IV from a traffic secret (RFC 8446 §7.3); the
// sequence number is the caller's.
func (st *sealState) set(suite uint16, secret []byte) error {
	h, keyLen, _ := suiteParams(suite)
	key, err := expandLabel(h, secret, "key", keyLen)
	if err != nil {
		return err
	}
	iv, err := expandLabel(h, secret, "iv", len(st.iv))
	if err != nil {
		return err
	}
	var aead cipher.AEAD
	if suite == tls.TLS_CHACHA20_POLY1305_SHA256 {
		aead, err = chacha20poly1305.New(key)
	} else {
		var b cipher.Block
		if b, err = aes.NewCipher(key); err == nil {
			aead, err = cipher.NewGCM(b)
		}
	}
	if err != nil {
		return err
	}
	st.secret, st.aead = secret, aead
	copy(st.iv[:], iv)
	return nil
}

// next moves st to the next traffic secret (RFC 8446 §7.2).
func (st *sealState) next(suite uint16) error {
	h, _, _ := suiteParams(suite)
	secret, err := expandLabel(h, st.secret, "traffic upd", h.Size())
	if err != nil {
		return err
	}
	st.seq = 0
	return st.set(suite, secret)
}

// nonceFor is the per-record nonce: the IV xor the sequence number.
func (st *sealState) nonceFor(nonce *[12]byte) []byte {
	*nonce = st.iv
	for i := range 8 {
		nonce[4+i] ^= byte(st.seq >> (56 - 8*i))
	}
	st.seq++
	return nonce[:]
}

// seal appends p to dst as records of type typ, sealed with ours.
func (s *tlsSeal) seal(dst, p []byte, typ byte) []byte { return s.sealFrom(dst, p, typ, false) }

// sealFrom is seal; with scratch, p is the loop's own buffer, which it may
// write to for a moment, up to its capacity: a record's content type byte
// is put behind its content there, for the AEAD to read the record's
// plaintext in place (and write the ciphertext to dst) instead of from a
// copy in dst, and the byte it replaced is put back. The content type must
// follow the content (RFC 8446 §5.2), and an AEAD takes one plaintext.
func (s *tlsSeal) sealFrom(dst, p []byte, typ byte, scratch bool) []byte {
	st := &s.ours
	over := st.aead.Overhead()
	for first := true; first || len(p) > 0; first = false {
		n := min(len(p), recordMaxPlain)
		size := n + 1 + over
		h := len(dst)
		dst = slices.Grow(dst, recordHeaderLen+size)
		dst = append(dst, recordTypeAppData, 3, 3, byte(size>>8), byte(size))
		hdr := dst[h : h+recordHeaderLen]
		if scratch && cap(p) > n {
			q := p[:n+1]
			was := q[n]
			q[n] = typ
			dst = st.aead.Seal(dst, st.nonceFor(&s.nonce), q, hdr)
			q[n] = was
		} else {
			dst = append(dst, p[:n]...)
			dst = append(dst, typ)
			dst = st.aead.Seal(dst[:h+recordHeaderLen], st.nonceFor(&s.nonce), dst[h+recordHeaderLen:], hdr)
		}
		p = p[n:]
	}
	return dst
}

// errRecord: what crypto/tls wrote is not a record the loop can open.
var errRecord = errors.New("tls: a record crypto/tls wrote after the hand-off does not open")

// translate appends to dst the records crypto/tls wrote (recs, whole
// records sealed with the state it had), sealed again with ours.
func (s *tlsSeal) translate(dst, recs []byte) ([]byte, error) {
	for len(recs) > 0 {
		if len(recs) < recordHeaderLen {
			return dst, errRecord
		}
		size := int(recs[3])<<8 | int(recs[4])
		if len(recs) < recordHeaderLen+size || recs[0] != recordTypeAppData {
			return dst, errRecord
		}
		if s.theirs.aead == nil && s.theirs.set(s.suite, s.theirs.secret) != nil {
			return dst, errRecord
		}
		hdr, body := recs[:recordHeaderLen], recs[recordHeaderLen:recordHeaderLen+size]
		recs = recs[recordHeaderLen+size:]
		plain, err := s.theirs.aead.Open(nil, s.theirs.nonceFor(&s.nonce), body, hdr)
		if err != nil {
			return dst, errRecord
		}
		i := len(plain) - 1 // the content type follows the content, before the padding
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 {
			return dst, errRecord
		}
		typ, content := plain[i], plain[:i]
		dst = s.seal(dst, content, typ)
		if typ == recordTypeHshake && len(content) > 0 && content[0] == handshakeKeyUpdate {
			// crypto/tls sent a KeyUpdate and moved on to the next
			// secret: so does the loop, after this record.
			if s.ours.next(s.suite) != nil || s.theirs.next(s.suite) != nil {
				return dst, errRecord
			}
		}
	}
	return dst, nil
}
