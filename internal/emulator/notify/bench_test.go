package notify_test

import (
	"net/http"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/notify"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkDeviceWrite measures what a device subscription costs the
// writer: UpdateDevice on a license server with no subscription, and with
// one whose deliveries go to a loopback webhook (the listener only
// enqueues; events beyond the queue are dropped, reported as dropped/op).
func BenchmarkDeviceWrite(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "unsubscribed"
		if on {
			name = "subscribed"
		}
		b.Run(name, func(b *testing.B) {
			st := deviceStore(b)
			d, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"})
			if err != nil {
				b.Fatal(err)
			}
			s := newService(b, notify.Config{Store: st, Retries: -1})
			if on {
				wh := newHook(b, func(int64, http.ResponseWriter, *http.Request) {})
				subscribe(b, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": wh.url})
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := st.UpdateDevice(d.Key(), func(x *state.Device) error { x.SiteName = "Oslo"; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.Stats().Dropped)/float64(b.N), "dropped/op")
		})
	}
}

// BenchmarkDelivery measures one event from the device write to its
// arrival at a loopback webhook.
func BenchmarkDelivery(b *testing.B) {
	st := deviceStore(b)
	d, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"})
	if err != nil {
		b.Fatal(err)
	}
	wh := newHook(b, nil)
	s := newService(b, notify.Config{Store: st, Retries: -1})
	subscribe(b, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": wh.url})
	for b.Loop() {
		if _, err := st.UpdateDevice(d.Key(), func(x *state.Device) error { x.SiteName = "Oslo"; return nil }); err != nil {
			b.Fatal(err)
		}
		wh.next(b)
	}
}
