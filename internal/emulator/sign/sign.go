// Package sign holds the emulator's signing key and the two signed artefacts
// FNO hands out: FlexNet-style licence text (INCREMENT and FEATURE lines with
// a SIGN= field) for LicenseService fulfilments, and signed capability
// responses for ManageDevice generateCapabilityResponse.
//
// The key is Ed25519, derived from the emulator's seed, so the same seed
// gives the same key and the same licence text for the same input: a test can
// keep a golden licence. The signatures are ours, not FlexNet's (a FlexNet
// client cannot check them); what matters to a client under test is the
// shape of the text and that tampering is detectable with Verify.
package sign

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Signer signs licence text and capability responses with one key.
// It is safe for concurrent use.
type Signer struct {
	priv ed25519.PrivateKey
	v    Verifier
}

// New derives the emulator's key from seed: the same seed, the same key.
func New(seed int64) *Signer {
	sum := sha256.Sum256([]byte("fnokit-emulator-signing-key/" + strconv.FormatInt(seed, 10)))
	priv := ed25519.NewKeyFromSeed(sum[:])
	return &Signer{priv: priv, v: NewVerifier(priv.Public().(ed25519.PublicKey))}
}

// PublicKey is the key Verify checks against.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.v.pub }

// KeyID is a short fingerprint of the public key (16 hex digits), written
// into licence text as the ISSUER's key reference and into capability blobs.
func (s *Signer) KeyID() string { return s.v.KeyID() }

// Verifier checks what a Signer produced, knowing only the public key.
type Verifier struct {
	pub ed25519.PublicKey
	id  [8]byte
}

// NewVerifier returns a Verifier for pub.
func NewVerifier(pub ed25519.PublicKey) Verifier {
	v := Verifier{pub: pub}
	sum := sha256.Sum256(pub)
	copy(v.id[:], sum[:8])
	return v
}

// Verifier returns the Verifier of s's key.
func (s *Signer) Verifier() Verifier { return s.v }

// KeyID is a short fingerprint of the public key (16 hex digits).
func (v Verifier) KeyID() string { return hex.EncodeToString(v.id[:]) }

// Errors Verify wraps; test with errors.Is.
var (
	ErrNoSignedLines = errors.New("no signed INCREMENT or FEATURE line")
	ErrBadSignature  = errors.New("signature does not match")
	ErrMalformed     = errors.New("malformed")
)

// Domain separation: a licence line signature can never pass as a capability
// signature and the other way round.
const (
	licenseDomain    = "fnokit-license-line-v1\n"
	capabilityDomain = "fnokit-capability-v1\n"
)

// ---- licence text ----

// Keyword is the FlexNet line type: INCREMENT lines add up, FEATURE lines
// replace one another.
type Keyword string

// The two licence line keywords.
const (
	Increment Keyword = "INCREMENT"
	Feature   Keyword = "FEATURE"
)

// Line is one feature line of a licence.
type Line struct {
	Keyword Keyword // Increment when empty
	Name    string  // feature name; characters outside [A-Za-z0-9_-.] become _
	Version string  // feature version; "1.0" when empty
	// Expiry is the last day of validity; zero means permanent.
	Expiry time.Time
	// Count is the number of licences; 0 writes "uncounted".
	Count int
	// HostID node-locks the line (HOSTID=); empty means none.
	HostID       string
	VendorString string // VENDOR_STRING=, optional
	Notice       string // NOTICE=, optional
	Start        time.Time
	Issued       time.Time
}

// License is a licence file: an optional SERVER/VENDOR header for served
// licences, then one signed line per feature.
type License struct {
	Vendor string // vendor daemon name; "fnokit" when empty
	// ServerHostID, if set, makes a served licence: SERVER, VENDOR and
	// USE_SERVER lines precede the features.
	ServerHostID string
	ServerName   string // "this_host" when empty
	Issuer       string // ISSUER=, optional
	Lines        []Line
}

const wrapAt = 76

// LicenseText renders lic as FlexNet-style licence text, each feature line
// signed (SIGN="…") over its content. Values that would break the syntax
// (quotes, backslashes, line breaks) are replaced, so what is signed is
// exactly what is written.
func (s *Signer) LicenseText(lic License) string {
	vendor := token(lic.Vendor, "fnokit")
	var b strings.Builder
	if lic.ServerHostID != "" {
		fmt.Fprintf(&b, "SERVER %s %s\n", token(lic.ServerName, "this_host"), token(lic.ServerHostID, "ANY"))
		fmt.Fprintf(&b, "VENDOR %s\nUSE_SERVER\n", vendor)
	}
	for _, l := range lic.Lines {
		logical := s.signLine(featureLine(vendor, lic.Issuer, l))
		b.WriteString(wrap(logical))
		b.WriteByte('\n')
	}
	return b.String()
}

func featureLine(vendor, issuer string, l Line) string {
	kw := l.Keyword
	if kw == "" {
		kw = Increment
	}
	exp := "permanent"
	if !l.Expiry.IsZero() {
		exp = flexDate(l.Expiry)
	}
	count := "uncounted"
	if l.Count > 0 {
		count = strconv.Itoa(l.Count)
	}
	f := []string{string(kw), token(l.Name, "feature"), vendor, token(l.Version, "1.0"), exp, count}
	if l.VendorString != "" {
		f = append(f, `VENDOR_STRING="`+quoted(l.VendorString)+`"`)
	}
	if l.HostID != "" {
		f = append(f, "HOSTID="+token(l.HostID, "ANY"))
	}
	if issuer != "" {
		f = append(f, `ISSUER="`+quoted(issuer)+`"`)
	}
	if l.Notice != "" {
		f = append(f, `NOTICE="`+quoted(l.Notice)+`"`)
	}
	if !l.Issued.IsZero() {
		f = append(f, "ISSUED="+flexDate(l.Issued))
	}
	if !l.Start.IsZero() {
		f = append(f, "START="+flexDate(l.Start))
	}
	return strings.Join(f, " ")
}

