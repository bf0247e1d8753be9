package registry_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/registry"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// templateOf maps a request path to the registry.yaml path it routes to,
// so the walk can tell which routes it called.
func templateOf(path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(strings.TrimPrefix(path, "/registry/api/v1/"), "/")
	switch {
	case len(segs) == 1:
		return path
	case segs[0] == "event":
		return "/registry/api/v1/event/{entity_name}/status"
	case len(segs) == 2:
		return "/registry/api/v1/projects/{project_name}"
	case len(segs) == 3:
		return "/registry/api/v1/projects/{project_name}/members"
	case len(segs) == 4 && segs[2] == "charts":
		return "/registry/api/v1/projects/{project_name}/charts/{chart_name}"
	case len(segs) == 4:
		return "/registry/api/v1/projects/{project_name}/repositories/{repository_name}"
	}
	return "/registry/api/v1/projects/{project_name}/repositories/{repository_name}/artifacts"
}

// TestRouteWalk calls every route of registry.yaml with valid requests and
// validates every request and answer against the contract: zero findings,
// and the answers hold data where the catalogue has some.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	walked := map[string]bool{}
	call := func(r req) exchange {
		t.Helper()
		x := e.checked(r)
		resttest.CheckRequest(t, e.v, x)
		if x.Status != http.StatusOK {
			t.Fatalf("%s %s: status %d: %s", r.method, r.path, x.Status, x.Body)
		}
		walked[r.method+" "+templateOf(r.path)] = true
		return x
	}

	// Both schemes of seed 2556-2566.
	call(req{method: http.MethodGet, path: registry.PathAuthenticate, auth: resttest.Fno(testUser, testPassword)})
	bearer := e.token()
	walked["GET "+registry.PathAuthenticate] = true
	get := func(path string) exchange { return call(req{method: http.MethodGet, path: path, auth: bearer}) }

	// The download log: some month of the last years has downloads.
	var found bool
	now := e.clock.Now()
	for back := range 48 {
		m := time.Date(now.Year(), now.Month()-time.Month(back), 1, 0, 0, 0, 0, time.UTC)
		x := get(fmt.Sprintf("%s?month=%02d&year=%04d&page=1&pageSize=100", registry.PathDownloads, int(m.Month()), m.Year()))
		if len(resttest.Decode[[]map[string]any](t, x)) > 0 {
			found = true
			break
		}
	}
	if !found {
		t.Error("no download in the 48 months before now")
	}

	p, d := e.richProject(bearer)
	base := "/registry/api/v1/projects/" + p.Name
	if d.DownloadPackageID != p.Name {
		t.Errorf("downloadPackageId %q, want the project name %q (seed 2735)", d.DownloadPackageID, p.Name)
	}
	get(registry.PathProjects)
	get(base)
	ms := resttest.Decode[[]member](t, get(base+"/members"))
	one := resttest.Decode[[]member](t, get(base+"/members?page=1&page_size=5&user_id="+ms[0].EntityName))
	if len(one) != 1 || one[0].EntityName != ms[0].EntityName {
		t.Errorf("members?user_id= gave %v, want the one member", one)
	}
	repo := short(d.Repositories[0].RepositoryName)
	arts := resttest.Decode[map[string]any](t, get(base+"/repositories/"+repo+"/artifacts?page=1&pageSize=50"+
		"&withTag=true&withImmutableStatus=true&withLabel=true&withScanOverview=true&withSignature=true"))
	if list, _ := arts["artifacts"].([]any); len(list) != d.Repositories[0].ArtifactCount || len(list) == 0 {
		t.Errorf("%d artifacts, the project says %d", len(list), d.Repositories[0].ArtifactCount)
	}
	get(base + "/repositories/" + repo + "/artifacts")
	call(req{method: http.MethodDelete, path: base + "/charts/" + short(d.Charts[0].Name), auth: bearer})
	call(req{method: http.MethodDelete, path: base + "/repositories/" + repo, auth: bearer})

	cur := get(registry.PathSecret)
	body, _ := json.Marshal(map[string]string{"existing-secret": string(cur.Body), "new-secret": "N3wSecret"})
	call(req{method: http.MethodPut, path: registry.PathSecret, auth: bearer, ctype: "application/json", body: body})

	users, err := e.st.Users(state.UserQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(users) == 0 {
		t.Fatalf("no user in the state: %v", err)
	}
	st := resttest.Decode[map[string]string](t, get("/registry/api/v1/event/"+users[0].UserName+"/status?entity_type=USER"))
	if st["status"] != "Processed" {
		t.Errorf("status of a generated user = %q, want Processed", st["status"])
	}

	resttest.EveryRoute(t, e.v, walked)
}

