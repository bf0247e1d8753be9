package soap

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const secretMark = "s3cr3t-P@ss"

func TestCredentialsNeverPrintTheirSecret(t *testing.T) {
	t.Parallel()
	type holder struct {
		Name  string
		creds Credentials // unexported: fmt cannot call its methods
		C     Credentials
		P     *Credentials
	}
	for _, c := range []Credentials{Basic("alice", secretMark), SOAPHeader("alice", secretMark), Bearer(secretMark)} {
		c := c
		h := holder{Name: "x", creds: c, C: c, P: &c}
		var outs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
			outs = append(outs, fmt.Sprintf(verb, c), fmt.Sprintf(verb, &c), fmt.Sprintf(verb, h), fmt.Sprintf(verb, []Credentials{c}))
		}
		outs = append(outs, fmt.Sprint(c), fmt.Sprintln(h), c.String(), c.GoString())
		j, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(j))
		for _, o := range outs {
			if strings.Contains(o, secretMark) || strings.Contains(o, fmt.Sprintf("%x", secretMark)) {
				t.Errorf("%s credentials leak their secret: %s", c.Style, o)
			}
		}
		if !strings.Contains(fmt.Sprintf("%+v", c), redacted) {
			t.Errorf("%s: redacted form should say so: %+v", c.Style, c)
		}
		// The secret is still there to be used.
		if c.password() != secretMark {
			t.Errorf("%s: secret lost", c.Style)
		}
	}
}

func TestApplySetsHTTPAuthOnlyForHTTPStyles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		creds Credentials
		want  string
	}{
		{Basic("alice", "pw"), "Basic YWxpY2U6cHc="},
		{Bearer("tok"), "Bearer tok"},
		{SOAPHeader("alice", "pw"), ""},
		{Credentials{}, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
		c.creds.Apply(req)
		if got := req.Header.Get("Authorization"); got != c.want {
			t.Errorf("%s: Authorization %q, want %q", c.creds.Style, got, c.want)
		}
	}
}

func TestAuthStyleNames(t *testing.T) {
	t.Parallel()
	for _, s := range []AuthStyle{NoAuth, BasicAuth, HeaderAuth, BearerAuth} {
		back, err := ParseAuthStyle(s.String())
		if err != nil || back != s {
			t.Errorf("%v: round trip gave %v, %v", s, back, err)
		}
	}
	if _, err := ParseAuthStyle("digest"); err == nil {
		t.Error("unknown style accepted")
	}
}
