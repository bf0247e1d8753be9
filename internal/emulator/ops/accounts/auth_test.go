package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// callAt runs an operation at a given time and returns the error too.
func callAt(r *op.Registry, version, name string, req map[string]any, at time.Time) (map[string]any, error) {
	v, _ := contract.ParseVersion(version)
	o := contract.Operation{Service: Authentication, Version: v, Name: name}
	h, ok := r.Lookup(o)
	if !ok {
		return nil, fmt.Errorf("no handler for %s", name)
	}
	return h(context.Background(), &op.Call{Op: o, Request: req, User: "admin", Now: at})
}

func token(t *testing.T, r *op.Registry, version, user string, timeout string) string {
	t.Helper()
	req := map[string]any{"userId": user}
	if timeout != "" {
		req["tokenTimeoutSeconds"] = timeout
	}
	got, err := callAt(r, version, "getSecureToken", req, now)
	if err != nil {
		t.Fatal(err)
	}
	tok := op.Str(got, "token")
	if tok == "" {
		t.Fatalf("no token in %v", got)
	}
	return tok
}

func TestTokens(t *testing.T) {
	t.Parallel()
	r := registry(t, state.New(1), op.DefaultSettings())
	tok := token(t, r, "v1", "sjoe", "")
	tamper := []byte(tok)
	tamper[len(tamper)/2] ^= 1
	forged := tokenVersion + "." + "c2pvZQ" + "." + "99999999999" + "." + strings.Split(tok, ".")[3] // later expiry, old MAC
	tests := []struct {
		name     string
		req      map[string]any
		at       time.Time
		wantCode string
	}{
		{"fresh", map[string]any{"token": tok}, now.Add(time.Minute), tokenValid},
		{"with its user", map[string]any{"token": tok, "identity": map[string]any{"userId": "sjoe"}}, now, tokenValid},
		{"another user's", map[string]any{"token": tok, "identity": map[string]any{"userId": "mallory"}}, now, tokenWrongUser},
		{"at 300 s it has expired", map[string]any{"token": tok}, now.Add(DefaultTokenLifetime), tokenExpired},
		{"one bit changed", map[string]any{"token": string(tamper)}, now, tokenInvalid},
		{"expiry extended", map[string]any{"token": forged}, now, tokenInvalid},
		{"garbage", map[string]any{"token": "sample"}, now, tokenInvalid},
		{"empty", map[string]any{"token": ""}, now, tokenInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := callAt(r, "v1", "validateToken", tt.req, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if c := op.Str(got, "statusCode"); c != tt.wantCode {
				t.Errorf("statusCode %s (%s), want %s", c, op.Str(got, "statusMessage"), tt.wantCode)
			}
			if op.Str(got, "statusMessage") == "" {
				t.Error("no statusMessage")
			}
			for _, v := range got {
				if s, _ := v.(string); tok != "" && strings.Contains(s, tok) {
					t.Error("the response repeats the token")
				}
			}
		})
	}
}

func TestTokensAreDeterministic(t *testing.T) {
	t.Parallel()
	a := registry(t, state.New(1), op.DefaultSettings())
	b := registry(t, state.New(2), op.DefaultSettings()) // same Options.Seed (42)
	if x, y := token(t, a, "v1", "sjoe", ""), token(t, b, "v1", "sjoe", ""); x != y {
		t.Error("same seed, user and time gave different tokens")
	}
	other := op.NewRegistry()
	RegisterWith(other, state.New(1), op.DefaultSettings(), Options{Seed: 43})
	if x, y := token(t, a, "v1", "sjoe", ""), token(t, other, "v1", "sjoe", ""); x == y {
		t.Error("different seeds gave the same token")
	}
	// A token of another seed does not validate.
	got, _ := callAt(a, "v1", "validateToken", map[string]any{"token": token(t, other, "v1", "sjoe", "")}, now)
	if op.Str(got, "statusCode") != tokenInvalid {
		t.Errorf("foreign token: %v", got)
	}
	if token(t, a, "v1", "sjoe", "") == token(t, a, "v1", "sjoe2", "") {
		t.Error("two users, one token")
	}
}

func TestTokenTimeout(t *testing.T) {
	t.Parallel()
	r := registry(t, state.New(1), op.DefaultSettings())
	tok := token(t, r, "v1", "sjoe", "3600")
	for _, tt := range []struct {
		at   time.Duration
		want string
	}{{3599 * time.Second, tokenValid}, {3600 * time.Second, tokenExpired}} {
		got, _ := callAt(r, "v1", "validateToken", map[string]any{"token": tok}, now.Add(tt.at))
		if op.Str(got, "statusCode") != tt.want {
			t.Errorf("after %v: %v, want %s", tt.at, got, tt.want)
		}
	}
	long := token(t, r, "v1", "sjoe", "99999999999")
	got, _ := callAt(r, "v1", "validateToken", map[string]any{"token": long}, now.Add(MaxTokenLifetime))
	if op.Str(got, "statusCode") != tokenExpired {
		t.Errorf("tokenTimeoutSeconds is not capped at %v: %v", MaxTokenLifetime, got)
	}
	for _, bad := range []string{"0", "-5", "soon"} {
		_, err := callAt(r, "v1", "getSecureToken", map[string]any{"userId": "sjoe", "tokenTimeoutSeconds": bad}, now)
		var f *op.Fault
		if !errors.As(err, &f) || f.Code != "soapenv:Client" {
			t.Errorf("timeout %q: %v, want a client fault", bad, err)
		}
	}
	if _, err := callAt(r, "v1", "getSecureToken", map[string]any{"userId": ""}, now); err == nil {
		t.Error("empty userId: no fault")
	}
}

func TestUserToken(t *testing.T) {
	t.Parallel()
	r := registry(t, state.New(1), op.DefaultSettings())
	got, err := callAt(r, "base", "getUserToken", map[string]any{"#text": "sjoe"}, now)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := callAt(r, "base", "validateToken", map[string]any{"token": op.Str(got, "Token"), "identity": map[string]any{"userId": "sjoe"}}, now)
	if op.Str(v, "statusCode") != tokenValid {
		t.Errorf("getUserToken's token: %v", v)
	}
}

func TestAuthenticateUser(t *testing.T) {
	t.Parallel()
	r := registry(t, state.New(1), op.DefaultSettings())
	tests := []struct {
		user, password string
		want           string
	}{
		{"admin", testPassword, "true"},
		{"admin", testPassword + " ", "false"},
		{"admin", "wrong", "false"},
		{"someone", testPassword, "false"},
		{"", testPassword, "false"},
	}
	for _, tt := range tests {
		got, err := callAt(r, "v1", "authenticateUser", map[string]any{"userName": tt.user, "password": tt.password, "domainName": "FLEXnet"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if op.Str(got, "Success") != tt.want {
			t.Errorf("%q: Success %v, want %s", tt.user, got["Success"], tt.want)
		}
		if strings.Contains(fmt.Sprint(got), testPassword) {
			t.Error("the response repeats the password")
		}
	}
	// Without a check nobody authenticates.
	plain := op.NewRegistry()
	Register(plain, state.New(1), op.DefaultSettings())
	got, _ := callAt(plain, "v1", "authenticateUser", map[string]any{"userName": "admin", "password": testPassword, "domainName": "x"}, now)
	if op.Str(got, "Success") != "false" {
		t.Errorf("no Authenticate: %v", got)
	}
}