// TestAuth: the two credential schemes at /authenticate, and every way a
// Bearer token can be wrong, each a 401 that echoes nothing.
func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	tok := strings.TrimPrefix(bearer, "Bearer ")
	parts := strings.Split(tok, ".")
	b64 := base64.RawURLEncoding.EncodeToString

	key := restkit.KeyFromSeed(testSeed, registry.Audience)
	otherAudience, _, _ := restkit.NewTokens(key, "fnokit-emulator", e.clock.Now).Issue(testUser, "data-access", time.Hour)
	otherKey, _, _ := restkit.NewTokens(restkit.KeyFromSeed(testSeed+1, registry.Audience), "fnokit-emulator", e.clock.Now).
		Issue(testUser, registry.Audience, time.Hour)
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + b64(bytes.Replace(payload, []byte(testUser), []byte("someone@else.example"), 1)) + "." + parts[2]

	cases := []struct {
		name, method, path, auth string
		status                   int
		challenge, reason        string
	}{
		{"basic", http.MethodGet, registry.PathAuthenticate, resttest.Basic(testUser, testPassword), 200, "", ""},
		{"fno", http.MethodGet, registry.PathAuthenticate, resttest.Fno(testUser, testPassword), 200, "", ""},
		{"fno lower case", http.MethodGet, registry.PathAuthenticate, "fno " + strings.TrimPrefix(resttest.Fno(testUser, testPassword), "Fno "), 200, "", ""},
		{"wrong password", http.MethodGet, registry.PathAuthenticate, resttest.Basic(testUser, testPassword+"x"), 401, "Basic ", "not accepted"},
		{"wrong password fno", http.MethodGet, registry.PathAuthenticate, resttest.Fno("nobody", testPassword), 401, "Basic ", "not accepted"},
		{"no credentials", http.MethodGet, registry.PathAuthenticate, "", 401, "Basic ", "Basic"},
		{"bearer at authenticate", http.MethodGet, registry.PathAuthenticate, bearer, 401, "Basic ", "Basic"},
		{"post authenticate", http.MethodPost, registry.PathAuthenticate, resttest.Basic(testUser, testPassword), 405, "", "GET"},
		{"no token", http.MethodGet, registry.PathProjects, "", 401, "Bearer ", "Bearer"},
		{"basic instead of token", http.MethodGet, registry.PathProjects, resttest.Basic(testUser, testPassword), 401, "Bearer ", "Bearer"},
		{"forged signature", http.MethodGet, registry.PathProjects, "Bearer " + parts[0] + "." + parts[1] + "." + b64([]byte("forged")), 401, "Bearer ", "not valid"},
		{"tampered claims", http.MethodGet, registry.PathProjects, "Bearer " + tampered, 401, "Bearer ", "not valid"},
		{"alg none", http.MethodGet, registry.PathProjects, "Bearer " + b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + ".", 401, "Bearer ", "HS256"},
		{"other key", http.MethodGet, registry.PathProjects, "Bearer " + otherKey, 401, "Bearer ", "not valid"},
		{"other audience", http.MethodGet, registry.PathSecret, "Bearer " + otherAudience, 401, "Bearer ", "another API"},
		{"garbage", http.MethodGet, registry.PathSecret, "Bearer not-a-jwt", 401, "Bearer ", "not valid"},
		{"valid", http.MethodGet, registry.PathSecret, bearer, 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var x exchange
			if c.status == http.StatusMethodNotAllowed {
				x = e.send(req{method: c.method, path: c.path, auth: c.auth}) // not a contract route
			} else {
				x = e.checked(req{method: c.method, path: c.path, auth: c.auth})
			}
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			for _, secret := range []string{testPassword, tok, parts[2], otherKey, otherAudience} {
				if bytes.Contains(x.Body, []byte(secret)) && c.status != 200 {
					t.Errorf("the answer echoes a credential: %s", x.Body)
				}
			}
			if c.status == 200 {
				return
			}
			if msg := errorMessage(t, x); !strings.Contains(msg, c.reason) {
				t.Errorf("message %q does not say %q", msg, c.reason)
			}
			if got := x.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, c.challenge) {
				t.Errorf("WWW-Authenticate %q, want prefix %q", got, c.challenge)
			}
		})
	}
}

