package emulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The public services are mounted with the emulator's credentials, and a
// personal access token issued at the admin endpoint authenticates them.
func TestPublicServicesWithIssuedToken(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Seed: 3})
	items, err := e.Store().LineItems(state.LineItemQuery{}, state.Page{Size: 1, Number: 1})
	if err != nil || len(items) == 0 {
		t.Fatalf("no line item in the data set: %v", err)
	}
	post := func(path, body string, auth func(*http.Request)) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, e.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/xml")
		if auth != nil {
			auth(req)
		}
		return send(t, req)
	}
	doc := `<Request xmlns="urn:com.macrovision:flexnet/operations/publicservices"><ActivationId>` + items[0].ActivationID + `</ActivationId></Request>`

	if resp, _ := post("/flexnet/pubservices/lineitemdetails", doc, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous call: %d, want 401 (authentication is mandatory by default)", resp.StatusCode)
	}
	if resp, _ := post("/fnokit/admin/tokens?user=portal", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous token request: %d", resp.StatusCode)
	}
	resp, body := post("/fnokit/admin/tokens?user=portal", "", func(r *http.Request) { r.SetBasicAuth(DefaultUser, DefaultPassword) })
	var issued struct{ Token string }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &issued) != nil || issued.Token == "" {
		t.Fatalf("token request: %d", resp.StatusCode)
	}
	resp, body = post("/flexnet/pubservices/lineitemdetails", doc, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+issued.Token) })
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "SUCCESS") {
		t.Fatalf("call with the issued token: %d", resp.StatusCode)
	}
	if got := e.Metrics().RESTRequests.Value("pubservices", "POST", "200"); got != 1 {
		t.Errorf("pubservices 200 counted %v times, want 1", got)
	}
}

func TestPublicServicesAuthOptional(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Seed: 3,
		PublicServices: PublicServices{AuthOptional: true}})
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/flexnet/pubservices/lineitemdetails",
		strings.NewReader(`<Request xmlns="urn:com.macrovision:flexnet/operations/publicservices"><ActivationId>nope</ActivationId></Request>`))
	req.Header.Set("Content-Type", "application/xml")
	if resp, _ := send(t, req); resp.StatusCode != http.StatusOK {
		t.Fatalf("anonymous call with authentication switched off: %d", resp.StatusCode)
	}
}

func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(req.Context(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
