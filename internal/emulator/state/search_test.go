package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// bruteDevices answers q the slow way, for comparison with the indexes.
func bruteDevices(s *Store, q DeviceQuery) []string {
	m := s.deviceMatcher(&q)
	var out []string
	for i := range s.devs {
		if !s.devs[i].dead && m(int32(i)) {
			out = append(out, s.ref(int32(i)).UniqueID)
		}
	}
	slices.Sort(out)
	return out
}

func uniqueIDs(ds []Device) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.UniqueID)
	}
	slices.Sort(out)
	return out
}

// TestDeviceSearchAgreesWithScan runs random deviceId and alias queries of
// every search type, between random writes that change, add and delete
// keys (so the indexes' deltas and merges are exercised), and checks that
// Devices, paged Devices and CountDevices agree with a plain scan.
func TestDeviceSearchAgreesWithScan(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 20, Products: 5, Entitlements: 50, Devices: 1500}, 11)
	r := rand.New(rand.NewPCG(1, 2))
	types := []SearchType{Equals, StartsWith, EndsWith, Contains}
	randomDevice := func() Device {
		for {
			if d, err := s.Device(DeviceKey{UniqueID: fmt.Sprintf("HID-%d", 1+r.IntN(len(s.devs)))}); err == nil {
				return d
			}
		}
	}
	for round := range 3000 {
		switch r.IntN(6) {
		case 0:
			d := randomDevice()
			if _, err := s.UpdateDevice(d.Key(), func(d *Device) error {
				d.DeviceID = strings.ToUpper(d.DeviceID[:len(d.DeviceID)/2]) + fmt.Sprintf("x%d", round)
				d.Alias = fmt.Sprintf("renamed-%d", round%50)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		case 1:
			if _, err := s.CreateDevice(Device{Class: Client, DeviceID: fmt.Sprintf("New-%d-%x", round, r.Uint32()), Alias: "new-host"}); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err := s.DeleteDevice(randomDevice().Key()); err != nil {
				t.Fatal(err)
			}
		}
		d := randomDevice()
		key := d.DeviceID
		field := "deviceId"
		if r.IntN(3) == 0 && d.Alias != "" {
			key, field = d.Alias, "alias"
		}
		st := types[r.IntN(len(types))]
		v := key
		switch st {
		case StartsWith:
			v = key[:1+r.IntN(len(key))]
		case EndsWith:
			v = key[r.IntN(len(key)):]
		case Contains:
			i := r.IntN(len(key))
			v = key[i : i+1+r.IntN(len(key)-i)]
		}
		if r.IntN(2) == 0 {
			v = strings.ToUpper(v) // searches ignore case
		}
		var q DeviceQuery
		if field == "alias" {
			q.Alias = Match{Value: v, Type: st}
		} else {
			q.DeviceID = Match{Value: v, Type: st}
		}
		if r.IntN(4) == 0 {
			q.Status = Match{Value: "ACTIVE", Type: Equals}
		}
		want := bruteDevices(s, q)
		got, err := s.Devices(q, Page{})
		if err != nil {
			t.Fatal(err)
		}
		if g := uniqueIDs(got); !slices.Equal(g, want) {
			t.Fatalf("round %d, %s %s: got %d devices, scan finds %d", round, field, st, len(g), len(want))
		}
		if !slices.Contains(want, d.UniqueID) && q.Status.Value == "" {
			t.Fatalf("round %d: the device the query was made from is not found", round)
		}
		n, err := s.CountDevices(q)
		if err != nil || n != len(want) {
			t.Fatalf("round %d: count %d, want %d (%v)", round, n, len(want), err)
		}
		// pages of 7 cover the same devices once each, in the same order
		var paged []Device
		for p := 1; ; p++ {
			page, _ := s.Devices(q, Page{Number: p, Size: 7})
			paged = append(paged, page...)
			if len(page) < 7 {
				break
			}
		}
		if !slices.EqualFunc(paged, got, func(a, b Device) bool { return a.UniqueID == b.UniqueID }) {
			t.Fatalf("round %d: paging does not reproduce the order", round)
		}
	}
}

func TestDeviceQueryFilters(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 20, Products: 5, Entitlements: 100, Devices: 2000}, 4)
	all, _ := s.Devices(DeviceQuery{}, Page{})
	var withAddOn Device
	for _, d := range all {
		if len(d.AddOns) > 0 && d.SiteName != "" && d.SoldTo != "" {
			withAddOn = d
			break
		}
	}
	if withAddOn.UniqueID == "" {
		t.Fatal("no device with add-ons")
	}
	aid := withAddOn.AddOns[0].ActivationID
	it, _ := s.LineItem(aid)
	acct, _ := s.Account(withAddOn.SoldTo)
	yes, no := true, false
	exp := it.Expiration
	if exp.IsZero() {
		exp = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	cases := []struct {
		name string
		q    DeviceQuery
		keep func(Device) bool
	}{
		{"server", DeviceQuery{Classes: []DeviceClass{Server}}, func(d Device) bool { return d.Class == Server }},
		{"not active", DeviceQuery{Status: Match{"active", NotEquals}}, func(d Device) bool { return d.Status != DeviceActive }},
		{"id type", DeviceQuery{IDType: Match{"ETHERNET", Equals}}, func(d Device) bool { return d.IDType == IDEthernet }},
		{"site", DeviceQuery{SiteName: Match{withAddOn.SiteName, Equals}}, func(d Device) bool { return d.SiteName == withAddOn.SiteName }},
		{"sold to name", DeviceQuery{SoldTo: Match{acct.Name, Equals}}, func(d Device) bool { return d.SoldTo == acct.ID }},
		{"sold to id prefix", DeviceQuery{SoldToAcctID: Match{acct.ID[:3], StartsWith}}, func(d Device) bool { return strings.HasPrefix(d.SoldTo, acct.ID[:3]) }},
		{"add-on", DeviceQuery{AddOnActivationID: Match{aid, Equals}}, func(d Device) bool {
			return slices.ContainsFunc(d.AddOns, func(a AddOn) bool { return a.ActivationID == aid })
		}},
		{"add-on product", DeviceQuery{AddOnProductName: Match{it.Product.Name, Equals}}, func(d Device) bool {
			return slices.ContainsFunc(d.AddOns, func(a AddOn) bool { l, _ := s.LineItem(a.ActivationID); return l.Product.Name == it.Product.Name })
		}},
		{"has license", DeviceQuery{HasLicense: &yes}, func(d Device) bool { return d.HasLicense() }},
		{"no license", DeviceQuery{HasLicense: &no}, func(d Device) bool { return !d.HasLicense() }},
		{"add-on expires before", DeviceQuery{AddOnExpiration: DateMatch{exp, Before}}, func(d Device) bool {
			return slices.ContainsFunc(d.AddOns, func(a AddOn) bool {
				l, _ := s.LineItem(a.ActivationID)
				return !l.Expiration.IsZero() && dayOf(l.Expiration) < dayOf(exp)
			})
		}},
		{"parent", DeviceQuery{ParentID: Match{"", StartsWith}}, func(d Device) bool { return !d.Parent.IsZero() }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, d := range all {
				if c.keep(d) {
					want = append(want, d.UniqueID)
				}
			}
			slices.Sort(want)
			got, err := s.Devices(c.q, Page{})
			if err != nil {
				t.Fatal(err)
			}
			if g := uniqueIDs(got); !slices.Equal(g, want) || len(want) == 0 {
				t.Fatalf("got %d devices, want %d (and more than none)", len(g), len(want))
			}
			if n, _ := s.CountDevices(c.q); n != len(want) {
				t.Fatalf("count %d, want %d", n, len(want))
			}
		})
	}
}

func TestDeviceQueryInvalid(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Devices: 10}, 1)
	for name, q := range map[string]DeviceQuery{
		"not equals on text": {DeviceID: Match{"x", NotEquals}},
		"unknown type":       {Alias: Match{"x", "LIKE"}},
		"unknown class":      {Classes: []DeviceClass{"PRINTER"}},
		"unknown sort":       {Sort: []SortBy{{Key: "COLOUR"}}},
	} {
		if _, err := s.Devices(q, Page{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestDeviceSort(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Devices: 300}, 2)
	ds, err := s.Devices(DeviceQuery{Sort: []SortBy{{Key: "DEVICE_ID", Ascending: false}}}, Page{Number: 2, Size: 50})
	if err != nil || len(ds) != 50 {
		t.Fatalf("%d devices, %v", len(ds), err)
	}
	if !slices.IsSortedFunc(ds, func(a, b Device) int { return strings.Compare(lower(b.DeviceID), lower(a.DeviceID)) }) {
		t.Fatal("not sorted by device ID descending")
	}
}
