package rest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// Software Container Delivery (schemas/rest/registry.yaml, seed 001 lines
// 2461-3250). Every route but authenticate takes the JWT of authenticate.
const (
	regAPI          = "registry"
	pathRegAuth     = "/registry/api/v1/authenticate"
	pathDownloads   = "/registry/api/v1/downloads"
	pathProjects    = "/registry/api/v1/projects"
	pathSecret      = "/registry/api/v1/secret"
	pathEventStatus = "/registry/api/v1/event/"
)

func regLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(regAPI, op, kind, tier)
}

func projectPath(name string) string { return pathProjects + "/" + url.PathEscape(name) }

func repoPath(project, repo string) string {
	return projectPath(project) + "/repositories/" + url.PathEscape(repo)
}

func chartPath(project, chart string) string {
	return projectPath(project) + "/charts/" + url.PathEscape(chart)
}

// regGet sends a GET with the registry JWT and expects a valid 200.
func regGet(path string, q url.Values) *suite.RESTResult {
	GinkgoHelper()
	r := call(regAPI, http.MethodGet, path, q, nil)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	return r
}

// allProjects pages through the projects, pageSize at a time, until an
// empty page; pages must be disjoint.
func allProjects(pageSize int) []map[string]any {
	GinkgoHelper()
	var out []map[string]any
	seen := map[string]bool{}
	for page := 1; ; page++ {
		Expect(page).To(BeNumerically("<=", 200), "the projects do not end")
		got := objects(regGet(pathProjects, url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(pageSize)}}).JSON)
		if len(got) == 0 {
			return out
		}
		Expect(len(got)).To(BeNumerically("<=", pageSize), "a page holds more projects than pageSize")
		var keys []string
		for _, p := range got {
			keys = append(keys, text(p["name"]))
		}
		keysOf(seen, keys, "another page")
		out = append(out, got...)
	}
}

// firstProject is the first project by name (the golden cases read it;
// the delete specs work on the last one, so they never change it).
func firstProject() string {
	GinkgoHelper()
	ps := objects(regGet(pathProjects, url.Values{"page": {"1"}, "pageSize": {"1"}}).JSON)
	if len(ps) == 0 {
		Skip("the registry has no project")
	}
	return text(ps[0]["name"])
}

// repoName is the repository part of "project/repository" (REG-6).
func repoName(full string) string {
	_, r, ok := strings.Cut(full, "/")
	if !ok {
		return full
	}
	return r
}

// secretRules are the registry secret rules (seed 001 lines 3155-3163):
// at least 8 characters, an uppercase letter, a lowercase letter, a digit.
var secretRules = []*regexp.Regexp{regexp.MustCompile(`^.{8,}$`), regexp.MustCompile(`[A-Z]`), regexp.MustCompile(`[a-z]`), regexp.MustCompile(`[0-9]`)}

func meetsRules(s string) bool {
	for _, re := range secretRules {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

// currentSecret reads the caller's secret, decoded.
func currentSecret() string {
	GinkgoHelper()
	r := regGet(pathSecret, nil)
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(r.Body)))
	Expect(err).NotTo(HaveOccurred(), "the secret is not Base64")
	return string(b)
}

func putSecret(existing, next string) *suite.RESTResult {
	body := map[string]any{"existing-secret": base64.StdEncoding.EncodeToString([]byte(existing))}
	if next != "-" {
		body["new-secret"] = next
	}
	return call(regAPI, http.MethodPut, pathSecret, nil, body)
}

// newSecret makes up a secret that meets the rules.
func newSecret() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "Fk9" + base64.RawURLEncoding.EncodeToString(b[:])
}

