package fno

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
)

func TestParseClientOptions(t *testing.T) {
	t.Parallel()
	bundled := map[string]contract.Version{"ManageDeviceService": "v7", "LicenseService": "v2"}
	const secret = "hunter2-secret"
	basic := map[string]any{"basic": map[string]any{"user": "admin", "password": secret}}
	good := func(extra map[string]any) map[string]any {
		m := map[string]any{"baseURL": "http://127.0.0.1:8080/"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		o, err := parseClientOptions(good(map[string]any{
			"auth":     map[string]any{"soapHeader": map[string]any{"user": "u", "password": secret}},
			"versions": map[string]any{"ManageDeviceService": "v6", "LicenseService": "base"},
			"validate": map[string]any{"sample": 0.25},
			"timeout":  "5s",
			"tags":     map[string]any{"team": "perf", "run": int64(3)},
		}), bundled)
		if err != nil {
			t.Fatal(err)
		}
		if o.baseURL != "http://127.0.0.1:8080" || o.soapCreds.Style != soap.HeaderAuth || o.restCreds.Style != soap.BasicAuth ||
			!o.hasPassword || o.versions["ManageDeviceService"] != "v6" || o.versions["LicenseService"] != contract.Base ||
			o.timeout != 5*time.Second || o.tags["run"] != "3" {
			t.Errorf("options = %+v", o)
		}
		if validationAvailable && o.sample != 0.25 {
			t.Errorf("sample = %v", o.sample)
		}
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		o, err := parseClientOptions(good(map[string]any{"auth": map[string]any{"token": secret}}), bundled)
		if err != nil || o.soapCreds.Style != soap.BearerAuth || o.restCreds.Style != soap.BearerAuth || o.hasPassword {
			t.Errorf("token options = %+v, %v", o, err)
		}
	})
	for _, c := range []struct {
		name string
		opts any
		want string
	}{
		{"not an object", "http://x", "must be an object"},
		{"no baseURL", map[string]any{}, "baseURL is required"},
		{"relative baseURL", map[string]any{"baseURL": "/flexnet"}, "absolute http or https"},
		{"ftp baseURL", map[string]any{"baseURL": "ftp://h"}, "absolute http or https"},
		{"credentials in baseURL", map[string]any{"baseURL": "http://admin:" + secret + "@h"}, "must not carry credentials"},
		{"query in baseURL", map[string]any{"baseURL": "http://h/?a=1"}, "query"},
		{"unknown key", good(map[string]any{"colour": 1}), `unknown key "colour"`},
		{"two auth styles", good(map[string]any{"auth": map[string]any{"basic": basic["basic"], "token": secret}}), "exactly one"},
		{"unknown auth style", good(map[string]any{"auth": map[string]any{"kerberos": secret}}), "unknown style"},
		{"no user", good(map[string]any{"auth": map[string]any{"basic": map[string]any{"password": secret}}}), "user must be"},
		{"password not a string", good(map[string]any{"auth": map[string]any{"basic": map[string]any{"user": "u", "password": int64(1)}}}), "password must be"},
		{"empty token", good(map[string]any{"auth": map[string]any{"token": ""}}), "non-empty"},
		{"unknown service", good(map[string]any{"versions": map[string]any{"NoSuchService": "v1"}}), "unknown service"},
		{"bad version", good(map[string]any{"versions": map[string]any{"ManageDeviceService": "seven"}}), "versions.ManageDeviceService"},
		{"sample above 1", good(map[string]any{"validate": map[string]any{"sample": 1.5}}), "from 0"},
		{"sample not a number", good(map[string]any{"validate": map[string]any{"sample": "all"}}), "from 0"},
		{"zero timeout", good(map[string]any{"timeout": "0s"}), "positive duration"},
		{"huge timeout", good(map[string]any{"timeout": "1000h"}), "positive duration"},
		{"object tag", good(map[string]any{"tags": map[string]any{"t": map[string]any{}}}), "options.tags.t"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseClientOptions(c.opts, bundled)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}

// A version the bundle does not have for a service is refused when the
// client is made, not in the first iteration.
func TestClientRefusesUnbundledVersion(t *testing.T) {
	t.Parallel()
	v := newVU(t, "http://127.0.0.1:1", `
		let err = '';
		try { new fno.Client({baseURL: BASE, versions: {ManageDeviceService: 'v99'}}); } catch (e) { err = String(e); }`, vuConfig{})
	if s := v.run(`err`).(string); !strings.Contains(s, "not a bundled service version") {
		t.Errorf("new Client with ManageDeviceService v99 threw %q", s)
	}
}

// The sampler validates about the share asked for (deterministic source,
// so the count is stable; the bounds are ±5 sigma).
func TestSampling(t *testing.T) {
	t.Parallel()
	for _, share := range []float64{0, 0.01, 0.25, 1} {
		c := &client{opts: clientOptions{sample: share}, rnd: rand.New(rand.NewPCG(1, 2))}
		const n = 20000
		got := 0
		for range n {
			if c.shouldValidate(callParams{}) {
				got++
			}
		}
		mean := share * n
		sigma := 5 * math.Sqrt(n*share*(1-share))
		if float64(got) < mean-sigma || float64(got) > mean+sigma {
			t.Errorf("sample %v: %d of %d validated, want %v ± %.0f", share, got, n, mean, sigma)
		}
		if c.shouldValidate(callParams{validate: -1}) || !c.shouldValidate(callParams{validate: 1}) {
			t.Errorf("sample %v: params.validate does not override the sampler", share)
		}
	}
}

func TestCalloutTiming(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		header string
		ms     float64
		ok     bool
	}{
		{"callout;dur=12.345", 12.345, true},
		{"Callout;DUR=7", 7, true},
		{`db;dur=3, callout;desc="capability request";dur=1.5`, 1.5, true},
		{"callout;dur=1, callout;dur=2.5", 3.5, true},
		{`callout;dur="4"`, 4, true},
		{"", 0, false},
		{"db;dur=3", 0, false},
		{"callout", 0, false},
		{"callout;dur=", 0, false},
		{"callout;dur=-1", 0, false},
		{"callout;dur=NaN", 0, false},
		{"callout;dur=Inf", 0, false},
		{"callouts;dur=5", 0, false},
	} {
		ms, ok := calloutTiming(c.header)
		if ms != c.ms || ok != c.ok {
			t.Errorf("calloutTiming(%q) = %v, %v; want %v, %v", c.header, ms, ok, c.ms, c.ok)
		}
	}
}
