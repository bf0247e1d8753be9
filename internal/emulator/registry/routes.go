package registry

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// Timestamp layouts of the samples (REG-4).
const (
	// javaDate is Java's Date.toString: "Fri Mar 11 09:50:06 UTC 2022"
	// (seed 2680, 2749-2750).
	javaDate = "Mon Jan 02 15:04:05 MST 2006"
	// mediumDate is Java's US MEDIUM date-time style: "Aug 4, 2021,
	// 7:00:00 AM" (seed 2796-2797, 3100).
	mediumDate = "Jan 2, 2006, 3:04:05 PM"
)

// Paging defaults, inferred: the members route documents page 1 and
// page_size 10 (seed 2925-2928); the others say nothing, so the same.
const (
	defaultPage     = 1
	defaultPageSize = 10
)

// ---- JSON shapes of registry.yaml ----

type downloadJSON struct {
	ID        int64  `json:"id"`
	Artifact  string `json:"artifact"`
	Username  string `json:"username"`
	Account   string `json:"account"`
	Timestamp string `json:"timestamp"`
}

type projectJSON struct {
	ProjectID    int64  `json:"project_id"`
	Name         string `json:"name"`
	RepoCount    int    `json:"repo_count"`
	ChartCount   int    `json:"chart_count"`
	CreationTime string `json:"creation_time"`
	UpdateTime   string `json:"update_time"`
}

// packageJSON is the download package behind a project, which the project
// details and the artifacts answers both start with (seed 2790-2804).
type packageJSON struct {
	ID                          int64   `json:"id"`
	DownloadPackageID           string  `json:"downloadPackageId"`
	SysDownloadPackageID        int64   `json:"sysDownloadPackageId"`
	DownloadPackageName         string  `json:"downloadPackageName"`
	Version                     string  `json:"version"`
	EffectiveDateTimestamp      string  `json:"effectiveDateTimestamp"`
	ExpirationDateTimestamp     *string `json:"expirationDateTimestamp"`
	DownloadPackageAvailability bool    `json:"downloadPackageAvailability"`
	DownloadPackageProducer     string  `json:"downloadPackageProducer"`
	ProductLine                 string  `json:"productLine"`
	Owner                       bool    `json:"owner"`
	RestrictedDownloadPackage   bool    `json:"restrictedDownloadPackage"`
	SupportsImagesAndCharts     bool    `json:"supportsDockerImagesAndHelmCharts"`
	TenantID                    string  `json:"tenantId"`
}

type projectDetailsJSON struct {
	packageJSON
	Repositories []repositoryJSON `json:"repositories"`
	Charts       []chartEntryJSON `json:"charts"`
}

type repositoryJSON struct {
	PullCount      int    `json:"pullCount"`
	ArtifactCount  int    `json:"artifactCount"`
	ProjectID      int64  `json:"projectId"`
	RepositoryName string `json:"repositoryName"`
	ProjectPublic  bool   `json:"projectPublic"`
}

type chartEntryJSON struct {
	Score float64   `json:"score"`
	Name  string    `json:"name"`
	Chart chartJSON `json:"chart"`
}

type chartJSON struct {
	Digest      string   `json:"digest"`
	URLs        []string `json:"urls"`
	Created     string   `json:"created"`
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Description string   `json:"description"`
	APIVersion  string   `json:"apiVersion"`
}

type memberJSON struct {
	RoleName   string `json:"roleName"`
	EntityName string `json:"entityName"`
	ProjectID  int64  `json:"projectId"`
}

type projectArtifactsJSON struct {
	packageJSON
	Artifacts []artifactJSON `json:"artifacts"`
}

type artifactJSON struct {
	Size              int64             `json:"size"`
	PushTime          string            `json:"pushTime"`
	ScanOverview      map[string]any    `json:"scanOverview"`
	Tags              []any             `json:"tags"`
	PullTime          *string           `json:"pullTime"`
	Labels            []any             `json:"labels"`
	References        []any             `json:"references"`
	ManifestMediaType string            `json:"manifestMediaType"`
	ExtraAttrs        extraAttrsJSON    `json:"extraAttrs"`
	ID                int64             `json:"id"`
	Digest            string            `json:"digest"`
	Icon              string            `json:"icon"`
	RepositoryID      int64             `json:"repositoryId"`
	MediaType         string            `json:"mediaType"`
	ProjectID         int64             `json:"projectId"`
	Type              string            `json:"type"`
	Annotations       map[string]string `json:"annotations"`
}

