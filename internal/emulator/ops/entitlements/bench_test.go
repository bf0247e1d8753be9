package entitlements

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkCreateLicense calls the createLicense handler (one record, one
// copy, a node-locked host, a product with two features): state lookup,
// licence text signed with Ed25519, atomic consumption. The line item has
// more copies than any run takes. Parallel runs all clients against the
// same line item, the contended case.
func BenchmarkCreateLicense(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		name := "serial"
		if parallel {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			st := fixture(b)
			if _, err := st.CreateEntitlement(state.Entitlement{ID: "ENT-BENCH", SoldTo: "ACCT-1", State: state.Deployed},
				[]state.LineItem{{ActivationID: "AID-BENCH", Product: state.ProductKey{Name: "PhotoPrint", Version: "2.0"},
					LicenseModel: "FNP Floating", Copies: 1 << 30, Permanent: true}}); err != nil {
				b.Fatal(err)
			}
			h := newHandlers(st, op.DefaultSettings(), testSigner)
			o := contract.Operation{Service: License, Version: "v2", Name: "createLicense"}
			var n atomic.Int64
			one := func() {
				req := map[string]any{"fulfillment": []any{createReq("AID-BENCH", 1, nodeHost(fmt.Sprintf("h%d", n.Add(1))))}}
				out, err := h.createLicense(context.Background(), &op.Call{Op: o, Request: req, User: "admin", Now: testNow})
				if err != nil || statusOf(out) != statusSuccess {
					b.Fatalf("createLicense: %v %v", out, err)
				}
			}
			b.ReportAllocs()
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						one()
					}
				})
				return
			}
			for b.Loop() {
				one()
			}
		})
	}
}
