package callout

import "fmt"

// Sample is one documented request FNO sends at a trigger point, shaped by
// the two detail settings.
type Sample struct {
	Trigger      TriggerPoint
	HostDetails  bool // Callout Includes Host Details
	AddOnDetails bool // Callout Includes Add-on Details
	Body         []byte
}

// Name is trigger/details, e.g. checkAccess/host-details: the target of a
// check's findings.
func (s Sample) Name() string {
	d := "no-details"
	switch {
	case s.HostDetails && s.AddOnDetails:
		d = "all-details"
	case s.HostDetails:
		d = "host-details"
	case s.AddOnDetails:
		d = "add-on-details"
	}
	return string(s.Trigger) + "/" + d
}

// Samples returns the requests `callout check` sends: each trigger point
// with host and add-on details off, each alone on, and both on. Their
// values follow seed 001's sample request (lines 5757-5820); checkAccess
// requests are offline, as that trigger point only sees offline requests.
func Samples() []Sample {
	var out []Sample
	for _, tp := range TriggerPoints() {
		for _, d := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			req := SampleRequest(tp, d[0], d[1])
			body, err := marshal(req)
			if err != nil {
				panic(fmt.Sprintf("callout sample %s: %v", tp, err)) // only plain values: cannot happen
			}
			out = append(out, Sample{Trigger: tp, HostDetails: d[0], AddOnDetails: d[1], Body: body})
		}
	}
	return out
}

// SampleRequest builds the documented request at tp with the given detail
// settings.
func SampleRequest(tp TriggerPoint, hostDetails, addOnDetails bool) Request {
	ptr := func(s string) *string { return &s }
	i64 := func(n int64) *int64 { return &n }
	flag := func(b bool) *bool { return &b }
	dict := VendorDictionary{"somekey": 10, "anotherkey": "anothervalue"}
	req := Request{
		RequestInfo: RequestInfo{
			Offline: flag(tp == CheckAccess),
			ActivationIDs: []RequestedActivationID{
				{ID: "a1", Copies: i64(1), Partial: flag(false)},
				{ID: "a2", Copies: i64(1000), Partial: flag(true)},
			},
			VendorDictionary: dict,
			LastResponseTime: i64(1502906444),
		},
		HostInfo: HostInfo{ID: "dev1", IDType: "STRING", HostClass: "CLIENT", HostType: "FLX_CLIENT", Alias: ptr("My device")},
		AddOnInfo: []AddOnInfo{
			{ActivationID: "a1"},
			{ActivationID: "a2"},
		},
		StatusList: []StatusItem{{Code: 1, Detail: ptr("a9")}},
	}
	if hostDetails {
		h := &req.HostInfo
		h.Server = flag(false)
		h.IdentityName, h.PublisherName, h.Status = ptr("id1"), ptr("demo"), ptr("ACTIVE")
		h.VendorDictionary = dict
		h.FirstActivated, h.MachineType = ptr("2017-08-09T12:34:56Z"), ptr("PHYSICAL")
		h.VMName, h.BaseProductID = ptr("Amazon EC2"), ptr("baseprod1")
		h.EnterpriseID, h.User, h.UserID = i64(101), ptr("user@example.com"), i64(19)
	}
	if addOnDetails {
		for i := range req.AddOnInfo {
			a := &req.AddOnInfo[i]
			a.Requested, a.Consumed, a.WaitingForConfirmation = i64(1), i64(2), flag(i == 0)
			a.LicenseModel, a.VendorString = ptr("Embedded Counted"), ptr("some vendor string")
			a.CreateDate, a.LastModifiedDate = ptr("2017-08-09T12:34:56Z"), ptr("2017-08-10")
		}
	}
	return req
}