type extraAttrsJSON struct {
	OS           string `json:"os"`
	Created      string `json:"created"`
	Architecture string `json:"architecture"`
}

type eventStatusJSON struct {
	Status string `json:"status"`
}

// ---- query parameters ----

// intParam reads a positive integer parameter ("must be a number", seed
// 2714-2717; at least 1, REG-3). An absent optional one is def.
func intParam(q url.Values, name string, def int, required bool) (int, *restkit.Error) {
	s, ok := q[name]
	if !ok || len(s) == 0 {
		if required {
			return 0, badRequest("the query parameter " + name + " is required")
		}
		return def, nil
	}
	n, err := strconv.Atoi(s[0])
	if err != nil || n < 1 {
		return 0, badRequest("the query parameter " + name + " must be a whole number of at least 1")
	}
	return n, nil
}

// boolParam reads an optional true/false switch of the artifacts route.
func boolParam(q url.Values, name string) (bool, *restkit.Error) {
	s := q.Get(name)
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, badRequest("the query parameter " + name + " must be true or false")
	}
	return b, nil
}

// paging reads page and the page-size parameter named sizeName.
func paging(q url.Values, sizeName string, required bool) (page, size int, _ *restkit.Error) {
	page, err := intParam(q, "page", defaultPage, required)
	if err != nil {
		return 0, 0, err
	}
	size, err = intParam(q, sizeName, defaultPageSize, required)
	if err != nil {
		return 0, 0, err
	}
	return page, size, nil
}

// pageOf returns page number page (from 1) of size records of xs, never
// overflowing however large the numbers.
func pageOf[T any](xs []T, page, size int) []T {
	if page-1 > len(xs)/size {
		return xs[:0]
	}
	start := (page - 1) * size
	if start >= len(xs) {
		return xs[:0]
	}
	if size >= len(xs)-start {
		return xs[start:]
	}
	return xs[start : start+size]
}

// ---- routes ----

