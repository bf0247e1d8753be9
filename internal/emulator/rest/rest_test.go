package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/rest"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/soap"
)

const contractPath = "../../../schemas/rest/application.yaml"

var testSizes = state.Sizes{Accounts: 20, Users: 20, Products: 10, Entitlements: 200, Devices: 500, Fulfillments: 50}

func start(t testing.TB, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 5
	}
	if cfg.Sizes == (state.Sizes{}) {
		cfg.Sizes = testSizes
	}
	e, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

// sample reads a request sample of schemas/rest/testdata/application.
func sample(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../../schemas/rest/testdata/application", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

type exchange = resttest.Exchange

// do sends method path with a JSON body (nil: none) as the default user.
func do(t testing.TB, e *emulator.Emulator, method, path string, body any) exchange {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.URL()+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
	return resttest.Send(t, nil, req)
}

func statusOf(m map[string]any) string {
	s, _ := m["statusInfo"].(map[string]any)
	v, _ := s["status"].(string)
	return v
}

// realData picks records of the data set for the requests: a device with a
// sold-to account, and an account with line items.
func realData(t testing.TB, st *state.Store) (state.Device, state.Account, state.Account) {
	t.Helper()
	ds, err := st.Devices(state.DeviceQuery{}, state.Page{Number: 1, Size: 500})
	if err != nil {
		t.Fatal(err)
	}
	var dev state.Device
	for _, d := range ds {
		if d.SoldTo != "" {
			dev = d
			break
		}
	}
	if dev.UniqueID == "" {
		t.Fatal("the data set has no device with a sold-to account")
	}
	devAcct, err := st.Account(dev.SoldTo)
	if err != nil {
		t.Fatal(err)
	}
	its, err := st.LineItems(state.LineItemQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(its) == 0 {
		t.Fatalf("the data set has no line item: %v", err)
	}
	ent, err := st.Entitlement(its[0].EntitlementID)
	if err != nil {
		t.Fatal(err)
	}
	itemAcct, err := st.Account(ent.SoldTo)
	if err != nil {
		t.Fatal(err)
	}
	return dev, devAcct, itemAcct
}

type walkCase struct {
	name, method, path string
	body               map[string]any
	// found: the answer must be SUCCESS with at least one record.
	found bool
}

// TestRouteWalk calls every route of application.yaml with valid requests
// (the samples as written, and the samples with real IDs of the data set)
// and validates every answer against the contract: zero findings.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Config{})
	v := resttest.Validator(t, contractPath, openapi.Options{})
	dev, devAcct, itemAcct := realData(t, e.Store())

	devReal := sample(t, "devices.request.valid.json")
	devReal["queryParams"] = map[string]any{
		"deviceId": map[string]any{"value": dev.DeviceID, "searchType": "EQUALS"},
		"soldTo":   map[string]any{"value": devAcct.Name, "searchType": "EQUALS"},
		"status":   string(dev.Status),
	}
	devReal["pageNumber"] = 1
	allFlags := map[string]any{}
	for _, k := range []string{"alias", "description", "status", "servedStatus", "hostTypeName", "soldTo", "soldToOrgId",
		"channelPartners", "preBuiltLicense", "addOnActivationId", "addOnCounts", "addOnProduct", "addOnLicense",
		"addOnExpirationDateOverride", "addOnCreatedDate", "addOnLastModifiedDate", "publisherIdentity", "parent",
		"machineType", "vmDetails", "vmInfo", "vendorDictionary", "deviceUser", "updates"} {
		allFlags[k] = true
	}
	devAll := map[string]any{"deviceResponseConfig": allFlags, "batchSize": 200}
	countReal := map[string]any{"queryParams": map[string]any{
		"soldToOrgId": map[string]any{"value": devAcct.ID, "searchType": "EQUALS"},
	}}
	eoReal := map[string]any{"activatableItemSearchCriteria": map[string]any{
		"accountId": map[string]any{"value": itemAcct.ID, "searchType": "EQUALS", "partnerTier": "ANY"},
	}, "batchSize": 2000}
	eoCountReal := map[string]any{"queryParams": map[string]any{
		"soldTo": map[string]any{"value": itemAcct.ID, "searchType": "EQUALS"},
	}}

	cases := []walkCase{
		{"sample", http.MethodPost, rest.PathEntitlementOrders, sample(t, "entitlementOrders.request.valid.json"), false},
		{"real account", http.MethodPost, rest.PathEntitlementOrders, eoReal, true},
		{"every item", http.MethodPost, rest.PathEntitlementOrders, map[string]any{"batchSize": 2000}, true},
		{"sample", http.MethodPost, rest.PathEntitlementOrdersCount, sample(t, "entitlementOrdersCount.request.valid.json"), false},
		{"real account", http.MethodPost, rest.PathEntitlementOrdersCount, eoCountReal, true},
		{"sample", http.MethodPost, rest.PathDevices, sample(t, "devices.request.valid.json"), false},
		{"real device", http.MethodPost, rest.PathDevices, devReal, true},
		{"every flag", http.MethodPost, rest.PathDevices, devAll, true},
		{"sample", http.MethodPost, rest.PathDevicesCount, sample(t, "devicesCount.request.valid.json"), false},
		{"real account", http.MethodPost, rest.PathDevicesCount, countReal, true},
		{"sample account", http.MethodGet, rest.PathConsumption + "?accountId=ACME", nil, false},
		{"real account", http.MethodGet, rest.PathConsumption + "?accountId=" + itemAcct.ID, nil, true},
		{"sample account", http.MethodGet, rest.PathConsumptionHealth + "?accountId=ACME", nil, false},
		{"real account", http.MethodGet, rest.PathConsumptionHealth + "?accountId=" + itemAcct.ID, nil, true},
	}

	walked := map[string]bool{}
	for _, c := range cases {
		t.Run(strings.TrimPrefix(c.path, "/flexnet/operations/")+"/"+c.name, func(t *testing.T) {
			var body any
			if c.body != nil {
				body = c.body
			}
			x := do(t, e, c.method, c.path, body)
			walked[c.method+" "+strings.SplitN(c.path, "?", 2)[0]] = true
			if x.Status != http.StatusOK {
				t.Fatalf("status %d: %s", x.Status, x.Body)
			}
			resttest.CheckResponse(t, v, x)
			if c.found {
				m := x.JSON(t)
				if s := statusOf(m); s != "SUCCESS" {
					t.Fatalf("statusInfo %q, want SUCCESS: %s", s, x.Body)
				}
				if records(m) == 0 {
					t.Errorf("no record in the answer: %s", x.Body)
				}
			}
		})
	}
	resttest.EveryRoute(t, v, walked)
}

// records counts the records of an answer (a count counts as its value).
func records(m map[string]any) int {
	if l, ok := m["activatableItem"].([]any); ok {
		return len(l)
	}
	if l, ok := m["consumption"].([]any); ok {
		return len(l)
	}
	if n, ok := m["count"].(float64); ok {
		return int(n)
	}
	rd, _ := m["responseData"].(map[string]any)
	if l, ok := rd["device"].([]any); ok {
		return len(l)
	}
	if n, ok := rd["count"].(float64); ok {
		return int(n)
	}
	return 0
}

// A device created over SOAP is found over REST, and counted.
func TestSOAPDeviceFoundOverREST(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Config{})
	const id = "RESTPROBE-0001"
	create := contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "createDevice"}
	req, err := soap.NewRequest(context.Background(), e.URL(), create,
		`<urn:createDeviceRequest><urn:device><urn:deviceIdentifier><urn:deviceType>CLIENT</urn:deviceType>`+
			`<urn:deviceId>`+id+`</urn:deviceId><urn:deviceIdType>STRING</urn:deviceIdType></urn:deviceIdentifier>`+
			`<urn:alias>made over SOAP</urn:alias></urn:device></urn:createDeviceRequest>`,
		soap.Basic(emulator.DefaultUser, emulator.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}
	x := resttest.Send(t, nil, req)
	if x.Status != http.StatusOK || !bytes.Contains(x.Body, []byte("SUCCESS")) {
		t.Fatalf("createDevice: status %d: %s", x.Status, x.Body)
	}

	q := map[string]any{"deviceId": map[string]any{"value": id, "searchType": "EQUALS"}}
	got := do(t, e, http.MethodPost, rest.PathDevices, map[string]any{
		"queryParams": q, "deviceResponseConfig": map[string]any{"alias": true}, "batchSize": 10}).JSON(t)
	if statusOf(got) != "SUCCESS" {
		t.Fatalf("devices: %v", got)
	}
	list, _ := got["responseData"].(map[string]any)["device"].([]any)
	if len(list) != 1 {
		t.Fatalf("devices found %d devices, want 1: %v", len(list), got)
	}
	d := list[0].(map[string]any)
	if ident, _ := d["deviceIdentifier"].(map[string]any); ident["deviceId"] != id || d["alias"] != "made over SOAP" {
		t.Errorf("device = %v", d)
	}

	n := do(t, e, http.MethodPost, rest.PathDevicesCount, map[string]any{"queryParams": q}).JSON(t)
	if c, _ := n["responseData"].(map[string]any)["count"].(float64); c != 1 {
		t.Errorf("devicesCount = %v, want 1", n)
	}
}