var _ = Describe("registry: authentication", func() {
	It("exchanges Basic credentials for a JWT that opens the registry", regLabels("registryAuthenticate", suite.Read, suite.Smoke), func() {
		r := call(regAPI, http.MethodGet, pathRegAuth, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		tok := text(at(r.JSON, "token"))
		if tok == "" {
			tok = strings.TrimSpace(string(r.Body))
		}
		ok := withAuth(regAPI, http.MethodGet, pathProjects, nil, nil, "Bearer "+tok)
		ok.ExpectStatus(http.StatusOK)
		ok.ExpectValid()
	})

	It("refuses anonymous and wrong credentials at authenticate", regLabels("registryAuthenticate", suite.Read, suite.Smoke), func() {
		expectRefused(anonymous(regAPI, http.MethodGet, pathRegAuth, nil, nil))
		expectRefused(withAuth(regAPI, http.MethodGet, pathRegAuth, nil, nil, basicHeader("fnokit-no-such-user", "wrong-password")))
		expectRefused(withAuth(regAPI, http.MethodGet, pathRegAuth, nil, nil, fnoHeader("fnokit-no-such-user", "wrong-password")))
	})

	It("accepts the run's credentials under the Fno scheme", regLabels("registryAuthenticate", suite.Read, suite.Full), func() {
		// The harness fills in the run's password (a run with only a
		// token skips this spec).
		r := suite.E().REST(regAPI, suite.RESTRequest{Method: http.MethodGet, Path: pathRegAuth, Auth: suite.AuthFno})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
	})

	It("takes only a JWT on its other routes", regLabels("getProjects", suite.Read, suite.Full), func() {
		expectRefused(suite.E().REST(regAPI, suite.RESTRequest{Method: http.MethodGet, Path: pathProjects, Auth: suite.AuthBasic}))
	})

	for _, route := range []struct{ op, method, path string }{
		{"getDownloads", http.MethodGet, pathDownloads},
		{"getProjects", http.MethodGet, pathProjects},
		{"getProject", http.MethodGet, projectPath("any")},
		{"getProjectMembers", http.MethodGet, projectPath("any") + "/members"},
		{"deleteRepository", http.MethodDelete, repoPath("any", "any")},
		{"deleteChart", http.MethodDelete, chartPath("any", "any")},
		{"getArtifacts", http.MethodGet, repoPath("any", "any") + "/artifacts"},
		{"getSecret", http.MethodGet, pathSecret},
		{"putSecret", http.MethodPut, pathSecret},
		{"getEventStatus", http.MethodGet, pathEventStatus + "any/status"},
	} {
		It("refuses "+route.method+" "+route.path+" without a JWT, or with a forged one", regLabels(route.op, suite.Read, suite.Smoke), func() {
			var body any
			if route.method == http.MethodPut {
				body = map[string]any{"existing-secret": "AAAA"}
			}
			expectRefused(anonymous(regAPI, route.method, route.path, nil, body))
			expectRefused(withAuth(regAPI, route.method, route.path, nil, body, "Bearer "+foreignJWT))
		})
	}

	It("refuses an expired token (emulator clock moved past 60 minutes)", regLabels("getProjects", suite.Read, suite.Full), func() {
		expectTokenExpires(regAPI, pathRegAuth, pathProjects)
	})
})

var _ = Describe("registry: projects", func() {
	It("pages the projects sorted by name, disjoint, the same whatever the page size", regLabels("getProjects", suite.Read, suite.Smoke), func() {
		// One project: the delete specs change the last ones.
		recorded := regGet(pathProjects, url.Values{"page": {"1"}, "pageSize": {"1"}})
		small, large := allProjects(3), allProjects(50)
		Expect(small).NotTo(BeEmpty(), "the registry lists no project")
		names := func(ps []map[string]any) []string {
			var out []string
			for _, p := range ps {
				out = append(out, text(p["name"]))
			}
			return out
		}
		Expect(names(small)).To(Equal(names(large)), "paging by 3 and by 50 lists other projects")
		Expect(sort.StringsAreSorted(names(small))).To(BeTrue(), "the projects are not sorted by name")
		recorded.ExpectGolden("page-1")
	})

	It("details each project with as many repositories and charts as the list counts", regLabels("getProject", suite.Read, suite.Smoke), func() {
		recorded := regGet(projectPath(firstProject()), nil)
		ps := allProjects(50)
		for _, p := range ps[:min(len(ps), 10)] {
			d := regGet(projectPath(text(p["name"])), nil)
			Expect(text(at(d.JSON, "downloadPackageId"))).To(Equal(text(p["name"])), "a project's details name another download package")
			Expect(len(list(at(d.JSON, "repositories")))).To(Equal(mustInt(p["repo_count"], "repo_count")), "repo_count disagrees with the project's repositories")
			Expect(len(list(at(d.JSON, "charts")))).To(Equal(mustInt(p["chart_count"], "chart_count")), "chart_count disagrees with the project's charts")
		}
		recorded.ExpectGolden("first-project")
	})

	It("answers 404 for a project it does not have", regLabels("getProject", suite.Read, suite.Full), func() {
		for _, path := range []string{projectPath("fnokit-no-such-project"), projectPath("fnokit-no-such-project") + "/members"} {
			r := call(regAPI, http.MethodGet, path, nil, nil)
			r.ExpectStatus(http.StatusNotFound)
			r.ExpectValid()
		}
	})

	It("lists members, paged by page_size and filtered by user_id", regLabels("getProjectMembers", suite.Read, suite.Smoke), func() {
		name := firstProject()
		path := projectPath(name) + "/members"
		recorded := regGet(path, nil)
		all := objects(regGet(path, url.Values{"page_size": {"1000"}}).JSON)
		if len(all) == 0 {
			Skip("the project has no members")
		}
		size := pageSizeFor(len(all), 1000)
		seen := map[string]bool{}
		for page := 1; page <= ceilDiv(len(all), size); page++ {
			var keys []string
			for _, m := range objects(regGet(path, url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(size)}}).JSON) {
				keys = append(keys, text(m["entityName"])+"|"+text(m["roleName"]))
			}
			keysOf(seen, keys, "another page")
		}
		Expect(len(seen)).To(Equal(len(all)), "the member pages hold another number of members than one large page")
		who := text(all[len(all)-1]["entityName"])
		one := objects(regGet(path, url.Values{"user_id": {who}}).JSON)
		Expect(one).NotTo(BeEmpty(), "user_id does not find a member the list has")
		for _, m := range one {
			Expect(foldEq(text(m["entityName"]), who)).To(BeTrue(), "user_id returns another member")
		}
		Expect(objects(regGet(path, url.Values{"user_id": {"fnokit-no-such-user@example.com"}}).JSON)).To(BeEmpty(), "user_id of no member returns members")
		recorded.ExpectGolden("first-project")
	})

	It("lists a repository's artifacts, as many as its artifactCount, with the optional parts on request", regLabels("getArtifacts", suite.Read, suite.Smoke), func() {
		name := firstProject()
		var repo map[string]any
		for _, r := range objects(at(regGet(projectPath(name), nil).JSON, "repositories")) {
			if n, _ := integer(r["artifactCount"]); n > 0 {
				repo = r
				break
			}
		}
		if repo == nil {
			Skip("the first project has no repository with artifacts")
		}
		path := repoPath(name, repoName(text(repo["repositoryName"]))) + "/artifacts"
		recorded := regGet(path, nil)
		count := mustInt(repo["artifactCount"], "artifactCount")
		size := pageSizeFor(count, 100)
		seen := map[string]bool{}
		var order []string
		for page := 1; page <= ceilDiv(count, size); page++ {
			var keys []string
			for _, a := range objects(at(regGet(path, url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(size)}}).JSON, "artifacts")) {
				keys = append(keys, text(a["digest"]))
			}
			keysOf(seen, keys, "another page")
			order = append(order, keys...)
		}
		Expect(len(seen)).To(Equal(count), "the artifact pages hold another number of artifacts than artifactCount")
		all := url.Values{"pageSize": {strconv.Itoa(count)}, "withTag": {"true"}, "withImmutableStatus": {"true"},
			"withLabel": {"true"}, "withScanOverview": {"true"}, "withSignature": {"true"}}
		var with []string
		for _, a := range objects(at(regGet(path, all).JSON, "artifacts")) {
			with = append(with, text(a["digest"]))
		}
		Expect(with).To(Equal(order), "the with* switches change which artifacts are listed")
		recorded.ExpectGolden("first-repository")
	})

	It("answers 404 for a repository the project does not have, and 400 for a page that is not a number", regLabels("getArtifacts", suite.Read, suite.Full), func() {
		name := firstProject()
		r := call(regAPI, http.MethodGet, repoPath(name, "fnokit-no-such-repository")+"/artifacts", nil, nil)
		r.ExpectStatus(http.StatusNotFound)
		r.ExpectValid()
		for _, tc := range []struct {
			path string
			q    url.Values
		}{
			{pathProjects, url.Values{"page": {"first"}}},
			{pathProjects, url.Values{"pageSize": {"ten"}}},
			{projectPath(name) + "/members", url.Values{"page_size": {"x"}}},
		} {
			bad := call(regAPI, http.MethodGet, tc.path, tc.q, nil)
			bad.ExpectStatus(http.StatusBadRequest)
			bad.ExpectValid()
		}
	})
})

