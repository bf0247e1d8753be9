package extracts_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/csvheader"
	"github.com/fnokit/fnokit/internal/emulator/extracts"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// t0 is after every generated record (the generator's data ends 2025-06-01).
var t0 = time.Date(2025, 6, 10, 9, 30, 0, 0, time.UTC)

// allSince makes a first run cover every generated record.
var allSince = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)

// TestRouteWalk calls every route of extracts.yaml, with pending,
// complete and failed jobs of every extract, valid requests and the
// declared errors, and validates every answer against the contract.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	v := resttest.Validator(t, contractPath, openapi.Options{})
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{Since: allSince, ProcessingDelay: time.Minute})
	failing, _ := newHandler(t, clk, extracts.Config{MaxArtifactBytes: 64})

	ids := map[string]int64{}
	for _, n := range extracts.Names() {
		j, err := h.Run(n)
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = j.ID
	}
	if _, err := failing.Run("DEVICE"); err != nil {
		t.Fatal(err)
	}

	const (
		rList   = "GET /flexnet/operations/extracts"
		rGet    = "GET /flexnet/operations/extracts/{jobid}"
		rFile   = "GET /flexnet/operations/extracts/{jobid}/file"
		rDelete = "POST /flexnet/operations/extracts/delete/{jobid}"
	)
	type walkCase struct {
		name, route string
		h           http.Handler
		method      string
		path        string
		creds       bool
		status      int
	}
	base := extracts.Prefix
	id := func(n string) string { return strconv.FormatInt(ids[n], 10) }
	pending := []walkCase{
		{"every job pending", rList, h, http.MethodGet, base, true, 200},
		{"pending job", rGet, h, http.MethodGet, base + "/" + id("DEVICE"), true, 200},
		{"pending job has no file yet", rFile, h, http.MethodGet, base + "/" + id("DEVICE") + "/file", true, 404},
	}
	later := []walkCase{
		{"every job complete", rList, h, http.MethodGet, base, true, 200},
		{"the seed's example filter", rList, h, http.MethodGet, base + "?name=DEVICE&status=C", true, 200},
		{"every filter", rList, h, http.MethodGet, base + "?name=USER&beginDate=2025-06-10&endDate=2025-06-10&status=C&artifactAvailable=true", true, 200},
		{"filter keeps nothing", rList, h, http.MethodGet, base + "?status=F", true, 200},
		{"failed job listed", rList, failing, http.MethodGet, base + "?artifactAvailable=false", true, 200},
		{"failed job", rGet, failing, http.MethodGet, base + "/1", true, 200},
		{"failed job has no file", rFile, failing, http.MethodGet, base + "/1/file", true, 404},
		{"malformed filter", rList, h, http.MethodGet, base + "?status=X", true, 400},
		{"no credentials", rList, h, http.MethodGet, base, false, 401},
		{"unknown job", rGet, h, http.MethodGet, base + "/999999", true, 404},
		{"malformed job ID", rGet, h, http.MethodGet, base + "/0", true, 400},
		{"no credentials", rGet, h, http.MethodGet, base + "/1", false, 401},
		{"unknown job", rFile, h, http.MethodGet, base + "/999999/file", true, 404},
		{"malformed job ID", rFile, h, http.MethodGet, base + "/x/file", true, 400},
		{"no credentials", rFile, h, http.MethodGet, base + "/1/file", false, 401},
		{"malformed job ID", rDelete, h, http.MethodPost, base + "/delete/-1", true, 400},
		{"no credentials", rDelete, h, http.MethodPost, base + "/delete/1", false, 401},
		{"delete", rDelete, h, http.MethodPost, base + "/delete/" + id("USAGE"), true, 204},
		{"deleted job", rDelete, h, http.MethodPost, base + "/delete/" + id("USAGE"), true, 404},
		{"deleted job", rGet, h, http.MethodGet, base + "/" + id("USAGE"), true, 404},
	}
	for _, n := range extracts.Names() {
		if n == "USAGE" {
			continue // deleted above
		}
		later = append(later,
			walkCase{n, rGet, h, http.MethodGet, base + "/" + id(n), true, 200},
			walkCase{n, rFile, h, http.MethodGet, base + "/" + id(n) + "/file", true, 200})
	}

	walked := map[string]bool{}
	run := func(cs []walkCase) {
		for _, c := range cs {
			x := call(c.h, c.method, c.path, nil, "", c.creds)
			walked[c.route] = true
			if x.Status != c.status {
				t.Errorf("%s %s: status %d, want %d: %s", c.route, c.name, x.Status, c.status, x.Body)
				continue
			}
			resttest.CheckResponse(t, v, x)
		}
	}
	run(pending)
	clk.Advance(time.Minute)
	run(later)

	resttest.EveryRoute(t, v, walked)
}

