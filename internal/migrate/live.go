package migrate

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// LiveTarget is a running FNO (a UAT tenant, or an emulator someone
// started) at baseURL (scheme://host[:port][/prefix]), called with creds.
// Every version shares it. Run with Options.Live set, so writes need
// AllowWrites.
func LiveTarget(baseURL string, creds soap.Credentials) (conformance.Target, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the target must be an http or https URL with a host")
	}
	if u.User != nil {
		return nil, errors.New("the target URL must not carry credentials: use FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("the target URL takes no query or fragment")
	}
	return live{base: strings.TrimRight(baseURL, "/"), creds: creds}, nil
}

type live struct {
	base  string
	creds soap.Credentials
}

func (t live) Name() string { return t.base }

func (t live) Open(context.Context, schemas.Version) (conformance.Session, error) { return t, nil }

func (t live) BaseURL() string               { return t.base }
func (t live) Credentials() soap.Credentials { return t.creds }
func (t live) Close(context.Context) error   { return nil }
func (t live) Records(context.Context) (conformance.Records, error) {
	return conformance.Records{}, nil // the replay sends requests as recorded
}