// A token is good for 60 minutes (seed 2590) on the emulator's clock, and
// not a second more.
func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	e.clock.Advance(registry.TokenLifetime - time.Second)
	e.get(bearer, registry.PathProjects)
	e.clock.Advance(time.Second)
	x := e.checked(req{method: http.MethodGet, path: registry.PathProjects, auth: bearer})
	if x.Status != http.StatusUnauthorized {
		t.Fatalf("status %d after 60 minutes, want 401", x.Status)
	}
	if msg := errorMessage(t, x); !strings.Contains(msg, "expired") {
		t.Errorf("message %q does not say the token expired", msg)
	}
	if !strings.Contains(x.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Errorf("WWW-Authenticate %q", x.Header.Get("WWW-Authenticate"))
	}
	e.get(e.token(), registry.PathProjects) // a new token works
}

// Unknown projects, repositories and charts: 404 where the seed lists it
// (the reads), 400 where it lists only that (the deletes).
func TestNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	p, d := e.richProject(bearer)
	repo := short(d.Repositories[0].RepositoryName)
	const canary = "no-such-project-c4n4ry"
	cases := []struct {
		method, path string
		status       int
		reason       string
	}{
		{http.MethodGet, "/registry/api/v1/projects/" + canary, 404, "no project"},
		{http.MethodGet, "/registry/api/v1/projects/" + strings.ToUpper(p.Name), 404, "no project"},
		{http.MethodGet, "/registry/api/v1/projects/" + canary + "/members", 404, "no project"},
		{http.MethodGet, "/registry/api/v1/projects/" + canary + "/repositories/" + repo + "/artifacts", 404, "no project"},
		{http.MethodGet, "/registry/api/v1/projects/" + p.Name + "/repositories/" + canary + "/artifacts", 404, "no repository"},
		{http.MethodDelete, "/registry/api/v1/projects/" + canary + "/repositories/" + repo, 400, "no project"},
		{http.MethodDelete, "/registry/api/v1/projects/" + p.Name + "/repositories/" + canary, 400, "no repository"},
		{http.MethodDelete, "/registry/api/v1/projects/" + p.Name + "/charts/" + canary, 400, "no chart"},
		{http.MethodDelete, "/registry/api/v1/projects/" + canary + "/charts/x", 400, "no project"},
	}
	for _, c := range cases {
		t.Run(c.method+" "+templateOf(c.path), func(t *testing.T) {
			x := e.checked(req{method: c.method, path: c.path, auth: bearer})
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			if msg := errorMessage(t, x); !strings.Contains(msg, c.reason) || strings.Contains(string(x.Body), canary) {
				t.Errorf("message %q: want %q, and no echo of the path", msg, c.reason)
			}
		})
	}
	// Outside the contract: an unknown route and a wrong method.
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/registry/api/v1/nothing", 404},
		{http.MethodGet, "/registry/api/v2/projects", 404},
		{http.MethodPost, registry.PathProjects, 405},
		{http.MethodGet, "/registry/api/v1/projects/" + p.Name + "/repositories/" + repo, 405},
	} {
		x := e.send(req{method: c.method, path: c.path, auth: bearer})
		if x.Status != c.status || x.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d %s, want %d with a JSON body", c.method, c.path, x.Status, x.Header.Get("Content-Type"), c.status)
		}
		errorMessage(t, x)
	}
}