// downloads answers one page of a month's download log (seed 2620-2720).
func (h *Handler) downloads(c *call) (reply, *restkit.Error) {
	q := c.r.URL.Query()
	month, year := q.Get("month"), q.Get("year")
	switch {
	case !q.Has("month"):
		return reply{}, badRequest("the query parameter month is required")
	case !q.Has("year"):
		return reply{}, badRequest("the query parameter year is required")
	case len(month) != 2 || !digits(month) || month < "01" || month > "12":
		return reply{}, badRequest("the query parameter month must be two digits, 01 to 12")
	case len(year) != 4 || !digits(year):
		return reply{}, badRequest("the query parameter year must be four digits (yyyy)")
	}
	page, size, err := paging(q, "pageSize", true)
	if err != nil {
		return reply{}, err
	}
	m, _ := strconv.Atoi(month)
	y, _ := strconv.Atoi(year)
	all := h.cat.downloads(y, time.Month(m), h.cfg.Now().UTC())
	out := make([]downloadJSON, 0, size)
	for _, d := range pageOf(all, page, size) {
		out = append(out, downloadJSON{ID: d.id, Artifact: d.artifact, Username: d.user.name,
			Account: d.user.accounts, Timestamp: d.at.Format(javaDate)})
	}
	return reply{json: out}, nil
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// projects answers one page of the projects, sorted by name (seed 2731-2774).
func (h *Handler) projects(c *call) (reply, *restkit.Error) {
	page, size, err := paging(c.r.URL.Query(), "pageSize", false)
	if err != nil {
		return reply{}, err
	}
	var out []projectJSON
	h.cat.list(func(ps []*project) {
		sel := pageOf(ps, page, size)
		out = make([]projectJSON, 0, len(sel))
		for _, p := range sel {
			out = append(out, projectJSON{ProjectID: p.id, Name: p.name, RepoCount: len(p.repos), ChartCount: len(p.charts),
				CreationTime: p.created.Format(javaDate), UpdateTime: p.updated.Format(javaDate)})
		}
	})
	return reply{json: out}, nil
}

func (h *Handler) packageOf(p *project) packageJSON {
	pk := packageJSON{
		ID: p.packageID, DownloadPackageID: p.name, SysDownloadPackageID: p.sysID,
		DownloadPackageName: p.packageName, Version: p.version,
		EffectiveDateTimestamp:      p.effective.Format(mediumDate),
		DownloadPackageAvailability: p.available, DownloadPackageProducer: h.cat.producer,
		ProductLine: p.productLine, RestrictedDownloadPackage: p.restricted,
		SupportsImagesAndCharts: true, TenantID: h.cat.tenantID,
	}
	if !p.expiration.IsZero() {
		s := p.expiration.Format(mediumDate)
		pk.ExpirationDateTimestamp = &s
	}
	return pk
}

// project answers a project's repositories and charts (seed 2775-2858).
func (h *Handler) project(c *call) (reply, *restkit.Error) {
	var out projectDetailsJSON
	ok := h.cat.view(c.r.PathValue("project_name"), func(p *project) {
		out.packageJSON = h.packageOf(p)
		out.Repositories = make([]repositoryJSON, 0, len(p.repos))
		for _, r := range p.repos {
			out.Repositories = append(out.Repositories, repositoryJSON{PullCount: r.pulls, ArtifactCount: len(r.artifacts),
				ProjectID: p.id, RepositoryName: p.name + "/" + r.name})
		}
		out.Charts = make([]chartEntryJSON, 0, len(p.charts))
		for _, ch := range p.charts {
			full := p.name + "/" + ch.name
			out.Charts = append(out.Charts, chartEntryJSON{Name: full, Chart: chartJSON{
				Digest: ch.digest, URLs: []string{p.name + "/charts/" + ch.name + "-" + ch.version + ".tgz"},
				Created: ch.created.Format(time.RFC3339), Name: full, Version: ch.version,
				Description: ch.description, APIVersion: ch.apiVersion,
			}})
		}
	})
	if !ok {
		return reply{}, notFound(errNoProject.Error())
	}
	return reply{json: out}, nil
}

// members answers one page of a project's members, or the one named by
// user_id (seed 2860-2945).
func (h *Handler) members(c *call) (reply, *restkit.Error) {
	q := c.r.URL.Query()
	page, size, err := paging(q, "page_size", false)
	if err != nil {
		return reply{}, err
	}
	if q.Has("user_id") && q.Get("user_id") == "" {
		return reply{}, badRequest("the query parameter user_id must not be empty")
	}
	userID := q.Get("user_id")
	var out []memberJSON
	ok := h.cat.view(c.r.PathValue("project_name"), func(p *project) {
		sel := p.members
		if userID != "" {
			sel = nil
			for _, m := range p.members {
				// User names are e-mail addresses, compared without case
				// as FNO compares them.
				if strings.EqualFold(m.name, userID) {
					sel = append(sel, m)
				}
			}
		}
		sel = pageOf(sel, page, size)
		out = make([]memberJSON, 0, len(sel))
		for _, m := range sel {
			out = append(out, memberJSON{RoleName: m.role, EntityName: m.name, ProjectID: p.id})
		}
	})
	if !ok {
		return reply{}, notFound(errNoProject.Error())
	}
	return reply{json: out}, nil
}

// deleteRepository deletes an image repository (seed 2948-2988); a bare
// 200. A miss is 400, the only error status the seed lists besides 401
// and 500.
func (h *Handler) deleteRepository(c *call) (reply, *restkit.Error) {
	err := h.cat.deleteRepository(c.r.PathValue("project_name"), c.r.PathValue("repository_name"), h.cfg.Now())
	if err != nil {
		return reply{}, badRequest(err.Error())
	}
	return reply{}, nil
}

// deleteChart deletes a Helm chart (seed 2962-3019); as deleteRepository.
func (h *Handler) deleteChart(c *call) (reply, *restkit.Error) {
	err := h.cat.deleteChart(c.r.PathValue("project_name"), c.r.PathValue("chart_name"), h.cfg.Now())
	if err != nil {
		return reply{}, badRequest(err.Error())
	}
	return reply{}, nil
}

// artifacts answers the download package with one page of a repository's
// artifacts (seed 2997-3126). The with* switches add what table 4-4 says
// (tags, and inside them the immutable status and signature; labels; the
// scan overview); their shapes are Harbor's, abridged (inferred). All are
// off by default, as the seed's sample shows empty tags and labels.
func (h *Handler) artifacts(c *call) (reply, *restkit.Error) {
	q := c.r.URL.Query()
	page, size, err := paging(q, "pageSize", false)
	if err != nil {
		return reply{}, err
	}
	var with struct{ tag, immutable, label, scan, signature bool }
	for _, s := range []struct {
		name string
		dst  *bool
	}{
		{"withTag", &with.tag}, {"withImmutableStatus", &with.immutable}, {"withLabel", &with.label},
		{"withScanOverview", &with.scan}, {"withSignature", &with.signature},
	} {
		if *s.dst, err = boolParam(q, s.name); err != nil {
			return reply{}, err
		}
	}
	repoName := c.r.PathValue("repository_name")
	var out projectArtifactsJSON
	var miss error
	ok := h.cat.view(c.r.PathValue("project_name"), func(p *project) {
		var repo *repository
		for _, r := range p.repos {
			if r.name == repoName {
				repo = r
			}
		}
		if repo == nil {
			miss = errNoRepo
			return
		}
		out.packageJSON = h.packageOf(p)
		sel := pageOf(repo.artifacts, page, size)
		out.Artifacts = make([]artifactJSON, 0, len(sel))
		for _, a := range sel {
			aj := artifactJSON{
				Size: a.size, PushTime: a.push.Format(mediumDate), ScanOverview: map[string]any{},
				Tags: []any{}, Labels: []any{}, References: []any{},
				ManifestMediaType: "application/vnd.docker.distribution.manifest.v2+json",
				ExtraAttrs:        extraAttrsJSON{OS: "linux", Created: a.built.Format(time.RFC3339Nano), Architecture: a.arch},
				ID:                a.id, Digest: a.digest, Icon: a.icon, RepositoryID: repo.id,
				MediaType: "application/vnd.docker.container.image.v1+json", ProjectID: p.id, Type: "IMAGE",
				Annotations: map[string]string{},
			}
			var pull any
			if !a.pull.IsZero() {
				s := a.pull.Format(mediumDate)
				aj.PullTime, pull = &s, s
			}
			if with.tag {
				for i, t := range a.tags {
					tag := map[string]any{"id": a.id*10 + int64(i), "repositoryId": repo.id, "artifactId": a.id,
						"name": t, "pushTime": aj.PushTime, "pullTime": pull}
					if with.immutable {
						tag["immutable"] = a.locked
					}
					if with.signature {
						tag["signed"] = a.signed
					}
					aj.Tags = append(aj.Tags, tag)
				}
			}
			if with.label {
				for i, l := range a.labels {
					aj.Labels = append(aj.Labels, map[string]any{"id": int64(i + 1), "name": l, "scope": "g"})
				}
			}
			if with.scan {
				aj.ScanOverview["application/vnd.security.vulnerability.report; version=1.1"] = map[string]any{
					"scan_status": "Success", "severity": a.severity, "summary": map[string]any{"total": a.vulns}}
			}
			out.Artifacts = append(out.Artifacts, aj)
		}
	})
	switch {
	case !ok:
		return reply{}, notFound(errNoProject.Error())
	case miss != nil:
		return reply{}, notFound(miss.Error())
	}
	return reply{json: out}, nil
}

// ProcessingDelay is how long after its creation a user is reported
// In-Progress by the event status route (inferred: the seed names the
// states, seed 3199-3203, not when they apply).
const ProcessingDelay = 30 * time.Second

// eventStatus answers whether the registry has processed a user
// (seed 3192-3250). Only USER entities exist (seed 3197, 3227).
func (h *Handler) eventStatus(c *call) (reply, *restkit.Error) {
	q := c.r.URL.Query()
	switch t := q.Get("entity_type"); {
	case !q.Has("entity_type"):
		return reply{}, badRequest("the query parameter entity_type is required (USER)")
	case t != "USER":
		return reply{}, badRequest("the query parameter entity_type must be USER, the only entity type supported")
	}
	u, err := h.cfg.Store.User(c.r.PathValue("entity_name"))
	if err != nil {
		return reply{}, badRequest("entity_name names no user of the tenant")
	}
	status := "Processed"
	if !u.Created.IsZero() && h.cfg.Now().Sub(u.Created) < ProcessingDelay {
		status = "In-Progress"
	}
	return reply{json: eventStatusJSON{Status: status}}, nil
}
