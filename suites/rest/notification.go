package rest

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/suite"
)

// The Event Notification Service (schemas/rest/notification.yaml; seed 002
// lines 315-331 and the inferences EN-1..EN-14).
const (
	nsAPI         = "notification"
	pathNSAuth    = "/notifications/api/v1/authenticate"
	pathNSService = "/notifications/api/v1/notificationService"
	pathNSHealth  = "/notifications/health/status"
	// adminDeliveries is the emulator's delivery log (no contract route).
	adminDeliveries = "/fnokit/admin/notifications/deliveries"
	// deliveryWait bounds the wait for a webhook delivery: a bound, not a
	// timing assertion.
	deliveryWait = 20 * time.Second
)

func nsLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(nsAPI, op, kind, tier)
}

// hook is a loopback webhook a spec starts: it keeps every request.
type hook struct {
	srv *httptest.Server
	got chan hookCall
}

type hookCall struct {
	header http.Header
	body   []byte
}

func startHook() *hook {
	GinkgoHelper()
	h := &hook{got: make(chan hookCall, 64)}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		select {
		case h.got <- hookCall{header: r.Header.Clone(), body: b}:
		default: // a spec that stopped listening; drop
		}
		w.WriteHeader(http.StatusOK)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	h.srv.Listener = ln
	h.srv.Start()
	DeferCleanup(h.srv.Close)
	return h
}

// next waits (bounded) for the next delivery whose eventBody.deviceId is
// deviceID; deliveries of other devices are skipped.
func (h *hook) next(deviceID string) (hookCall, map[string]any) {
	GinkgoHelper()
	deadline := time.After(deliveryWait)
	for {
		select {
		case c := <-h.got:
			var m map[string]any
			Expect(json.Unmarshal(c.body, &m)).To(Succeed(), "a webhook delivery is not JSON")
			if text(at(m, "eventBody", "deviceId")) == deviceID {
				return c, m
			}
		case <-deadline:
			Fail("no webhook delivery for the device within " + deliveryWait.String())
			return hookCall{}, nil
		}
	}
}

// webhookSchema is the body schema of the deviceEventWebhook callback.
func webhookSchema() *openapi3.Schema {
	GinkgoHelper()
	for _, cb := range loadDoc(nsAPI).Components.Callbacks {
		for _, item := range cb.Value.Map() {
			for _, o := range item.Operations() {
				if o.OperationID == "deviceEventWebhook" {
					return o.RequestBody.Value.Content.Get("application/json").Schema.Value
				}
			}
		}
	}
	Fail("notification.yaml has no deviceEventWebhook callback")
	return nil
}

// nsConfig reads the configuration: nil when there is none (404).
func nsConfig() map[string]any {
	GinkgoHelper()
	r := call(nsAPI, http.MethodGet, pathNSService, nil, nil)
	r.ExpectValid()
	if r.HTTPStatus == http.StatusNotFound {
		return nil
	}
	r.ExpectStatus(http.StatusOK)
	return obj(r.JSON)
}