// Bad input gets 400 with a message that names the parameter or rule and
// echoes no value; never a crash.
func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *registry.Config) { c.MaxBody = 1 << 10 })
	bearer := e.token()
	p, d := e.richProject(bearer)
	arts := "/registry/api/v1/projects/" + p.Name + "/repositories/" + short(d.Repositories[0].RepositoryName) + "/artifacts"
	members := "/registry/api/v1/projects/" + p.Name + "/members"
	users, _ := e.st.Users(state.UserQuery{}, state.Page{Number: 1, Size: 1})
	event := "/registry/api/v1/event/" + users[0].UserName + "/status"
	const canary = "C4n4ry9x"
	dl := registry.PathDownloads + "?"
	cases := []struct {
		name, method, path, ctype string
		body                      []byte
		reason                    string
	}{
		{"downloads no month", "GET", dl + "year=2025&page=1&pageSize=10", "", nil, "month"},
		{"downloads no year", "GET", dl + "month=01&page=1&pageSize=10", "", nil, "year"},
		{"downloads no page", "GET", dl + "month=01&year=2025&pageSize=10", "", nil, "page"},
		{"downloads no pageSize", "GET", dl + "month=01&year=2025&page=1", "", nil, "pageSize"},
		{"downloads month 13", "GET", dl + "month=13&year=2025&page=1&pageSize=10", "", nil, "month"},
		{"downloads month one digit", "GET", dl + "month=1&year=2025&page=1&pageSize=10", "", nil, "month"},
		{"downloads month 00", "GET", dl + "month=00&year=2025&page=1&pageSize=10", "", nil, "month"},
		{"downloads year two digits", "GET", dl + "month=01&year=25&page=1&pageSize=10", "", nil, "year"},
		{"downloads page not a number", "GET", dl + "month=01&year=2025&page=" + canary + "&pageSize=10", "", nil, "page"},
		{"projects page 0", "GET", registry.PathProjects + "?page=0", "", nil, "page"},
		{"projects pageSize negative", "GET", registry.PathProjects + "?pageSize=-3", "", nil, "pageSize"},
		{"projects pageSize huge", "GET", registry.PathProjects + "?pageSize=99999999999999999999999", "", nil, "pageSize"},
		{"members page_size not a number", "GET", members + "?page_size=" + canary, "", nil, "page_size"},
		{"members user_id empty", "GET", members + "?user_id=", "", nil, "user_id"},
		{"artifacts page not a number", "GET", arts + "?page=" + canary, "", nil, "page"},
		{"artifacts withTag not a boolean", "GET", arts + "?withTag=" + canary, "", nil, "withTag"},
		{"event no entity_type", "GET", event, "", nil, "entity_type"},
		{"event entity_type DEVICE", "GET", event + "?entity_type=DEVICE", "", nil, "USER"},
		{"event unknown user", "GET", "/registry/api/v1/event/" + canary + "/status?entity_type=USER", "", nil, "no user"},
		{"secret malformed JSON", "PUT", registry.PathSecret, "application/json", []byte(`{"existing-secret": "` + canary), "not valid JSON"},
		{"secret two values", "PUT", registry.PathSecret, "application/json", []byte(`{} {}`), "more than one value"},
		{"secret wrong content type", "PUT", registry.PathSecret, "text/plain", []byte(`{"existing-secret":"` + canary + `"}`), "Content-Type"},
		{"secret no content type", "PUT", registry.PathSecret, "", []byte(`{"existing-secret":"` + canary + `"}`), "Content-Type"},
		{"secret too large", "PUT", registry.PathSecret, "application/json", []byte(`{"existing-secret":"` + strings.Repeat("QUFB", 1024) + `"}`), "larger than"},
		{"secret not an object", "PUT", registry.PathSecret, "application/json", []byte(`["` + canary + `"]`), "JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			x := e.checked(req{method: c.method, path: c.path, auth: bearer, ctype: c.ctype, body: c.body})
			if x.Status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", x.Status, x.Body)
			}
			if msg := errorMessage(t, x); !strings.Contains(msg, c.reason) {
				t.Errorf("message %q does not say %q", msg, c.reason)
			}
			if bytes.Contains(x.Body, []byte(canary)) {
				t.Errorf("the answer echoes a request value: %s", x.Body)
			}
		})
	}
}