// Each extract's artifact: its size and SHA-256 are the job's filesize
// and checksum; its files are named and headed as the contract says; the
// extracts the state has data for have rows, the others only a header.
func TestArtifacts(t *testing.T) {
	t.Parallel()
	specs := csvSpecs(t)
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{Since: allSince})
	empty := map[string]bool{"USAGE": true, "DEVICEUPDATES": true, "UPDATES": true, "ProductsRelation": true}
	fileName := regexp.MustCompile(`^attachment; filename="[A-Za-z]+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.(csv|zip)"$`)
	for _, n := range extracts.Names() {
		t.Run(n, func(t *testing.T) {
			j, err := h.Run(n)
			if err != nil {
				t.Fatal(err)
			}
			path := extracts.Prefix + "/" + strconv.FormatInt(j.ID, 10)
			rec := resttest.Decode[apiJob](t, get(h, path))
			if rec.Status != "C" || !rec.ArtifactAvailable || rec.Filesize == nil || rec.Checksum == nil {
				t.Fatalf("job %+v: want complete with an artifact", rec)
			}
			x := get(h, path+"/file")
			if x.Status != http.StatusOK {
				t.Fatalf("file: status %d: %s", x.Status, x.Body)
			}
			sum := sha256.Sum256(x.Body)
			if got := strings.ToUpper(hex.EncodeToString(sum[:])); got != *rec.Checksum {
				t.Errorf("checksum %s, file's SHA-256 %s", *rec.Checksum, got)
			}
			if got := strconv.Itoa(len(x.Body)); got != *rec.Filesize || x.Header.Get("Content-Length") != got {
				t.Errorf("filesize %s, Content-Length %s, file %s bytes", *rec.Filesize, x.Header.Get("Content-Length"), got)
			}
			if again := get(h, path+"/file"); string(again.Body) != string(x.Body) {
				t.Error("a second download differs")
			}
			if cd := x.Header.Get("Content-Disposition"); !fileName.MatchString(cd) {
				t.Errorf("Content-Disposition %q", cd)
			}

			files := parseArtifact(t, x.Header.Get("Content-Type"), x.Body)
			want := specs[n]
			if len(files) != len(want) {
				t.Fatalf("%d files, the contract describes %d", len(files), len(want))
			}
			used := map[string]bool{}
			for _, f := range files {
				var spec *csvheader.Spec
				for i := range want {
					if (f.name == "") == (want[i].File == nil) && (f.name == "" || want[i].File.MatchString(f.name)) {
						spec = &want[i]
					}
				}
				if spec == nil {
					t.Errorf("file %q: no schema of the contract describes it", f.name)
					continue
				}
				if used[spec.Schema] {
					t.Errorf("two files for %s", spec.Schema)
				}
				used[spec.Schema] = true
				if !spec.Fits(f.header) {
					t.Errorf("%s: header %q does not fit the contract's columns", spec.Schema, f.header)
				}
				stem, _, _ := strings.Cut(f.name, "-")
				if isEmpty := empty[n] || empty[stem]; isEmpty != (len(f.rows) == 0) {
					t.Errorf("%s: %d rows, want rows: %v", spec.Schema, len(f.rows), !isEmpty)
				}
			}
		})
	}
}

// inWindow is the documented selection: created or modified in [from, to).
func inWindow(from, to time.Time, times ...time.Time) bool {
	for _, t := range times {
		if !t.IsZero() && !t.Before(from) && t.Before(to) {
			return true
		}
	}
	return false
}

// expected returns, straight from the state, the identifiers an extract
// must list for [from, to), with the file and column that list them.
func expected(t testing.TB, st *state.Store, name string, from, to time.Time) (ids map[string]bool, file, column string) {
	t.Helper()
	ids = map[string]bool{}
	all := state.Page{}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	switch name {
	case "DEVICE", "SERVEDDEVICE":
		ds, err := st.Devices(state.DeviceQuery{}, all)
		must(err)
		for _, d := range ds {
			if (d.Class == state.ServedClient) == (name == "SERVEDDEVICE") && inWindow(from, to, d.Created, d.Modified) {
				ids[d.DeviceID] = true
			}
		}
		column = map[string]string{"DEVICE": "DeviceID", "SERVEDDEVICE": "ServedClientHostID"}[name]
	case "FULFILLMENT":
		fs, err := st.Fulfillments(state.FulfillmentQuery{}, all)
		must(err)
		for _, f := range fs {
			if inWindow(from, to, f.FulfillDate, f.Modified) {
				ids[f.ID] = true
			}
		}
		column = "FulfillmentID"
	case "ACCOUNT":
		as, err := st.Accounts(state.AccountQuery{}, all)
		must(err)
		for _, a := range as {
			if inWindow(from, to, a.Created, a.Modified) {
				ids[a.ID] = true
			}
		}
		column = "AccountID"
	case "USER":
		us, err := st.Users(state.UserQuery{}, all)
		must(err)
		for _, u := range us {
			if inWindow(from, to, u.Created, u.Modified) {
				ids[u.UserName] = true
			}
		}
		column = "UserName"
	case "ENTITLEMENT":
		es, err := st.Entitlements(state.EntitlementQuery{}, all)
		must(err)
		for _, e := range es {
			in := inWindow(from, to, e.Created, e.Modified)
			for _, aid := range e.LineItems {
				it, err := st.LineItem(aid)
				must(err)
				in = in || inWindow(from, to, it.Created, it.Modified)
			}
			if in {
				ids[e.ID] = true
			}
		}
		file, column = "EntitlementsExtract", "EntitlementID"
	case "PRODUCTS":
		ps, err := st.Products(state.ProductQuery{}, all)
		must(err)
		for _, p := range ps {
			if inWindow(from, to, p.Created, p.Modified) {
				ids[p.Name] = true
			}
		}
		file, column = "ProductsExtract", "ProductName"
	default:
		t.Fatalf("no state comparison for %s", name)
	}
	return ids, file, column
}

