package suite

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cfg  Config
		want string // "" for valid
	}{
		{Config{}, ""},
		{Config{User: "u"}, "credentials are for a live target"},
		{Config{AllowWrites: true}, "always allowed on the emulator"},
		{Config{Target: "https://uat.example.com", User: "u", Password: "p"}, ""},
		{Config{Target: "https://uat.example.com/flexnet", Token: "t"}, ""},
		{Config{Target: "uat.example.com", Token: "t"}, "http or https"},
		{Config{Target: "https://u:secret-pw@uat.example.com", Token: "t"}, "must not carry credentials"},
		{Config{Target: "https://uat.example.com?token=x", Token: "t"}, "no query"},
		{Config{Target: "https://uat.example.com"}, "needs credentials"},
		{Config{Target: "https://uat.example.com", User: "u"}, "both FNOKIT_USER and FNOKIT_PASSWORD"},
		{Config{Target: "https://uat.example.com", User: "u", Password: "p", Token: "t"}, "not both"},
	}
	for _, c := range cases {
		err := c.cfg.Check()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg.Target, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.cfg.Target, err, c.want)
		case err != nil && strings.Contains(err.Error(), "secret-pw"):
			t.Errorf("the error echoes the URL's password")
		}
	}
}

func TestParseDrift(t *testing.T) {
	t.Parallel()
	f, err := ParseDrift("ManageDeviceService/v7/searchDevices=drop-required, LicenseService=rename")
	if err != nil || len(f.Rules) != 2 || f.Rules[0].Operation != "searchDevices" || f.Rules[0].Version != "v7" || f.Rules[1].Service != "LicenseService" {
		t.Fatalf("%+v %v", f, err)
	}
	for _, bad := range []string{"ManageDeviceService", "a/b/c/d=rename", "ManageDeviceService=melt"} {
		if _, err := ParseDrift(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTokenOf(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"token":"a.b.c","expires":"x"}`: "a.b.c",
		`"a.b.c"`:                         "a.b.c",
		"a.b.c\n":                         "a.b.c",
		`{"other":1}`:                     "",
		"<html>no</html>":                 "",
	} {
		if got := tokenOf([]byte(body)); got != want {
			t.Errorf("tokenOf(%q) = %q, want %q", body, got, want)
		}
	}
}

// Cleanups run newest first, once, within the timeout; a failing, a
// panicking and a hanging cleanup do not stop the others.
func TestCleanups(t *testing.T) {
	t.Parallel()
	e := &Env{cfg: Config{CleanupTimeout: 300 * time.Millisecond}}
	var order []string
	e.Cleanup("first", func(context.Context) error { order = append(order, "first"); return nil })
	e.Cleanup("failing", func(context.Context) error { return errors.New("boom") })
	e.Cleanup("panicking", func(context.Context) error { panic("oops") })
	e.Cleanup("failing through the harness", func(context.Context) error { e.fail("deleteDevice answered FAILURE"); return nil })
	e.Cleanup("last", func(context.Context) error { order = append(order, "last"); return nil })
	res := e.finish()
	if len(res) != 5 || strings.Join(order, ",") != "last,first" {
		t.Fatalf("results %+v, order %v", res, order)
	}
	if res[1].Err == nil || res[1].Err.Error() != "deleteDevice answered FAILURE" || res[2].Err == nil || res[3].Err == nil || res[0].Err != nil || res[4].Err != nil {
		t.Errorf("results %+v", res)
	}
	if again := e.finish(); len(again) != 5 {
		t.Error("a second finish ran the cleanups again")
	}
	ran := false
	e.Cleanup("late", func(context.Context) error { ran = true; return nil })
	if !ran {
		t.Error("a cleanup registered after the end did not run at once")
	}

	h := &Env{cfg: Config{CleanupTimeout: 100 * time.Millisecond}}
	h.Cleanup("hanging", func(ctx context.Context) error { time.Sleep(5 * time.Second); return nil })
	if res := h.finish(); len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "did not finish in time") {
		t.Errorf("a hanging cleanup: %+v", res)
	}
}

// The Auth choices fill in the run's credentials; the schemes that need
// its password say so on a run that has only a token.
func TestSetAuth(t *testing.T) {
	t.Parallel()
	basic := &Env{user: "u", password: "pw-1"}
	token := &Env{token: "tok-1"}
	b64 := base64.StdEncoding.EncodeToString([]byte("u:pw-1"))
	cases := []struct {
		e    *Env
		a    Auth
		want string
		err  error
	}{
		{basic, AuthDefault, "Basic " + b64, nil},
		{basic, AuthNone, "", nil},
		{basic, AuthBasic, "Basic " + b64, nil},
		{basic, AuthFno, "Fno " + b64, nil},
		{token, AuthDefault, "Bearer tok-1", nil},
		{token, AuthNone, "", nil},
		{token, AuthBasic, "", errNoPassword},
		{token, AuthFno, "", errNoPassword},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)
		err := c.e.setAuth(c.a, req)
		if !errors.Is(err, c.err) || req.Header.Get("Authorization") != c.want {
			t.Errorf("auth %d: header %q, error %v; want %q, %v", c.a, req.Header.Get("Authorization"), err, c.want, c.err)
		}
	}
	if err := basic.setAuth(Auth(99), httptest.NewRequest(http.MethodGet, "http://127.0.0.1/x", nil)); err == nil {
		t.Error("an unknown Auth was accepted")
	}
}

// The golden folder is the nearest one with normalize.yaml: from a package
// under internal/, internal/golden (a Go package) is not it.
func TestFindUpGolden(t *testing.T) {
	root := t.TempDir()
	pkg := filepath.Join(root, "internal", "x")
	for _, d := range []string{pkg, filepath.Join(root, "internal", "golden"), filepath.Join(root, "golden")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "golden", "normalize.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)
	if got, want := findUp("golden", "normalize.yaml"), filepath.Join(root, "golden"); got != want {
		t.Errorf("findUp golden = %s, want %s", got, want)
	}
	if got, want := findUp("golden", ""), filepath.Join(root, "internal", "golden"); got != want {
		t.Errorf("findUp without a marker = %s, want the nearest folder %s", got, want)
	}
	if got := findUp("nowhere", ""); got != "nowhere" {
		t.Errorf("findUp of a missing folder = %s", got)
	}
}