// Pages of /projects put together are the whole list, sorted by name
// (seed 2733-2735); a page past the end is empty, however large its number.
func TestProjectPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	all := e.allProjects(bearer)
	if len(all) < 2 {
		t.Fatalf("%d projects: too few to page", len(all))
	}
	if !slices.IsSortedFunc(all, func(a, b project) int { return strings.Compare(a.Name, b.Name) }) {
		t.Error("projects are not sorted by name")
	}
	var paged []project
	for page := 1; page <= len(all)+1; page++ {
		got := resttest.Decode[[]project](t, e.get(bearer, registry.PathProjects+"?page="+strconv.Itoa(page)+"&pageSize=3"))
		if len(got) == 0 {
			break
		}
		paged = append(paged, got...)
	}
	if !slices.Equal(paged, all) {
		t.Errorf("pages of 3 give %d projects, one page gives %d", len(paged), len(all))
	}
	if n := len(resttest.Decode[[]project](t, e.get(bearer, registry.PathProjects))); n != min(10, len(all)) {
		t.Errorf("default page holds %d projects, want %d (pageSize 10)", n, min(10, len(all)))
	}
	huge := strconv.Itoa(math.MaxInt)
	if got := resttest.Decode[[]project](t, e.get(bearer, registry.PathProjects+"?page="+huge+"&pageSize="+huge)); len(got) != 0 {
		t.Errorf("page MaxInt holds %d projects", len(got))
	}
	if got := resttest.Decode[[]project](t, e.get(bearer, registry.PathProjects+"?page=1&pageSize="+huge)); len(got) != len(all) {
		t.Errorf("pageSize MaxInt holds %d projects, want %d", len(got), len(all))
	}
}

// Members are users of the state: the publisher's as project admins, the
// entitled accounts' as developers (seed 2862-2869).
func TestMembersComeFromTheState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	pubs, err := e.st.Accounts(state.AccountQuery{Types: []state.AccountType{state.Publisher}}, state.Page{Number: 1, Size: 1})
	if err != nil || len(pubs) == 0 {
		t.Fatalf("no publisher account: %v", err)
	}
	producer := map[string]bool{pubs[0].ID: true}
	subs, err := e.st.SubAccounts(pubs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range subs {
		producer[a.ID] = true
	}
	var developers int
	for _, p := range e.allProjects(bearer) {
		for _, m := range resttest.Decode[[]member](t, e.get(bearer, "/registry/api/v1/projects/"+p.Name+"/members?page_size=1000")) {
			if m.ProjectID != p.ProjectID {
				t.Errorf("%s: member projectId %d, project_id %d", p.Name, m.ProjectID, p.ProjectID)
			}
			u, err := e.st.User(m.EntityName)
			if err != nil {
				t.Errorf("%s: member is not a user of the state", p.Name)
				continue
			}
			switch m.RoleName {
			case "projectAdmin":
				if !slices.ContainsFunc(u.Accounts, func(a state.AccountRole) bool { return producer[a.AccountID] }) {
					t.Errorf("%s: project admin is not a user of the publisher", p.Name)
				}
			case "developer":
				developers++
				ok := false
				for _, a := range u.Accounts {
					n, _ := e.st.CountEntitlements(state.EntitlementQuery{
						SoldTo:      state.Match{Value: a.AccountID, Type: state.Equals},
						ProductName: state.Match{Value: strings.SplitN(p.Name, "-", 2)[0], Type: state.Equals},
					})
					ok = ok || n > 0
				}
				if !ok {
					t.Errorf("%s: developer's accounts hold no entitlement to the product", p.Name)
				}
			default:
				t.Errorf("%s: role %q", p.Name, m.RoleName)
			}
		}
	}
	if developers == 0 {
		t.Error("no entitled end user is a member of any project")
	}
}