// listed returns the distinct identifiers a run's artifact lists.
func listed(t testing.TB, h *extracts.Handler, j extracts.Job, file, column string) map[string]bool {
	t.Helper()
	x := get(h, extracts.Prefix+"/"+strconv.FormatInt(j.ID, 10)+"/file")
	if x.Status != http.StatusOK {
		t.Fatalf("file of job %d: status %d: %s", j.ID, x.Status, x.Body)
	}
	files := parseArtifact(t, x.Header.Get("Content-Type"), x.Body)
	f := files[0]
	if file != "" {
		f = fileNamed(t, files, file)
	}
	out := map[string]bool{}
	for _, v := range f.column(t, column) {
		out[v] = true
	}
	return out
}

func sameSet(t testing.TB, what string, got, want map[string]bool) {
	t.Helper()
	if !maps.Equal(got, want) {
		var missing, extra []string
		for k := range want {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		for k := range got {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		t.Errorf("%s: %d listed, %d in the state's window; missing %v, extra %v", what, len(got), len(want), missing, extra)
	}
}

var windowed = []string{"ACCOUNT", "DEVICE", "ENTITLEMENT", "FULFILLMENT", "PRODUCTS", "SERVEDDEVICE", "USER"}

// An extract lists exactly the records the state has created or modified
// in its window: a slice of the generated data (Config.Since), then, on
// the next run, exactly what was written since.
func TestWindowsMatchState(t *testing.T) {
	t.Parallel()
	since := time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)
	clk := resttest.NewClock(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	h, st := newHandler(t, clk, extracts.Config{Since: since})
	first := clk.Now()
	for _, n := range windowed {
		j, err := h.Run(n)
		if err != nil {
			t.Fatal(err)
		}
		want, file, col := expected(t, st, n, since, first)
		everything, _, _ := expected(t, st, n, time.Time{}, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
		if len(want) == 0 || len(want) == len(everything) {
			t.Fatalf("%s: %d of %d records in the window: the test needs a window that keeps some and drops some", n, len(want), len(everything))
		}
		sameSet(t, n+" first run", listed(t, h, j, file, col), want)
	}

	// Writes an hour later: a new and an updated device, a new account.
	clk.Advance(time.Hour)
	if _, err := st.CreateDevice(state.Device{DeviceID: "EXTRACT-NEW-1", Class: state.Client, Alias: "new"}); err != nil {
		t.Fatal(err)
	}
	ds, _ := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{state.Server}}, state.Page{Number: 1, Size: 1})
	if _, err := st.UpdateDevice(ds[0].Key(), func(d *state.Device) error { d.Alias = "renamed"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAccount(state.Account{ID: "EXTRACT_ACCT", Name: "Extract Account"}, false); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	for _, n := range windowed {
		j, err := h.Run(n)
		if err != nil {
			t.Fatal(err)
		}
		want, file, col := expected(t, st, n, first, clk.Now())
		sameSet(t, n+" second run", listed(t, h, j, file, col), want)
	}
	// the comparison above is not empty-handed
	if want, _, _ := expected(t, st, "DEVICE", first, clk.Now()); !want["EXTRACT-NEW-1"] || !want[ds[0].DeviceID] || len(want) != 2 {
		t.Errorf("the state's DEVICE window = %v, want the two devices written", want)
	}
}

// The first run covers the previous day (UTC), not today; the next one
// starts where the first one ran.
func TestFirstRunIsThePreviousDay(t *testing.T) {
	t.Parallel()
	day := time.Date(2030, 3, 2, 0, 0, 0, 0, time.UTC)
	clk := resttest.NewClock(day.Add(-time.Hour)) // the day before yesterday, 23:00
	h, st := newHandler(t, clk, extracts.Config{})
	create := func(at time.Time, id string) {
		clk.Set(at)
		if _, err := st.CreateDevice(state.Device{DeviceID: id, Class: state.Client}); err != nil {
			t.Fatal(err)
		}
	}
	create(day.Add(-24*time.Hour-time.Hour), "TOO-EARLY")
	create(day.Add(-24*time.Hour), "YESTERDAY-START")
	create(day.Add(-time.Second), "YESTERDAY-END")
	create(day, "MIDNIGHT") // today: the window ends before it
	create(day.Add(8*time.Hour), "TODAY")
	clk.Set(day.Add(10 * time.Hour))
	j, err := h.Run("DEVICE")
	if err != nil {
		t.Fatal(err)
	}
	got := listed(t, h, j, "", "DeviceID")
	want, _, _ := expected(t, st, "DEVICE", day.Add(-24*time.Hour), day)
	sameSet(t, "first run", got, want)
	if !got["YESTERDAY-START"] || !got["YESTERDAY-END"] || got["MIDNIGHT"] || got["TODAY"] || got["TOO-EARLY"] {
		t.Errorf("first run lists %v", got)
	}
	create(day.Add(11*time.Hour), "AFTER-FIRST-RUN")
	clk.Set(day.Add(12 * time.Hour))
	j2, err := h.Run("DEVICE")
	if err != nil {
		t.Fatal(err)
	}
	got = listed(t, h, j2, "", "DeviceID")
	want, _, _ = expected(t, st, "DEVICE", day.Add(10*time.Hour), day.Add(12*time.Hour))
	sameSet(t, "second run", got, want)
	if !got["AFTER-FIRST-RUN"] || len(got) != 1 {
		t.Errorf("second run lists %v", got)
	}
}

// The cells of a row belong to the record its first column names.
func TestRowsMatchRecords(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, st := newHandler(t, clk, extracts.Config{Since: allSince})
	artifact := func(name string) []csvFile {
		j, err := h.Run(name)
		if err != nil {
			t.Fatal(err)
		}
		x := get(h, extracts.Prefix+"/"+strconv.FormatInt(j.ID, 10)+"/file")
		return parseArtifact(t, x.Header.Get("Content-Type"), x.Body)
	}

	dev := artifact("DEVICE")[0]
	ids, aliases, acts, qty := dev.column(t, "DeviceID"), dev.column(t, "Alias"), dev.column(t, "ActivationID"), dev.column(t, "QtyOnDevice")
	withAddOns := 0
	for i, id := range ids {
		d, err := st.Device(state.DeviceKey{DeviceID: id})
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if first := i == 0 || ids[i-1] != id; first && aliases[i] != d.Alias {
			t.Errorf("row %d: Alias %q, device has %q", i, aliases[i], d.Alias)
		} else if !first && aliases[i] != "" {
			t.Errorf("row %d: an extra row repeats the device details", i)
		}
		if acts[i] == "" {
			continue
		}
		withAddOns++
		found := false
		for _, a := range d.AddOns {
			found = found || (a.ActivationID == acts[i] && strconv.Itoa(a.Count) == qty[i])
		}
		if !found {
			t.Errorf("row %d: activation ID and quantity are not an add-on of %s", i, id)
		}
	}
	if withAddOns == 0 {
		t.Error("no device row with an add-on")
	}

	users := artifact("USER")[0]
	names, acctIDs, emails := users.column(t, "UserName"), users.column(t, "AccountID"), users.column(t, "EmailAddress")
	for i, n := range names {
		u, err := st.User(n)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if !slices.ContainsFunc(u.Accounts, func(r state.AccountRole) bool { return r.AccountID == acctIDs[i] }) {
			t.Errorf("row %d: account is not one of the user's", i)
		}
		if first := i == 0 || names[i-1] != n; first != (emails[i] == u.Email) {
			t.Errorf("row %d: EmailAddress is wrong for a first=%v row", i, first)
		}
	}

	ful := artifact("FULFILLMENT")[0]
	fids, facts, hosts := ful.column(t, "FulfillmentID"), ful.column(t, "ActivationID"), ful.column(t, "HostEntityID")
	for i, id := range fids {
		f, err := st.Fulfillment(id)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if facts[i] != f.ActivationID || hosts[i] != f.HostID {
			t.Errorf("row %d: activation ID or host of another fulfillment", i)
		}
	}

	ents := fileNamed(t, artifact("ENTITLEMENT"), "EntitlementsExtract")
	eids, eacts, owner := ents.column(t, "EntitlementID"), ents.column(t, "ActivationId"), ents.column(t, "End Customer|Account")
	for i, id := range eids {
		e, err := st.Entitlement(id)
		if err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if eacts[i] != "" && !slices.Contains(e.LineItems, eacts[i]) {
			t.Errorf("row %d: activation ID of another entitlement", i)
		}
		if first := i == 0 || eids[i-1] != id; first && owner[i] != e.SoldTo {
			t.Errorf("row %d: End Customer|Account is not the sold-to account", i)
		}
	}
}

// The documented list filters keep exactly the jobs they describe.
func TestListFilters(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	// DEVICE over all generated data is larger than the cap: it fails.
	h, _ := newHandler(t, clk, extracts.Config{Since: allSince, MaxArtifactBytes: 16 << 10, ProcessingDelay: 2 * time.Hour})
	for range 3 {
		for _, n := range []string{"USAGE", "DEVICE", "ACCOUNT"} {
			if _, err := h.Run(n); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(24 * time.Hour)
	}
	if _, err := h.Run("UPDATES"); err != nil { // still pending
		t.Fatal(err)
	}
	all := resttest.Decode[[]apiJob](t, get(h, extracts.Prefix))
	statuses := map[string]int{}
	for _, j := range all {
		statuses[j.Status]++
	}
	if statuses["C"] == 0 || statuses["F"] == 0 || statuses["P"] == 0 || len(all) != 10 {
		t.Fatalf("the jobs' statuses %v (of %d): want some of each", statuses, len(all))
	}
	day := func(j apiJob) string { return j.StartTime[:10] }
	cases := []struct {
		query string
		keep  func(apiJob) bool
	}{
		{"", func(apiJob) bool { return true }},
		{"name=DEVICE", func(j apiJob) bool { return j.JobName == "DEVICE" }},
		{"name=DEVICE&status=C", func(j apiJob) bool { return j.JobName == "DEVICE" && j.Status == "C" }},
		{"status=F", func(j apiJob) bool { return j.Status == "F" }},
		{"status=P", func(j apiJob) bool { return j.Status == "P" }},
		{"artifactAvailable=true", func(j apiJob) bool { return j.ArtifactAvailable }},
		{"artifactAvailable=false", func(j apiJob) bool { return !j.ArtifactAvailable }},
		{"beginDate=2025-06-11", func(j apiJob) bool { return day(j) >= "2025-06-11" }},
		{"endDate=2025-06-11", func(j apiJob) bool { return day(j) <= "2025-06-11" }},
		{"beginDate=2025-06-11&endDate=2025-06-11", func(j apiJob) bool { return day(j) == "2025-06-11" }},
		{"beginDate=2025-06-12&name=USAGE&status=C&artifactAvailable=true", func(j apiJob) bool {
			return day(j) >= "2025-06-12" && j.JobName == "USAGE" && j.Status == "C" && j.ArtifactAvailable
		}},
		{"unknownParameter=1", func(apiJob) bool { return true }},
	}
	for _, c := range cases {
		var want []int64
		for _, j := range all {
			if c.keep(j) {
				want = append(want, j.ID)
			}
		}
		var got []int64
		for _, j := range resttest.Decode[[]apiJob](t, get(h, extracts.Prefix+"?"+c.query)) {
			got = append(got, j.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("?%s: jobs %v, want %v", c.query, got, want)
		}
		if c.query != "" && c.query != "unknownParameter=1" && len(want) == len(all) {
			t.Errorf("?%s keeps every job: the case proves nothing", c.query)
		}
	}
}

// A job is pending for ProcessingDelay, with no end, size, checksum or
// file; then complete.
func TestProcessingDelay(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{ProcessingDelay: 5 * time.Second})
	j, err := h.Run("ACCOUNT")
	if err != nil {
		t.Fatal(err)
	}
	path := extracts.Prefix + "/" + strconv.FormatInt(j.ID, 10)
	p := resttest.Decode[apiJob](t, get(h, path))
	if p.Status != "P" || p.EndTime != nil || p.ArtifactAvailable || p.Filesize != nil || p.Checksum != nil {
		t.Errorf("pending job %+v", p)
	}
	if x := get(h, path+"/file"); x.Status != http.StatusNotFound {
		t.Errorf("file of a pending job: status %d", x.Status)
	}
	clk.Advance(5 * time.Second)
	c := resttest.Decode[apiJob](t, get(h, path))
	if c.Status != "C" || c.EndTime == nil || *c.EndTime != t0.Add(5*time.Second).Format("2006-01-02T15:04:05.000Z") || !c.ArtifactAvailable {
		t.Errorf("job after the delay %+v", c)
	}
	if x := get(h, path+"/file"); x.Status != http.StatusOK {
		t.Errorf("file of a complete job: status %d", x.Status)
	}
}

// A file over MaxArtifactBytes, or over what MaxStoredBytes leaves, fails
// its job: F, no artifact, no size or checksum, no file; and the next run
// covers the failed run's window again.
func TestFailedJobs(t *testing.T) {
	t.Parallel()
	t.Run("artifact cap", func(t *testing.T) {
		t.Parallel()
		clk := resttest.NewClock(t0)
		h, _ := newHandler(t, clk, extracts.Config{Since: allSince, MaxArtifactBytes: 4 << 10})
		big, err := h.Run("DEVICE")
		if err != nil {
			t.Fatal(err)
		}
		small, err := h.Run("USAGE")
		if err != nil {
			t.Fatal(err)
		}
		if big.Status != "F" || big.ArtifactAvailable || big.Checksum != "" || small.Status != "C" {
			t.Fatalf("jobs %+v and %+v: want F and C", big, small)
		}
		rec := resttest.Decode[apiJob](t, get(h, extracts.Prefix+"/"+strconv.FormatInt(big.ID, 10)))
		if rec.Status != "F" || rec.ArtifactAvailable || rec.Filesize != nil || rec.Checksum != nil || rec.EndTime == nil {
			t.Errorf("failed job %+v", rec)
		}
		if x := get(h, extracts.Prefix+"/"+strconv.FormatInt(big.ID, 10)+"/file"); x.Status != http.StatusNotFound {
			t.Errorf("file of a failed job: status %d", x.Status)
		}
	})
	t.Run("stored cap", func(t *testing.T) {
		t.Parallel()
		clk := resttest.NewClock(t0)
		h, _ := newHandler(t, clk, extracts.Config{Since: allSince, MaxStoredBytes: 1000})
		first, err := h.Run("USAGE") // a header: fits
		if err != nil {
			t.Fatal(err)
		}
		second, err := h.Run("ACCOUNT") // a few KB: does not
		if err != nil {
			t.Fatal(err)
		}
		if first.Status != "C" || second.Status != "F" {
			t.Fatalf("statuses %s and %s, want C and F", first.Status, second.Status)
		}
	})
	t.Run("the next run covers the failed window", func(t *testing.T) {
		t.Parallel()
		clk := resttest.NewClock(t0)
		st := state.Generate(testSizes, 7)
		st.SetClock(clk.Now)
		failing, _ := newHandler(t, clk, extracts.Config{Store: st, Since: allSince, MaxArtifactBytes: 2 << 10})
		if j, _ := failing.Run("ACCOUNT"); j.Status != "F" {
			t.Fatalf("status %s, want F", j.Status)
		}
		clk.Advance(time.Hour)
		j, _ := failing.Run("ACCOUNT")
		if j.Status != "F" {
			t.Errorf("second run %s: a run after a failed one must cover the failed window too (and fail again)", j.Status)
		}
	})
}

// Jobs and artifacts are gone 7 days after the job started.
func TestPurge(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{})
	old, err := h.Run("ACCOUNT")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	young, err := h.Run("USER")
	if err != nil {
		t.Fatal(err)
	}
	path := extracts.Prefix + "/" + strconv.FormatInt(old.ID, 10)
	clk.Set(t0.Add(extracts.Retention - time.Millisecond))
	if x := get(h, path+"/file"); x.Status != http.StatusOK {
		t.Fatalf("file a moment before the purge: status %d", x.Status)
	}
	clk.Set(t0.Add(extracts.Retention))
	for _, x := range []exchange{get(h, path), get(h, path+"/file"), call(h, http.MethodPost, extracts.Prefix+"/delete/"+strconv.FormatInt(old.ID, 10), nil, "", true)} {
		if x.Status != http.StatusNotFound || !strings.Contains(string(x.Body), "purged") {
			t.Errorf("%s %s of a purged job: status %d: %s", x.Req.Method, x.Req.URL.Path, x.Status, x.Body)
		}
	}
	list := resttest.Decode[[]apiJob](t, get(h, extracts.Prefix))
	if len(list) != 1 || list[0].ID != young.ID {
		t.Errorf("after the purge the list is %+v, want only job %d", list, young.ID)
	}
}

// The schedule runs at creation and then every interval of emulator time,
// evaluated on requests; a clock jump runs only rounds not yet purged, and
// no more than the table holds.
func TestSchedule(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{Schedule: time.Hour, Extracts: []string{"DEVICE", "USAGE"}, MaxJobs: 20})
	starts := func() []string {
		var out []string
		for _, j := range resttest.Decode[[]apiJob](t, get(h, extracts.Prefix)) {
			out = append(out, j.JobName+"@"+j.StartTime[11:16])
		}
		return out
	}
	if got, want := starts(), []string{"DEVICE@09:30", "USAGE@09:30"}; !slices.Equal(got, want) {
		t.Errorf("at creation: %v, want %v", got, want)
	}
	clk.Advance(2*time.Hour + 30*time.Minute)
	if got, want := starts(), []string{"DEVICE@09:30", "USAGE@09:30", "DEVICE@10:30", "USAGE@10:30", "DEVICE@11:30", "USAGE@11:30"}; !slices.Equal(got, want) {
		t.Errorf("2.5 h later: %v, want %v", got, want)
	}
	if got := len(starts()); got != 6 {
		t.Errorf("asking again ran more jobs: %d", got)
	}
	// 30 days on: everything older than 7 days is purged; 168 rounds are
	// due but 20 jobs fit, the newest.
	clk.Advance(30 * 24 * time.Hour)
	jobs := resttest.Decode[[]apiJob](t, get(h, extracts.Prefix))
	if len(jobs) != 20 {
		t.Fatalf("%d jobs after the jump, want 20", len(jobs))
	}
	newest, _ := time.Parse(time.RFC3339, jobs[19].StartTime)
	oldest, _ := time.Parse(time.RFC3339, jobs[0].StartTime)
	now := clk.Now()
	if now.Sub(newest) >= time.Hour || newest.After(now) || newest.Sub(oldest) != 9*time.Hour {
		t.Errorf("after the jump jobs run from %s to %s (now %s), want the 10 newest rounds", oldest, newest, now)
	}
	if _, err := h.Run("USER"); !errors.Is(err, extracts.ErrTooManyJobs) {
		t.Errorf("Run with the table full: %v, want ErrTooManyJobs", err)
	}
	if x := call(h, http.MethodPost, extracts.Prefix+"/delete/"+strconv.FormatInt(jobs[0].ID, 10), nil, "", true); x.Status != http.StatusNoContent {
		t.Fatalf("delete: status %d", x.Status)
	}
	if _, err := h.Run("USER"); err != nil {
		t.Errorf("Run after a delete: %v", err)
	}
}

// The second scheduled run of an extract covers what was written since
// the first.
func TestScheduledWindowsChain(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, st := newHandler(t, clk, extracts.Config{Schedule: time.Hour, Extracts: []string{"DEVICE"}})
	get(h, extracts.Prefix) // round 0
	clk.Advance(30 * time.Minute)
	if _, err := st.CreateDevice(state.Device{DeviceID: "SCHEDULED-1", Class: state.Server}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(45 * time.Minute)
	jobs := h.Jobs()
	if len(jobs) != 2 {
		t.Fatalf("%d jobs, want 2", len(jobs))
	}
	got := listed(t, h, jobs[1], "", "DeviceID")
	want, _, _ := expected(t, st, "DEVICE", t0, t0.Add(time.Hour))
	sameSet(t, "second round", got, want)
	if !got["SCHEDULED-1"] {
		t.Errorf("second round lists %v", got)
	}
}

func TestMaxJobs(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{MaxJobs: 2})
	for range 2 {
		if _, err := h.Run("USAGE"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.Run("USAGE"); !errors.Is(err, extracts.ErrTooManyJobs) {
		t.Errorf("third job: %v, want ErrTooManyJobs", err)
	}
	if _, err := h.Run("NOPE"); !errors.Is(err, extracts.ErrUnknownExtract) {
		t.Errorf("unknown extract: %v, want ErrUnknownExtract", err)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	st := state.New(1)
	cases := map[string]extracts.Config{
		"no store":           {Auth: auth},
		"no auth":            {Store: st},
		"schedule too short": {Store: st, Auth: auth, Schedule: time.Millisecond},
		"negative delay":     {Store: st, Auth: auth, ProcessingDelay: -time.Second},
		"unknown extract":    {Store: st, Auth: auth, Schedule: time.Hour, Extracts: []string{"DEVICES"}},
		"negative limit":     {Store: st, Auth: auth, MaxJobs: -1},
	}
	for name, cfg := range cases {
		if _, err := extracts.New(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

type failure struct {
	StatusInfo struct{ Status, Reason string } `json:"statusInfo"`
}

// Bad input gets its documented status and a JSON reason that does not
// echo what was sent; never a crash.
func TestBadInput(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{MaxBody: 1 << 10})
	j, err := h.Run("USAGE")
	if err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(j.ID, 10)
	const secret = "Zq9secretvalue"
	base := extracts.Prefix
	cases := []struct {
		name         string
		method, path string
		body         string
		ct           string
		creds        bool
		status       int
		reason       string
	}{
		{"job ID not a number", "GET", base + "/" + secret, "", "", true, 400, "jobid"},
		{"job ID zero", "GET", base + "/0", "", "", true, 400, "jobid"},
		{"job ID signed", "GET", base + "/+1", "", "", true, 400, "jobid"},
		{"job ID overflows", "GET", base + "/99999999999999999999/file", "", "", true, 400, "jobid"},
		{"unknown name", "GET", base + "?name=" + secret, "", "", true, 400, "name"},
		{"lower-case name", "GET", base + "?name=device", "", "", true, 400, "name"},
		{"unknown status", "GET", base + "?status=" + secret, "", "", true, 400, "status"},
		{"malformed date", "GET", base + "?beginDate=2025-13-01", "", "", true, 400, "beginDate"},
		{"date with time", "GET", base + "?endDate=2025-06-01T00:00:00", "", "", true, 400, "endDate"},
		{"inverted range", "GET", base + "?beginDate=2025-06-02&endDate=2025-06-01", "", "", true, 400, "beginDate"},
		{"repeated filter", "GET", base + "?status=C&status=F", "", "", true, 400, "more than once"},
		{"artifactAvailable not boolean", "GET", base + "?artifactAvailable=" + secret, "", "", true, 400, "artifactAvailable"},
		{"no credentials", "GET", base, "", "", false, 401, "authentication"},
		{"wrong method on list", "POST", base, "", "", true, 405, "GET"},
		{"wrong method on job", "DELETE", base + "/" + id, "", "", true, 405, "GET"},
		{"wrong method on delete", "GET", base + "/delete/" + id, "", "", true, 405, "POST"},
		{"delete body not JSON", "POST", base + "/delete/" + id, secret, "text/plain", true, 415, "JSON"},
		{"delete body malformed", "POST", base + "/delete/" + id, `{"a":"` + secret, "application/json", true, 400, "JSON"},
		{"delete body too large", "POST", base + "/delete/" + id, `{"a":"` + strings.Repeat("x", 2<<10) + `"}`, "application/json", true, 413, "limit"},
		{"unknown job", "GET", base + "/424242", "", "", true, 404, "no extract job"},
		{"unknown path", "GET", base + "/1/file/more", "", "", true, 404, "no data extract service"},
		{"path beside the prefix", "GET", base + "ish", "", "", true, 404, "no data extract service"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			x := call(h, c.method, c.path, body, c.ct, c.creds)
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			if ct := x.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if strings.Contains(string(x.Body), secret) {
				t.Errorf("the answer echoes a request value: %s", x.Body)
			}
			e := resttest.Decode[failure](t, x)
			if e.StatusInfo.Status != "FAILURE" || !strings.Contains(e.StatusInfo.Reason, c.reason) {
				t.Errorf("statusInfo %+v, want FAILURE naming %q", e.StatusInfo, c.reason)
			}
			switch c.status {
			case 401:
				if !strings.HasPrefix(x.Header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("no Basic challenge: %q", x.Header.Get("WWW-Authenticate"))
				}
			case 405:
				if x.Header.Get("Allow") == "" {
					t.Error("no Allow header")
				}
			}
		})
	}
	// The job survived every bad delete, and a wrong password is refused too.
	if x := get(h, base+"/"+id); x.Status != http.StatusOK {
		t.Errorf("the job after bad deletes: status %d", x.Status)
	}
	if x := callAs(h, "GET", base, nil, "", secret); x.Status != http.StatusUnauthorized || strings.Contains(string(x.Body), secret) {
		t.Errorf("wrong password: status %d: %s", x.Status, x.Body)
	}
	// A delete with a JSON body within the limit is a delete.
	if x := call(h, "POST", base+"/delete/"+id, []byte(`{}`), "application/json", true); x.Status != http.StatusNoContent {
		t.Errorf("delete with {}: status %d: %s", x.Status, x.Body)
	}
}

// Concurrent runs, scheduled rounds, reads, downloads and deletes keep the
// table consistent (run with -race): every listed complete job's file
// matches its checksum.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	h, _ := newHandler(t, clk, extracts.Config{Schedule: time.Minute, Extracts: []string{"ACCOUNT", "USAGE"}, MaxJobs: 50})
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for i := range 20 {
				switch (g + i) % 4 {
				case 0:
					h.Run("USER")
				case 1:
					clk.Advance(20 * time.Second)
					get(h, extracts.Prefix)
				case 2:
					get(h, extracts.Prefix+"/"+strconv.Itoa(i+1)+"/file")
				case 3:
					call(h, http.MethodPost, extracts.Prefix+"/delete/"+strconv.Itoa(i*g+1), nil, "", true)
				}
			}
		})
	}
	wg.Wait()
	jobs := resttest.Decode[[]apiJob](t, get(h, extracts.Prefix))
	if len(jobs) == 0 || len(jobs) > 50 {
		t.Fatalf("%d jobs, want 1 to 50", len(jobs))
	}
	for _, j := range jobs {
		if j.Status != "C" {
			t.Errorf("job %d is %s", j.ID, j.Status)
			continue
		}
		x := get(h, extracts.Prefix+"/"+strconv.FormatInt(j.ID, 10)+"/file")
		sum := sha256.Sum256(x.Body)
		if strings.ToUpper(hex.EncodeToString(sum[:])) != *j.Checksum {
			t.Errorf("job %d: the file does not match its checksum", j.ID)
		}
	}
}
