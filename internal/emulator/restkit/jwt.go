package restkit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Token verification failures; Verify wraps one of them.
var (
	// ErrTokenExpired: the token was ours and is past its expiry; the
	// client should authenticate again.
	ErrTokenExpired = errors.New("the token has expired: authenticate again for a new one")
	// ErrTokenInvalid: malformed, not signed by us, another algorithm than
	// HS256, or issued for another API.
	ErrTokenInvalid = errors.New("the token is not valid: use one from this API's authenticate route")
)

// MaxTokenBytes bounds the tokens Verify looks at.
const MaxTokenBytes = 4096

// KeyFromSeed derives a signing key from the data set's seed and the
// API's name, so a seeded emulator issues the same tokens every run and
// a token of one API is not signed with another's key.
func KeyFromSeed(seed int64, purpose string) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seed))
	m := hmac.New(sha256.New, []byte("fnokit emulator token key"))
	m.Write(b[:])
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// Claims are the registered claims of a token.
type Claims struct {
	Subject   string
	Audience  string
	Issuer    string
	ID        string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// wireClaims is the JSON form (RFC 7519 names, NumericDate seconds).
type wireClaims struct {
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	Iss string `json:"iss"`
	Jti string `json:"jti"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
}

// Tokens issues and verifies HS256 JSON Web Tokens (RFC 7519) with one
// key. It is safe for concurrent use.
type Tokens struct {
	key    []byte
	issuer string
	now    func() time.Time
}

// NewTokens returns an issuer signing with key; now is the emulator's
// clock (nil: time.Now), against which expiry is judged.
func NewTokens(key []byte, issuer string, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{key: append([]byte(nil), key...), issuer: issuer, now: now}
}

var header = b64(`{"alg":"HS256","typ":"JWT"}`)

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// Issue returns a token for subject, valid for audience during ttl.
func (t *Tokens) Issue(subject, audience string, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 {
		return "", time.Time{}, errors.New("restkit: a token needs a positive lifetime")
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("restkit: token id: %w", err)
	}
	now := t.now()
	exp := now.Add(ttl)
	body, err := json.Marshal(wireClaims{Sub: subject, Aud: audience, Iss: t.issuer,
		Jti: hex.EncodeToString(id[:]), Iat: now.Unix(), Exp: exp.Unix()})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("restkit: encode claims: %w", err)
	}
	signing := header + "." + base64.RawURLEncoding.EncodeToString(body)
	return signing + "." + t.sign(signing), time.Unix(exp.Unix(), 0), nil
}

func (t *Tokens) sign(signing string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(signing))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Verify checks a token's form, algorithm, signature, audience and
// expiry, in that order, and returns its claims. The signature is checked
// before anything inside the token is believed.
func (t *Tokens) Verify(token, audience string) (Claims, error) {
	if len(token) > MaxTokenBytes {
		return Claims{}, fmt.Errorf("%w (longer than %d bytes)", ErrTokenInvalid, MaxTokenBytes)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, fmt.Errorf("%w (not three dot-separated parts)", ErrTokenInvalid)
	}
	hdr, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Claims{}, fmt.Errorf("%w (header is not base64url)", ErrTokenInvalid)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hdr, &h) != nil || h.Alg != "HS256" {
		return Claims{}, fmt.Errorf("%w (only HS256 tokens are accepted)", ErrTokenInvalid)
	}
	want := t.sign(parts[0] + "." + parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return Claims{}, fmt.Errorf("%w (bad signature)", ErrTokenInvalid)
	}
	body, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Claims{}, fmt.Errorf("%w (claims are not base64url)", ErrTokenInvalid)
	}
	var w wireClaims
	if err := json.Unmarshal(body, &w); err != nil {
		return Claims{}, fmt.Errorf("%w (claims are not JSON)", ErrTokenInvalid)
	}
	if w.Aud != audience {
		return Claims{}, fmt.Errorf("%w (issued for another API)", ErrTokenInvalid)
	}
	c := Claims{Subject: w.Sub, Audience: w.Aud, Issuer: w.Iss, ID: w.Jti,
		IssuedAt: time.Unix(w.Iat, 0), ExpiresAt: time.Unix(w.Exp, 0)}
	if !t.now().Before(c.ExpiresAt) {
		return c, ErrTokenExpired
	}
	return c, nil
}