// The download log is a function of the seed and the month: the current
// month grows with the clock and keeps what it showed; future months are
// empty; other seeds give other logs.
func TestDownloadLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	type dl struct {
		ID        int64  `json:"id"`
		Timestamp string `json:"timestamp"`
	}
	month := func(env *env, bearer string, m time.Time) []dl {
		return resttest.Decode[[]dl](t, env.get(bearer, fmt.Sprintf("%s?month=%02d&year=%d&page=1&pageSize=1000",
			registry.PathDownloads, int(m.Month()), m.Year())))
	}
	now := e.clock.Now()
	before := month(e, bearer, now)
	for _, d := range before {
		at, err := time.Parse("Mon Jan 02 15:04:05 MST 2006", d.Timestamp)
		if err != nil || at.After(now) {
			t.Errorf("download %d at %q: after now or unparsable (%v)", d.ID, d.Timestamp, err)
		}
	}
	if got := month(e, bearer, now.AddDate(0, 1, 0)); len(got) != 0 {
		t.Errorf("next month already has %d downloads", len(got))
	}
	e.clock.Advance(20 * 24 * time.Hour) // into next month
	bearer = e.token()
	after := month(e, bearer, now)
	if len(after) < len(before) || !slices.Equal(after[:len(before)], before) {
		t.Errorf("the current month's log changed as time went by: %d then %d records", len(before), len(after))
	}

	// Another seed, another log (over a year, so an empty month cannot
	// make them equal by chance).
	other := newEnv(t, func(c *registry.Config) { c.Seed = testSeed + 1 })
	ob := other.token()
	var same, total int
	for back := range 12 {
		m := now.AddDate(0, -back, 0)
		a, b := month(e, bearer, m), month(other, ob, m)
		total += len(a)
		if slices.Equal(a, b) {
			same++
		}
	}
	if total == 0 || same == 12 {
		t.Errorf("seeds %d and %d give the same download log (%d records)", testSeed, testSeed+1, total)
	}
}

// Two handlers with the same state and seed serve the same catalogue.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	a, b := newEnv(t, nil), newEnv(t, nil)
	ta, tb := a.token(), b.token()
	for _, path := range []string{registry.PathProjects + "?pageSize=1000", registry.PathDownloads + "?month=02&year=2026&page=1&pageSize=1000"} {
		if x, y := a.get(ta, path), b.get(tb, path); !bytes.Equal(x.Body, y.Body) {
			t.Errorf("%s differs between two handlers of one seed", path)
		}
	}
	p, _ := a.richProject(ta)
	path := "/registry/api/v1/projects/" + p.Name
	if x, y := a.get(ta, path), b.get(tb, path); !bytes.Equal(x.Body, y.Body) {
		t.Errorf("%s differs between two handlers of one seed", path)
	}
}