var _ = Describe("registry: downloads and events", func() {
	It("pages a month's downloads consistently", regLabels("getDownloads", suite.Read, suite.Smoke), func() {
		now := targetNow()
		month := url.Values{"month": {now.Format("01")}, "year": {now.Format("2006")}}
		q := func(page, size int) url.Values {
			v := url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(size)}}
			for k, x := range month {
				v[k] = x
			}
			return v
		}
		recorded := regGet(pathDownloads, q(1, 10))
		two := objects(regGet(pathDownloads, q(1, 8)).JSON)
		a, b := objects(regGet(pathDownloads, q(1, 4)).JSON), objects(regGet(pathDownloads, q(2, 4)).JSON)
		Expect(append(a, b...)).To(Equal(two), "pages 1 and 2 of 4 are not page 1 of 8")
		recorded.ExpectGolden("this-month")
	})

	It("refuses a downloads request without its mandatory parameters or with malformed ones", regLabels("getDownloads", suite.Read, suite.Full), func() {
		ok := url.Values{"month": {"01"}, "year": {"2025"}, "page": {"1"}, "pageSize": {"10"}}
		for _, tc := range []struct {
			why  string
			edit func(url.Values)
		}{
			{"no month", func(v url.Values) { v.Del("month") }},
			{"no year", func(v url.Values) { v.Del("year") }},
			{"no page", func(v url.Values) { v.Del("page") }},
			{"no pageSize", func(v url.Values) { v.Del("pageSize") }},
			{"month 13", func(v url.Values) { v.Set("month", "13") }},
			{"a one-digit month", func(v url.Values) { v.Set("month", "1") }},
			{"a two-digit year", func(v url.Values) { v.Set("year", "25") }},
			{"a page that is not a number", func(v url.Values) { v.Set("page", "one") }},
		} {
			By(tc.why)
			q := url.Values{}
			for k, v := range ok {
				q[k] = v
			}
			tc.edit(q)
			r := call(regAPI, http.MethodGet, pathDownloads, q, nil)
			Expect(r.HTTPStatus).To(Equal(http.StatusBadRequest), "%s answered HTTP %d", tc.why, r.HTTPStatus)
			r.ExpectValid()
		}
	})

	It("answers the processing status of a user, and 400 for another entity type", regLabels("getEventStatus", suite.Read, suite.Smoke), func() {
		user := suite.E().Records().UserName
		if user == "" {
			Skip("the target has no user to ask about")
		}
		path := pathEventStatus + url.PathEscape(user) + "/status"
		recorded := regGet(path, url.Values{"entity_type": {"USER"}})
		for _, q := range []url.Values{{"entity_type": {"GROUP"}}, {}} {
			r := call(regAPI, http.MethodGet, path, q, nil)
			r.ExpectStatus(http.StatusBadRequest)
			r.ExpectValid()
		}
		recorded.ExpectGolden("known-user")
	})
})