var _ = Describe("Event Notification Service", func() {
	It("reports its health without authentication", nsLabels("notificationHealth", suite.Read, suite.Smoke), func() {
		r := anonymous(nsAPI, http.MethodGet, pathNSHealth, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(text(at(r.JSON, "status"))).To(Equal("UP"))
		r.ExpectGolden("up")
	})

	It("exchanges Basic credentials for a JWT that opens the configuration", nsLabels("notificationAuthenticate", suite.Read, suite.Smoke), func() {
		r := call(nsAPI, http.MethodGet, pathNSAuth, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		tok := text(at(r.JSON, "token"))
		Expect(tok).NotTo(BeEmpty(), "the authenticate answer carries no token")
		cfg := withAuth(nsAPI, http.MethodGet, pathNSService, nil, nil, "Bearer "+tok)
		Expect(cfg.HTTPStatus).To(BeElementOf(http.StatusOK, http.StatusNotFound), "the configuration answered HTTP %d", cfg.HTTPStatus)
		cfg.ExpectValid()
	})

	It("refuses anonymous and wrong credentials at authenticate", nsLabels("notificationAuthenticate", suite.Read, suite.Full), func() {
		expectRefused(anonymous(nsAPI, http.MethodGet, pathNSAuth, nil, nil))
		expectRefused(withAuth(nsAPI, http.MethodGet, pathNSAuth, nil, nil, basicHeader("fnokit-no-such-user", "wrong-password")))
	})

	for _, route := range []struct{ op, method string }{
		{"getNotificationService", http.MethodGet},
		{"createNotificationService", http.MethodPost},
		{"updateNotificationService", http.MethodPatch},
	} {
		It("refuses "+route.method+" of the configuration without a JWT, or with a forged one", nsLabels(route.op, suite.Read, suite.Smoke), func() {
			var body any
			if route.method != http.MethodGet {
				body = map[string]any{"deviceSubscription": false}
			}
			expectRefused(anonymous(nsAPI, route.method, pathNSService, nil, body))
			expectRefused(withAuth(nsAPI, route.method, pathNSService, nil, body, "Bearer "+foreignJWT))
		})
	}

	It("refuses an expired token (emulator clock moved past 60 minutes)", nsLabels("getNotificationService", suite.Read, suite.Full), func() {
		expectTokenExpires(nsAPI, pathNSAuth, pathNSService)
	})

	It("delivers a device event to the webhook a subscription names, as the contract's callback describes", nsLabels("createNotificationService", suite.Write, suite.Smoke), func() {
		// A tenant cannot reach a webhook on this machine, and the
		// configuration is the tenant's one and only: emulator only.
		requireEmulator("FNO cannot reach a loopback webhook, and the tenant's subscription would be replaced")
		e := suite.E()
		before := nsConfig()
		DeferCleanup(func() {
			if before == nil {
				call(nsAPI, http.MethodPatch, pathNSService, nil, map[string]any{"deviceSubscription": false}).ExpectValid()
				return
			}
			call(nsAPI, http.MethodPost, pathNSService, nil, before).ExpectValid()
		})
		wh := startHook()
		const hookToken = "fnokit-webhook-token"

		created := call(nsAPI, http.MethodPost, pathNSService, nil, map[string]any{
			"deviceSubscription": true, "deviceWebhookUrl": wh.srv.URL + "/device", "authType": "bearer", "authToken": hookToken,
		})
		Expect(created.HTTPStatus).To(BeElementOf(http.StatusOK, http.StatusCreated), "POST answered HTTP %d", created.HTTPStatus)
		created.ExpectValid()
		Expect(text(at(created.JSON, "authToken")) == hookToken).To(BeFalse(), "the answer gives the webhook's token back")

		cfg := nsConfig()
		Expect(cfg).NotTo(BeNil(), "no configuration after POST")
		Expect(text(cfg["deviceSubscription"])).To(Equal("true"))
		Expect(text(cfg["deviceWebhookUrl"])).To(Equal(wh.srv.URL + "/device"))
		Expect(text(cfg["authToken"]) == hookToken).To(BeFalse(), "GET gives the webhook's token back")

		// PATCH merges: the subscription and URL stay.
		patched := call(nsAPI, http.MethodPatch, pathNSService, nil, map[string]any{"includeLineItemCustomAttributes": "true"})
		patched.ExpectStatus(http.StatusOK)
		patched.ExpectValid()
		cfg = nsConfig()
		Expect(text(cfg["includeLineItemCustomAttributes"])).To(Equal("true"))
		Expect(text(cfg["deviceWebhookUrl"])).To(Equal(wh.srv.URL+"/device"), "PATCH dropped a property it did not name")

		// A subscription without its webhook is refused and changes nothing.
		bad := call(nsAPI, http.MethodPost, pathNSService, nil, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "not a url"})
		bad.ExpectStatus(http.StatusBadRequest)
		bad.ExpectValid()
		Expect(text(nsConfig()["deviceWebhookUrl"])).To(Equal(wh.srv.URL+"/device"), "a refused configuration changed the stored one")

		// A license server created over SOAP is an event (seed 002 lines 317-325).
		id := e.Name("notify-server")
		ident := map[string]any{"deviceType": "SERVER", "deviceId": id, "deviceIdType": "STRING"}
		undo("device "+id, func(context.Context) error {
			e.SOAP("ManageDeviceService", "v7", "deleteDevice", map[string]any{"deviceIdentifier": []any{ident}})
			return nil
		})
		res := e.SOAP("ManageDeviceService", "v7", "createDevice", map[string]any{"device": []any{map[string]any{
			"deviceIdentifier": ident, "alias": "notified", "siteName": "Oslo",
		}}})
		res.ExpectValid()
		res.ExpectStatus("SUCCESS")

		got, body := wh.next(id)
		Expect(webhookSchema().VisitJSON(any(body), openapi3.MultiErrors(), openapi3.VisitAsRequest(),
			openapi3.SetSchemaRegexCompiler(openapi.CompileECMAScript))).To(Succeed(), "the delivery breaks the deviceEventWebhook callback schema")
		Expect(text(at(body, "eventHeader", "event"))).To(Equal("DEVICE"))
		Expect(text(at(body, "eventHeader", "eventType"))).To(Equal("CREATE"), "a new device is not a CREATE event")
		Expect(text(at(body, "eventBody", "siteName"))).To(Equal("Oslo"))
		Expect(got.header.Get("Authorization") == "Bearer "+hookToken).To(BeTrue(), "the webhook is not called with the subscription's token")

		// The emulator's delivery log records the delivery (once the
		// webhook's answer is in: waited for, bounded).
		Eventually(func() bool {
			status, raw := adminCall(http.MethodGet, adminDeliveries, nil)
			var log struct {
				Deliveries []struct{ Target, Outcome string }
			}
			if status != http.StatusOK || json.Unmarshal(raw, &log) != nil {
				return false
			}
			for _, d := range log.Deliveries {
				if d.Outcome == "delivered" && d.Target == wh.srv.URL+"/device" {
					return true
				}
			}
			return false
		}).WithTimeout(deliveryWait).WithPolling(20*time.Millisecond).Should(BeTrue(), "the delivery log has no delivered entry for the webhook")

		// A change is an UPDATE.
		up := e.SOAP("ManageDeviceService", "v7", "updateDevice", map[string]any{"device": []any{map[string]any{
			"deviceIdentifier": ident, "siteName": "Bergen",
		}}})
		up.ExpectValid()
		up.ExpectStatus("SUCCESS")
		_, body = wh.next(id)
		Expect(text(at(body, "eventHeader", "eventType"))).To(Equal("UPDATE"))
		Expect(text(at(body, "eventBody", "siteName"))).To(Equal("Bergen"))
	})
})
