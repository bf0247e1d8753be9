package registry

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// Bounds of a registry secret. MinSecretLength is the seed's rule (seed
// 3157); the maxima are the contract's (SecretChange.new-secret maxLength
// and Base64Secret maxLength, REG-7), so a bounded secret is never refused
// by one and accepted by the other.
const (
	MinSecretLength   = 8
	MaxSecretLength   = 256
	maxEncodedSecret  = 1024
	generatedSecret   = 16 // length of a secret the registry makes up
	secretAlphabet    = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
	propExisting      = "existing-secret"
	propNew           = "new-secret"
	secretRulesReason = "new-secret does not meet the registry secret rules (at least 8 characters, " +
		"an uppercase letter, a lowercase letter and a digit); the current secret is unchanged: "
)

// secrets holds the registry secret of each user who has changed theirs;
// any other user's secret is derived from the key and their name, so a
// seeded emulator starts with the same secrets every run. Entries are
// only made for users the emulator's Auth accepted, so the map is bounded
// by its configured users.
type secrets struct {
	key []byte
	mu  sync.Mutex
	set map[string]string
}

func newSecrets(key []byte) *secrets { return &secrets{key: key, set: map[string]string{}} }

// current returns user's secret; s.mu must be held.
func (s *secrets) current(user string) string {
	if v, ok := s.set[user]; ok {
		return v
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(user))
	return secretFrom(m.Sum(nil))
}

// secretFrom makes a secret meeting the rules from at least
// generatedSecret bytes: an uppercase letter, a lowercase letter and a
// digit first, then any of the alphabet.
func secretFrom(b []byte) string {
	out := make([]byte, generatedSecret)
	out[0] = 'A' + b[0]%26
	out[1] = 'a' + b[1]%26
	out[2] = '2' + b[2]%8
	for i := 3; i < generatedSecret; i++ {
		out[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(out)
}

// SecretProblems lists the rules a proposed new secret breaks, empty when
// it meets them all. The rules are the seed's (seed 3155-3163), on ASCII
// letters and digits as the contract's pattern reads them, plus the
// contract's maximum length and its single line ('.' in the pattern
// matches no line terminator).
func SecretProblems(secret string) []string {
	var out []string
	n := utf8.RuneCountInString(secret)
	if n < MinSecretLength {
		out = append(out, "shorter than 8 characters")
	}
	if n > MaxSecretLength {
		out = append(out, "longer than 256 characters")
	}
	if strings.ContainsAny(secret, "\n\r\u2028\u2029") {
		out = append(out, "holds a line break")
	}
	var upper, lower, digit bool
	for i := range len(secret) {
		switch c := secret[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	if !upper {
		out = append(out, "no uppercase letter")
	}
	if !lower {
		out = append(out, "no lowercase letter")
	}
	if !digit {
		out = append(out, "no digit")
	}
	return out
}

// getSecret answers the caller's registry secret, Base64-encoded
// (seed 3139-3147, REG-9).
func (h *Handler) getSecret(c *call) (reply, *restkit.Error) {
	h.secrets.mu.Lock()
	cur := h.secrets.current(c.user)
	h.secrets.mu.Unlock()
	return reply{text: base64.StdEncoding.EncodeToString([]byte(cur))}, nil
}

// putSecret replaces the caller's secret (seed 3149-3166, 3205-3212): the
// current one must be given, Base64-encoded; a blank or absent new one
// makes the registry generate one; one that breaks the rules is refused
// and the current secret stays. Every refusal is 400, the only error the
// seed lists for the route (a body that is not JSON or too large too).
func (h *Handler) putSecret(c *call) (reply, *restkit.Error) {
	var v any
	if err := restkit.ReadJSON(c.w, c.r, h.cfg.MaxBody, &v); err != nil {
		return reply{}, badRequest(err.Reason)
	}
	body, ok := v.(map[string]any)
	if !ok {
		return reply{}, badRequest("the body must be a JSON object with existing-secret and new-secret")
	}
	for k := range body {
		if k != propExisting && k != propNew {
			// The property's name is not repeated: it is the client's text.
			return reply{}, badRequest("the body has a property other than existing-secret and new-secret")
		}
	}
	raw, has := body[propExisting]
	if !has {
		return reply{}, badRequest("existing-secret is required: the current secret, Base64-encoded")
	}
	enc, ok := raw.(string)
	if !ok {
		return reply{}, badRequest("existing-secret must be a string: the current secret, Base64-encoded")
	}
	existing, err := decodeSecret(enc)
	if err != nil {
		return reply{}, badRequest("existing-secret is not Base64: send the current secret Base64-encoded")
	}
	next := ""
	if raw, has := body[propNew]; has {
		s, ok := raw.(string)
		if !ok {
			return reply{}, badRequest("new-secret must be a string (or blank, for a generated secret)")
		}
		next = s
	}
	if next != "" {
		if problems := SecretProblems(next); len(problems) > 0 {
			return reply{}, badRequest(secretRulesReason + strings.Join(problems, ", "))
		}
	} else {
		b := make([]byte, generatedSecret)
		if _, err := rand.Read(b); err != nil {
			return reply{}, &restkit.Error{Status: http.StatusInternalServerError, Reason: "a secret could not be generated"}
		}
		next = secretFrom(b)
	}

	h.secrets.mu.Lock()
	defer h.secrets.mu.Unlock()
	if subtle.ConstantTimeCompare(existing, []byte(h.secrets.current(c.user))) != 1 {
		return reply{}, badRequest("existing-secret is not the current registry secret; the secret is unchanged")
	}
	h.secrets.set[c.user] = next
	return reply{text: base64.StdEncoding.EncodeToString([]byte(next))}, nil
}

// decodeSecret decodes padded standard Base64, as Base64Secret's pattern
// has it: no line breaks (which Go's decoder would skip), bounded.
func decodeSecret(s string) ([]byte, error) {
	if len(s) > maxEncodedSecret || strings.ContainsAny(s, "\r\n") {
		return nil, base64.CorruptInputError(0)
	}
	return base64.StdEncoding.Strict().DecodeString(s)
}