var _ = Describe("registry: secret", func() {
	It("answers the caller's secret as Base64 text meeting the rules", regLabels("getSecret", suite.Read, suite.Smoke), func() {
		Expect(currentSecret()).NotTo(BeEmpty())
	})

	It("refuses a new secret that breaks the rules, or a wrong current secret, and keeps the secret", regLabels("putSecret", suite.Read, suite.Smoke), func() {
		// Refused changes change nothing, so this spec also runs read-only.
		cur := currentSecret()
		for _, tc := range []struct{ why, existing, next string }{
			{"7 characters", cur, "Abcdef1"},
			{"no uppercase letter", cur, "abcdefgh1"},
			{"no lowercase letter", cur, "ABCDEFGH1"},
			{"no digit", cur, "Abcdefghi"},
			{"a wrong current secret", cur + "-not", newSecret()},
		} {
			By(tc.why)
			r := putSecret(tc.existing, tc.next)
			Expect(r.HTTPStatus).To(Equal(http.StatusBadRequest), "%s answered HTTP %d", tc.why, r.HTTPStatus)
			r.ExpectValid()
		}
		missing := call(regAPI, http.MethodPut, pathSecret, nil, map[string]any{"new-secret": newSecret()})
		missing.ExpectStatus(http.StatusBadRequest)
		missing.ExpectValid()
		Expect(currentSecret() == cur).To(BeTrue(), "a refused change changed the secret")
	})

	It("replaces the secret, makes one up when none is given, and restores it", regLabels("putSecret", suite.Write, suite.Full), func() {
		suite.E().RequireWrites()
		old := currentSecret()
		Expect(meetsRules(old)).To(BeTrue(), "the current secret breaks the rules; it could not be restored")
		restored := false
		restore := func() {
			if !restored {
				r := putSecret(currentSecret(), old)
				r.ExpectStatus(http.StatusOK)
				restored = true
			}
		}
		DeferCleanup(restore)

		next := newSecret()
		r := putSecret(old, next)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(currentSecret() == next).To(BeTrue(), "GET does not answer the new secret")

		gen := putSecret(next, "")
		gen.ExpectStatus(http.StatusOK)
		gen.ExpectValid()
		made := currentSecret()
		Expect(made == next).To(BeFalse(), "a blank new-secret did not make a new secret")
		Expect(meetsRules(made)).To(BeTrue(), "the made-up secret breaks the registry's own rules")

		restore()
		Expect(currentSecret() == old).To(BeTrue(), "the secret was not restored")
	})
})