// Bad input gets its documented status and a JSON body that names the
// problem without echoing values; never a crash.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Config{MaxBody: 64 << 10})
	raw := func(method, path, ct string, body []byte, auth bool) exchange {
		req, err := http.NewRequest(method, e.URL()+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if auth {
			req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
		}
		return resttest.Send(t, nil, req)
	}
	secret := "s3cr3t-value-never-echoed"
	cases := []struct {
		name       string
		x          func() exchange
		status     int
		statusInfo string // "" when the body is not checked for it
		reason     string // a fragment of the reason
	}{
		{"malformed JSON", func() exchange {
			return raw(http.MethodPost, rest.PathDevices, "application/json", []byte(`{"batchSize": 10, "queryParams": {"deviceId": "`+secret+`"`), true)
		}, http.StatusBadRequest, "FAILURE", "not valid JSON"},
		{"JSON array", func() exchange {
			return raw(http.MethodPost, rest.PathDevices, "application/json", []byte(`[1,2]`), true)
		}, http.StatusBadRequest, "FAILURE", "JSON object"},
		{"wrong content type", func() exchange {
			return raw(http.MethodPost, rest.PathDevices, "text/xml", []byte(`{"batchSize": 10}`), true)
		}, http.StatusUnsupportedMediaType, "FAILURE", "Content-Type"},
		{"no content type", func() exchange {
			return raw(http.MethodPost, rest.PathEntitlementOrders, "", []byte(`{"batchSize": 10}`), true)
		}, http.StatusUnsupportedMediaType, "FAILURE", "Content-Type"},
		{"body too large", func() exchange {
			return raw(http.MethodPost, rest.PathDevices, "application/json", []byte(`{"x":"`+strings.Repeat("a", 100<<10)+`"}`), true)
		}, http.StatusRequestEntityTooLarge, "FAILURE", "larger than the emulator's limit"},
		{"batchSize 0", func() exchange {
			return do(t, e, http.MethodPost, rest.PathDevices, map[string]any{"batchSize": 0})
		}, http.StatusOK, "FAILURE", "batchSize"},
		{"batchSize 2001", func() exchange {
			return do(t, e, http.MethodPost, rest.PathDevices, map[string]any{"batchSize": 2001})
		}, http.StatusOK, "FAILURE", "2000"},
		{"entitlementOrders batchSize 0", func() exchange {
			return do(t, e, http.MethodPost, rest.PathEntitlementOrders, map[string]any{"batchSize": 0})
		}, http.StatusOK, "FAILURE", "batchSize"},
		{"entitlementOrders batchSize 2001", func() exchange {
			return do(t, e, http.MethodPost, rest.PathEntitlementOrders, map[string]any{"batchSize": 2001})
		}, http.StatusOK, "FAILURE", "2000"},
		{"missing auth", func() exchange {
			return raw(http.MethodPost, rest.PathDevices, "application/json", []byte(`{"batchSize": 10}`), false)
		}, http.StatusUnauthorized, "FAILURE", "authentication"},
		{"wrong password", func() exchange {
			req, _ := http.NewRequest(http.MethodGet, e.URL()+rest.PathConsumption+"?accountId=x", nil)
			req.SetBasicAuth(emulator.DefaultUser, secret)
			return resttest.Send(t, nil, req)
		}, http.StatusUnauthorized, "FAILURE", "authentication"},
		{"wrong method", func() exchange {
			return raw(http.MethodGet, rest.PathDevices, "", nil, true)
		}, http.StatusMethodNotAllowed, "FAILURE", "POST"},
		{"no accountId", func() exchange {
			return raw(http.MethodGet, rest.PathConsumption, "", nil, true)
		}, http.StatusBadRequest, "FAILURE", "accountId"},
		{"unknown account", func() exchange {
			return raw(http.MethodGet, rest.PathConsumption+"?accountId="+secret, "", nil, true)
		}, http.StatusOK, "FAILURE", "no account"},
		{"unknown route", func() exchange {
			return raw(http.MethodPost, "/flexnet/operations/nothing", "application/json", []byte(`{}`), true)
		}, http.StatusNotFound, "FAILURE", "no application REST service"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := c.x()
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			if ct := x.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if bytes.Contains(x.Body, []byte(secret)) {
				t.Errorf("the answer echoes a request value: %s", x.Body)
			}
			m := x.JSON(t)
			if s := statusOf(m); s != c.statusInfo {
				t.Errorf("statusInfo %q, want %q", s, c.statusInfo)
			}
			if r, _ := m["statusInfo"].(map[string]any)["reason"].(string); !strings.Contains(r, c.reason) {
				t.Errorf("reason %q does not say %q", r, c.reason)
			}
			if x.Status == http.StatusUnauthorized && !strings.HasPrefix(x.Header.Get("WWW-Authenticate"), "Basic ") {
				t.Errorf("401 without a Basic challenge")
			}
		})
	}
}

// Paging over REST agrees with the count: the pages of a query hold as many
// distinct devices as devicesCount says.
func TestPagesAgreeWithCount(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Config{})
	n := do(t, e, http.MethodPost, rest.PathDevicesCount, map[string]any{"queryParams": map[string]any{"isServer": false}}).JSON(t)
	want := int(n["responseData"].(map[string]any)["count"].(float64))
	if want == 0 {
		t.Fatal("no client device in the data set")
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		m := do(t, e, http.MethodPost, rest.PathDevices, map[string]any{
			"queryParams": map[string]any{"isServer": false}, "batchSize": 70, "pageNumber": page}).JSON(t)
		list, _ := m["responseData"].(map[string]any)["device"].([]any)
		for _, d := range list {
			ident := d.(map[string]any)["deviceIdentifier"].(map[string]any)
			if ident["deviceType"] == "SERVER" {
				t.Fatalf("isServer false returned a server")
			}
			seen[ident["uniqueId"].(string)] = true
		}
		if len(list) < 70 {
			break
		}
	}
	if len(seen) != want {
		keys := make([]string, 0, len(seen))
		for k := range seen {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("pages hold %d distinct devices, devicesCount says %d", len(seen), want)
	}
}
