package sign

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func sampleLicense() License {
	day := time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
	return License{
		Issuer: "fnokit emulator",
		Lines: []Line{
			{Name: "PhotoPrint", Version: "2.0", Expiry: day.AddDate(1, 0, 0), Count: 5, HostID: "00163e5a1b2c",
				VendorString: `tier="gold" \ region`, Notice: "Acme Corp", Issued: day, Start: day},
			{Keyword: Feature, Name: "Photo Print Pro!", Issued: day},
		},
	}
}

func TestLicenseTextVerifies(t *testing.T) {
	t.Parallel()
	s := New(42)
	text := s.LicenseText(sampleLicense())
	n, err := s.VerifyLicenseText(text)
	if err != nil || n != 2 {
		t.Fatalf("VerifyLicenseText = %d, %v; want 2 lines, nil\n%s", n, err, text)
	}
	for _, want := range []string{
		"INCREMENT PhotoPrint fnokit 2.0 9-mar-2027 5 ",
		`VENDOR_STRING="tier='gold'   region"`,
		"HOSTID=00163e5a1b2c",
		"FEATURE Photo_Print_Pro_ fnokit 1.0 permanent uncounted",
		"ISSUED=9-mar-2026",
		"START=9-mar-2026",
		`SIGN="`,
	} {
		if !strings.Contains(unwrap(text), want) {
			t.Errorf("licence text lacks %q:\n%s", want, text)
		}
	}
	for i, l := range strings.Split(text, "\n") {
		if len(l) > wrapAt+2 {
			t.Errorf("line %d is %d characters long, want it wrapped", i+1, len(l))
		}
	}
}

func TestLicenseTextIsDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	a, b, c := New(7).LicenseText(sampleLicense()), New(7).LicenseText(sampleLicense()), New(8).LicenseText(sampleLicense())
	if a != b {
		t.Error("the same seed gave two different licence texts")
	}
	if a == c {
		t.Error("two seeds gave the same signature")
	}
	if _, err := New(8).VerifyLicenseText(a); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another seed's key accepted the licence: %v", err)
	}
}

func TestServedLicenseHeader(t *testing.T) {
	t.Parallel()
	s := New(1)
	text := s.LicenseText(License{ServerHostID: "ID_STRING=abc", Lines: []Line{{Name: "f", Count: 3}}})
	if !strings.HasPrefix(text, "SERVER this_host ID_STRING=abc\nVENDOR fnokit\nUSE_SERVER\nINCREMENT f fnokit 1.0 permanent 3 SIGN=") {
		t.Errorf("served licence header:\n%s", text)
	}
	if _, err := s.VerifyLicenseText(text); err != nil {
		t.Error(err)
	}
}

func TestVerifyLicenseTextRejects(t *testing.T) {
	t.Parallel()
	s := New(3)
	good := s.LicenseText(sampleLicense())
	tests := []struct {
		name string
		text string
		want error
	}{
		{"count raised", strings.Replace(good, " 5 ", " 50 ", 1), ErrBadSignature},
		{"host changed", strings.Replace(good, "00163e5a1b2c", "00163e5a1b2d", 1), ErrBadSignature},
		{"signature cut", strings.Replace(good, `SIGN="`, `SIGN="12 `, 1), ErrMalformed},
		{"signature removed", "INCREMENT f fnokit 1.0 permanent 1\n", ErrMalformed},
		{"nothing signed", "SERVER this_host ANY\nVENDOR fnokit\n", ErrNoSignedLines},
		{"empty", "", ErrNoSignedLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.text == good {
				t.Fatal("the tampering did not change the text")
			}
			if _, err := s.VerifyLicenseText(tt.text); !errors.Is(err, tt.want) {
				t.Errorf("VerifyLicenseText = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCapabilityRoundTrip(t *testing.T) {
	t.Parallel()
	s := New(5)
	payload := []byte("<capability device='d1'><addon a='x' count='2'/></capability>")
	blob := s.Capability(payload)
	got, err := s.Verifier().VerifyCapability(blob)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, payload) {
		t.Errorf("payload = %q, want %q", got, payload)
	}
	if !bytes.Equal(blob, New(5).Capability(payload)) {
		t.Error("the same seed signed the same payload differently")
	}
	if _, err := NewVerifier(New(5).PublicKey()).VerifyCapability(s.Capability(nil)); err != nil {
		t.Errorf("empty payload: %v", err)
	}
}

func TestVerifyCapabilityRejects(t *testing.T) {
	t.Parallel()
	s := New(5)
	blob := s.Capability([]byte("payload"))
	flip := func(i int) []byte { b := bytes.Clone(blob); b[i] ^= 1; return b }
	tests := []struct {
		name string
		blob []byte
		want error
	}{
		{"payload flipped", flip(capHeader + 2), ErrBadSignature},
		{"signature flipped", flip(len(blob) - 1), ErrBadSignature},
		{"other key", New(6).Capability([]byte("payload")), ErrBadSignature},
		{"magic", flip(0), ErrMalformed},
		{"length", flip(capHeader - 1), ErrMalformed},
		{"truncated", blob[:len(blob)-1], ErrMalformed},
		{"short", blob[:10], ErrMalformed},
		{"nil", nil, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := s.VerifyCapability(tt.blob); !errors.Is(err, tt.want) {
				t.Errorf("VerifyCapability = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestKeyID(t *testing.T) {
	t.Parallel()
	if a, b := New(1).KeyID(), New(2).KeyID(); a == b || len(a) != 16 {
		t.Errorf("key IDs %q and %q: want 16 hex digits, different per seed", a, b)
	}
}

func BenchmarkLicenseText(b *testing.B) {
	s := New(1)
	lic := sampleLicense()
	b.ReportAllocs()
	for b.Loop() {
		_ = s.LicenseText(lic)
	}
}

func BenchmarkCapability(b *testing.B) {
	s := New(1)
	payload := bytes.Repeat([]byte("x"), 512)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Capability(payload)
	}
}
