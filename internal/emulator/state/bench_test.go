package state

import (
	"fmt"
	"sync"
	"testing"
)

// Device search benchmarks, per search type on deviceId, at 10k and 1M
// devices (the 1M store takes a few seconds to generate, once):
//
//	go test -run '^$' -bench 'DeviceSearch' -benchtime 1s ./internal/emulator/state
var (
	benchMu     sync.Mutex
	benchStores = map[int]*Store{}
)

func benchStore(n int) *Store {
	benchMu.Lock()
	defer benchMu.Unlock()
	if s, ok := benchStores[n]; ok {
		return s
	}
	sz := DefaultSizes()
	sz.Devices = n
	sz.Accounts = max(sz.Accounts, n/1000)
	sz.Entitlements = max(sz.Entitlements, n/20)
	s := Generate(sz, 1)
	benchStores[n] = s
	return s
}

func BenchmarkDeviceSearch(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		s := benchStore(n)
		// sample IDs spread over the store, so lookups are not cache-hot
		var ids []string
		for i := 0; i < len(s.devs); i += len(s.devs) / 997 {
			// ETHERNET IDs, so a 7-character prefix or suffix selects a
			// handful of devices at either size and the figures compare the
			// index, not the size of the answer
			if id := s.devs[i].id; s.str.get(s.devs[i].idType) == string(IDEthernet) {
				ids = append(ids, id)
			}
		}
		for _, c := range []struct {
			name string
			q    func(id string) Match
		}{
			{"EQUALS", func(id string) Match { return Match{Value: id, Type: Equals} }},
			{"STARTS_WITH", func(id string) Match { return Match{Value: id[:7], Type: StartsWith} }},
			{"ENDS_WITH", func(id string) Match { return Match{Value: id[len(id)-7:], Type: EndsWith} }},
			{"CONTAINS", func(id string) Match { return Match{Value: id[3:9], Type: Contains} }},
		} {
			b.Run(fmt.Sprintf("%s/devices=%d", c.name, n), func(b *testing.B) {
				found := 0
				for i := 0; b.Loop(); i++ {
					ds, err := s.Devices(DeviceQuery{DeviceID: c.q(ids[i%len(ids)])}, Page{Number: 1, Size: 100})
					if err != nil {
						b.Fatal(err)
					}
					found += len(ds)
				}
				if found == 0 {
					b.Fatal("no device found")
				}
			})
			b.Run(fmt.Sprintf("%s-count/devices=%d", c.name, n), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := s.CountDevices(DeviceQuery{DeviceID: c.q(ids[i%len(ids)])}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("devices=%d", n), func(b *testing.B) {
			sz := DefaultSizes()
			sz.Devices = n
			for b.Loop() {
				Generate(sz, 1)
			}
		})
	}
}
