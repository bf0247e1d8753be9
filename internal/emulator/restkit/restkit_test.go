package restkit

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReadJSON(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, ctype, body string
		status            int
	}{
		{"object", "application/json", `{"a":1}`, 0},
		{"vendor json", "application/vnd.api+json; charset=utf-8", `{"a":1}`, 0},
		{"xml", "application/xml", `{"a":1}`, http.StatusUnsupportedMediaType},
		{"no type", "", `{"a":1}`, http.StatusUnsupportedMediaType},
		{"malformed", "application/json", `{"a":`, http.StatusBadRequest},
		{"two values", "application/json", `{} {}`, http.StatusBadRequest},
		{"too big", "application/json", `{"a":"` + strings.Repeat("x", 200) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			r.Header.Set("Content-Type", c.ctype)
			var m map[string]any
			err := ReadJSON(httptest.NewRecorder(), r, 100, &m)
			switch {
			case c.status == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case c.status == 0:
				if _, ok := m["a"].(json.Number); !ok {
					t.Errorf("number decoded as %T, want json.Number", m["a"])
				}
			case err == nil || err.Status != c.status:
				t.Fatalf("got %v, want status %d", err, c.status)
			}
		})
	}
}

func TestDecodeJSONTypeErrorNamesFieldNotValue(t *testing.T) {
	t.Parallel()
	var dst struct {
		Limit int `json:"limit"`
	}
	err := DecodeJSON([]byte(`{"limit":"secret-value"}`), &dst)
	if err == nil || !strings.Contains(err.Reason, "limit") || strings.Contains(err.Reason, "secret-value") {
		t.Fatalf("reason = %v", err)
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	enc := base64.StdEncoding.EncodeToString([]byte("alice:pa:ss"))
	cases := []struct {
		header, user, pass string
		ok                 bool
	}{
		{"Basic " + enc, "alice", "pa:ss", true},
		{"Fno " + enc, "alice", "pa:ss", true},
		{"fno " + enc, "alice", "pa:ss", true},
		{"Bearer " + enc, "", "", false},
		{"Basic not-base64!", "", "", false},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("nocolon")), "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", c.header)
		u, p, ok := BasicOrFno(r)
		if ok != c.ok || u != c.user || p != c.pass {
			t.Errorf("%q: got %q %q %v", c.header, u, p, ok)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "bearer abc.def.ghi")
	if tok, ok := Bearer(r); !ok || tok != "abc.def.ghi" {
		t.Errorf("Bearer = %q %v", tok, ok)
	}
	r.Header.Set("Authorization", "Bearer ")
	if _, ok := Bearer(r); ok {
		t.Error("empty bearer accepted")
	}
}

func TestChallenge(t *testing.T) {
	t.Parallel()
	for realm, want := range map[string]string{
		"FNO (fnokit emulator)": `Basic realm="FNO (fnokit emulator)"`,
		`say "hi"`:              `Basic realm="say 'hi'"`,
	} {
		if got := Challenge("Basic", realm); got != want {
			t.Errorf("Challenge(Basic, %q) = %s, want %s", realm, got, want)
		}
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestTokens(t *testing.T) {
	t.Parallel()
	c := &clock{time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)}
	tk := NewTokens(KeyFromSeed(1, "data-access"), "fnokit", c.now)
	tok, exp, err := tk.Issue("admin", "data-access", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(c.t.Add(time.Hour)) {
		t.Errorf("expiry %v", exp)
	}
	cl, err := tk.Verify(tok, "data-access")
	if err != nil || cl.Subject != "admin" || cl.ID == "" {
		t.Fatalf("verify: %+v %v", cl, err)
	}

	parts := strings.Split(tok, ".")
	flipped := []byte(parts[2])
	flipped[3] ^= 1
	none := b64(`{"alg":"none","typ":"JWT"}`) + "." + parts[1] + "."
	other := NewTokens(KeyFromSeed(2, "data-access"), "fnokit", c.now)
	forged, _, _ := other.Issue("admin", "data-access", time.Hour)
	cases := map[string]string{
		"flipped signature": parts[0] + "." + parts[1] + "." + string(flipped),
		"alg none":          none,
		"other key":         forged,
		"two parts":         parts[0] + "." + parts[1],
		"garbage":           "a.b.c",
		"huge":              strings.Repeat("a", MaxTokenBytes+1),
	}
	for name, bad := range cases {
		if _, err := tk.Verify(bad, "data-access"); !errors.Is(err, ErrTokenInvalid) {
			t.Errorf("%s: err = %v, want ErrTokenInvalid", name, err)
		}
	}
	if _, err := tk.Verify(tok, "registry"); !errors.Is(err, ErrTokenInvalid) {
		t.Errorf("other audience: %v", err)
	}
	if KeyFromSeed(1, "registry") == nil || string(KeyFromSeed(1, "registry")) == string(KeyFromSeed(1, "data-access")) {
		t.Error("keys of two APIs are equal")
	}

	c.t = c.t.Add(time.Hour)
	if _, err := tk.Verify(tok, "data-access"); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("at expiry: %v, want ErrTokenExpired", err)
	}
	if strings.Contains(ErrTokenExpired.Error(), tok) {
		t.Error("message carries the token")
	}
}