// A deleted repository or chart is gone from the project, its count and
// its artifacts; deleting it again is a 400.
func TestDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	p, d := e.richProject(bearer)
	base := "/registry/api/v1/projects/" + p.Name
	repo, ch := short(d.Repositories[0].RepositoryName), short(d.Charts[0].Name)
	for _, path := range []string{base + "/repositories/" + repo, base + "/charts/" + ch} {
		if x := e.checked(req{method: http.MethodDelete, path: path, auth: bearer}); x.Status != 200 || len(x.Body) != 0 {
			t.Fatalf("DELETE %s: %d %s, want a bare 200", path, x.Status, x.Body)
		}
		if x := e.checked(req{method: http.MethodDelete, path: path, auth: bearer}); x.Status != 400 {
			t.Errorf("second DELETE %s: %d, want 400", path, x.Status)
		}
	}
	after := resttest.Decode[details](t, e.get(bearer, base))
	if len(after.Repositories) != len(d.Repositories)-1 || len(after.Charts) != len(d.Charts)-1 {
		t.Errorf("after the deletes: %d repositories, %d charts; before %d, %d",
			len(after.Repositories), len(after.Charts), len(d.Repositories), len(d.Charts))
	}
	for _, q := range e.allProjects(bearer) {
		if q.Name == p.Name && (q.RepoCount != len(after.Repositories) || q.ChartCount != len(after.Charts)) {
			t.Errorf("/projects counts %d repositories, %d charts; the project has %d, %d",
				q.RepoCount, q.ChartCount, len(after.Repositories), len(after.Charts))
		}
	}
	if x := e.checked(req{method: http.MethodGet, path: base + "/repositories/" + repo + "/artifacts", auth: bearer}); x.Status != 404 {
		t.Errorf("artifacts of a deleted repository: %d, want 404", x.Status)
	}
}

// A user created a moment ago is In-Progress, then Processed.
func TestEventStatusOfANewUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	accts, err := e.st.Accounts(state.AccountQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(accts) == 0 {
		t.Fatal("no account", err)
	}
	u, err := e.st.CreateUser(state.User{UserName: "new.user@example.com", FirstName: "New", LastName: "User",
		Email: "new.user@example.com", Accounts: []state.AccountRole{{AccountID: accts[0].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	path := "/registry/api/v1/event/" + u.UserName + "/status?entity_type=USER"
	status := func() string { return resttest.Decode[map[string]string](t, e.get(bearer, path))["status"] }
	if s := status(); s != "In-Progress" {
		t.Errorf("just created: %q, want In-Progress", s)
	}
	e.clock.Advance(registry.ProcessingDelay)
	if s := status(); s != "Processed" {
		t.Errorf("after %v: %q, want Processed", registry.ProcessingDelay, s)
	}
}

// Reads and deletes at once are safe (run with -race) and every answer is
// a declared status.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	bearer := e.token()
	projects := e.allProjects(bearer)
	var wg sync.WaitGroup
	errs := make(chan string, 1000)
	for w := range 8 {
		wg.Go(func() {
			for i := range 40 {
				p := projects[(w+i)%len(projects)]
				base := "/registry/api/v1/projects/" + p.Name
				paths := []struct{ method, path string }{
					{http.MethodGet, base}, {http.MethodGet, registry.PathProjects},
					{http.MethodGet, base + "/members"}, {http.MethodGet, base + "/repositories/api-server/artifacts"},
					{http.MethodDelete, base + "/repositories/api-server"}, {http.MethodGet, registry.PathSecret},
				}
				c := paths[i%len(paths)]
				r := httptest.NewRequest(c.method, c.path, nil)
				r.Header.Set("Authorization", bearer)
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, r)
				if rec.Code != 200 && rec.Code != 400 && rec.Code != 404 {
					errs <- fmt.Sprintf("%s %s: %d", c.method, c.path, rec.Code)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestNewNeedsStoreAndAuth(t *testing.T) {
	t.Parallel()
	st := state.Generate(testSizes, 1)
	for _, cfg := range []registry.Config{{Auth: auth}, {Store: st}} {
		if _, err := registry.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted a config without store or auth", cfg)
		}
	}
	// An empty state is a registry without projects, not an error.
	h, err := registry.New(registry.Config{Store: state.New(1), Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, registry.PathProjects, nil)
	r.Header.Set("Authorization", resttest.Basic(testUser, testPassword))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("Basic on /projects: %d, want 401", rec.Code)
	}
}