// signLine appends SIGN="…" (the signature in 4-digit groups, as FlexNet
// writes it) to a logical line.
func (s *Signer) signLine(content string) string {
	sig := ed25519.Sign(s.priv, []byte(licenseDomain+content))
	h := strings.ToUpper(hex.EncodeToString(sig))
	var g strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			g.WriteByte(' ')
		}
		g.WriteString(h[i : i+4])
	}
	return content + ` SIGN="` + g.String() + `"`
}

// wrap breaks a logical line FlexNet-style ("\" at the end, a tab on the
// continuation) at spaces, inside or outside quotes; Verify undoes it.
func wrap(logical string) string {
	var b strings.Builder
	col := 0
	for i, word := range strings.Split(logical, " ") {
		if i > 0 {
			if col+1+len(word) > wrapAt {
				b.WriteString(" \\\n\t")
				col = 8
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}

func unwrap(text string) string {
	return strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), " \\\n\t", " ")
}

// token makes s a bare FlexNet token (no spaces, quotes or separators).
func token(s, def string) string {
	if s == "" {
		return def
	}
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':' || c == '='
		if !ok {
			b[i] = '_'
		}
	}
	return string(b)
}

// quoted makes s safe inside "…": no quote, backslash or line break.
func quoted(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '"':
			return '\''
		case '\\', '\n', '\r', '\t':
			return ' '
		}
		return r
	}, s)
}

var months = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// flexDate writes a date the FlexNet way: 31-dec-2026.
func flexDate(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d-%s-%04d", t.Day(), months[t.Month()-1], t.Year())
}

// VerifyLicenseText checks every INCREMENT and FEATURE line of text and
// returns how many it checked; a line without SIGN=, with a bad signature or
// none at all is an error (wrapping ErrMalformed, ErrBadSignature or
// ErrNoSignedLines) naming the line number.
func (v Verifier) VerifyLicenseText(text string) (int, error) {
	n := 0
	for i, line := range strings.Split(unwrap(text), "\n") {
		if !strings.HasPrefix(line, string(Increment)+" ") && !strings.HasPrefix(line, string(Feature)+" ") {
			continue
		}
		k := strings.LastIndex(line, ` SIGN="`)
		if k < 0 || !strings.HasSuffix(line, `"`) {
			return n, fmt.Errorf("licence line %d: no SIGN= field: %w", i+1, ErrMalformed)
		}
		sig, err := hex.DecodeString(strings.ReplaceAll(line[k+len(` SIGN="`):len(line)-1], " ", ""))
		if err != nil || len(sig) != ed25519.SignatureSize {
			return n, fmt.Errorf("licence line %d: SIGN= is not a signature: %w", i+1, ErrMalformed)
		}
		if !ed25519.Verify(v.pub, []byte(licenseDomain+line[:k]), sig) {
			return n, fmt.Errorf("licence line %d: %w", i+1, ErrBadSignature)
		}
		n++
	}
	if n == 0 {
		return 0, ErrNoSignedLines
	}
	return n, nil
}

// VerifyLicenseText checks text against s's own key.
func (s *Signer) VerifyLicenseText(text string) (int, error) { return s.v.VerifyLicenseText(text) }

// ---- capability responses ----

// capMagic starts every capability blob.
var capMagic = [8]byte{'F', 'N', 'O', 'K', 'C', 'A', 'P', '1'}

const capHeader = len(capMagic) + 8 + 4 // magic, key ID, payload length

// Capability signs payload into a capability response blob:
// magic "FNOKCAP1" | key ID (8 bytes) | payload length (uint32, big endian) |
// payload | Ed25519 signature (64 bytes) over everything before it.
// The server sends it Base64-encoded, as FNO does.
func (s *Signer) Capability(payload []byte) []byte {
	blob := make([]byte, 0, capHeader+len(payload)+ed25519.SignatureSize)
	blob = append(blob, capMagic[:]...)
	blob = append(blob, s.v.id[:]...)
	blob = binary.BigEndian.AppendUint32(blob, uint32(len(payload)))
	blob = append(blob, payload...)
	sig := ed25519.Sign(s.priv, append([]byte(capabilityDomain), blob...))
	return append(blob, sig...)
}

// VerifyCapability checks a blob from Capability and returns its payload.
func (v Verifier) VerifyCapability(blob []byte) ([]byte, error) {
	if len(blob) < capHeader+ed25519.SignatureSize || !bytes.Equal(blob[:len(capMagic)], capMagic[:]) {
		return nil, fmt.Errorf("capability response: not a capability blob: %w", ErrMalformed)
	}
	if !bytes.Equal(blob[len(capMagic):len(capMagic)+8], v.id[:]) {
		return nil, fmt.Errorf("capability response: signed with another key: %w", ErrBadSignature)
	}
	n := binary.BigEndian.Uint32(blob[capHeader-4 : capHeader])
	if uint64(len(blob)) != uint64(capHeader)+uint64(n)+ed25519.SignatureSize {
		return nil, fmt.Errorf("capability response: length does not match its header: %w", ErrMalformed)
	}
	body := blob[:capHeader+int(n)]
	if !ed25519.Verify(v.pub, append([]byte(capabilityDomain), body...), blob[len(body):]) {
		return nil, fmt.Errorf("capability response: %w", ErrBadSignature)
	}
	return bytes.Clone(body[capHeader:]), nil
}

// VerifyCapability checks a blob against s's own key.
func (s *Signer) VerifyCapability(blob []byte) ([]byte, error) { return s.v.VerifyCapability(blob) }
