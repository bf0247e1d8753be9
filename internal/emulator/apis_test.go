package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

// Every mounted API is reached through the emulator and refuses an
// anonymous call to a protected route (the health routes are open).
func TestEveryAPIMountedAndProtected(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Seed: 3})
	protected := map[string]string{
		"application":       "POST /flexnet/operations/manageDevice/devicesCount",
		"extracts":          "GET /flexnet/operations/extracts",
		"pubservices":       "POST /flexnet/pubservices/lineitemdetails",
		"registry":          "GET /registry/api/v1/projects",
		"notification":      "GET /notifications/api/v1/notificationService",
		"entitlements-beta": "GET /entitlements-api/v1/entitlements",
		"data-access":       "GET /data/api/v1/report/report-names",
	}
	for _, api := range e.Server().APIs() {
		route, ok := protected[api]
		if !ok {
			t.Errorf("API %s is mounted but this test does not know a protected route of it", api)
			continue
		}
		method, path, _ := strings.Cut(route, " ")
		req, _ := http.NewRequest(method, e.URL()+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		if resp, _ := send(t, req); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s %s anonymous: %d, want 401", api, route, resp.StatusCode)
		}
		if e.Metrics().RESTRequests.Value(api, method, "401") != 1 {
			t.Errorf("%s: the 401 is not in /metrics", api)
		}
	}
}

// An extract run at the admin endpoint is listed, and its file matches the
// checksum and size the job announces.
func TestExtractOnDemand(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Seed: 3, Extracts: Extracts{Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}})
	admin := func(r *http.Request) { r.SetBasicAuth(DefaultUser, DefaultPassword) }
	req, _ := http.NewRequest(http.MethodPost, e.URL()+"/fnokit/admin/extracts?name=DEVICE", nil)
	admin(req)
	resp, body := send(t, req)
	var job struct {
		ID       int64  `json:"id"`
		Status   string `json:"status"`
		Checksum string `json:"checksum"`
		Size     string `json:"filesize"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &job) != nil || job.Status != "C" {
		t.Fatalf("run DEVICE: %d %s", resp.StatusCode, body)
	}
	req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/flexnet/operations/extracts/%d/file", e.URL(), job.ID), nil)
	admin(req)
	resp, file := send(t, req)
	sum := sha256.Sum256(file)
	if resp.StatusCode != http.StatusOK || strings.ToUpper(hex.EncodeToString(sum[:])) != job.Checksum || fmt.Sprint(len(file)) != job.Size {
		t.Fatalf("file: %d, %d bytes, checksum match %v", resp.StatusCode, len(file), strings.EqualFold(hex.EncodeToString(sum[:]), job.Checksum))
	}
	if n := strings.Count(string(file), "\n"); n < 2 {
		t.Errorf("the DEVICE extract of a generated data set has %d lines", n)
	}
}