var _ = Describe("registry: deletes (emulator)", func() {
	// lastProjectWith finds the last project (by name) with a repository
	// or chart: the golden cases read the first, so deleting here does
	// not change them.
	lastProjectWith := func(field string) (string, string) {
		GinkgoHelper()
		ps := allProjects(50)
		for i := len(ps) - 1; i >= 1; i-- {
			name := text(ps[i]["name"])
			entries := objects(at(regGet(projectPath(name), nil).JSON, field))
			if len(entries) > 0 {
				last := entries[len(entries)-1]
				if field == "repositories" {
					return name, repoName(text(last["repositoryName"]))
				}
				return name, repoName(text(last["name"]))
			}
		}
		Skip("no project beyond the first has " + field)
		return "", ""
	}

	for _, kind := range []struct{ op, field, count string }{
		{"deleteRepository", "repositories", "repo_count"},
		{"deleteChart", "charts", "chart_count"},
	} {
		It("deletes one of a project's "+kind.field+", which the project then no longer lists", regLabels(kind.op, suite.Write, suite.Smoke), func() {
			// Neither deletion can be undone through the API.
			requireEmulator("deleting a container image or chart of a tenant cannot be undone")
			project, entry := lastProjectWith(kind.field)
			path := repoPath(project, entry)
			if kind.field == "charts" {
				path = chartPath(project, entry)
			}
			before := len(list(at(regGet(projectPath(project), nil).JSON, kind.field)))
			del := call(regAPI, http.MethodDelete, path, nil, nil)
			del.ExpectStatus(http.StatusOK)
			del.ExpectValid()
			after := regGet(projectPath(project), nil)
			Expect(len(list(at(after.JSON, kind.field)))).To(Equal(before-1), "the project still lists as many %s", kind.field)
			for _, e := range objects(at(after.JSON, kind.field)) {
				n := text(e["repositoryName"])
				if kind.field == "charts" {
					n = text(e["name"])
				}
				Expect(repoName(n)).NotTo(Equal(entry), "a deleted entry is still listed")
			}
			for _, p := range allProjects(50) {
				if text(p["name"]) == project {
					Expect(mustInt(p[kind.count], kind.count)).To(Equal(before-1), "%s still counts the deleted entry", kind.count)
				}
			}
			again := call(regAPI, http.MethodDelete, path, nil, nil)
			again.ExpectStatus(http.StatusBadRequest)
			again.ExpectValid()
		})
	}
})
