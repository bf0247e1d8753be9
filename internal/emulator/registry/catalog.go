package registry

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Bounds of the generated catalogue: whatever the size of the state, the
// registry holds at most MaxProjects projects of a few repositories,
// artifacts and charts each, and a download log of at most
// maxDownloadsPerMonth records a month.
const (
	MaxProjects          = 100
	maxRepos             = 3
	maxArtifacts         = 4
	maxCharts            = 2
	maxProducers         = 10 // producer users per project
	maxEntitledAccounts  = 10 // accounts whose users are members, per project
	maxEndUsers          = 40 // end users per project
	maxDownloadsPerMonth = 40
)

var (
	repoNames  = []string{"api-server", "worker", "web-ui", "agent", "db-migrate", "scheduler", "gateway", "license-proxy"}
	chartKinds = []string{"chart", "operator", "stack"}
	labelNames = []string{"stable", "beta", "lts", "hotfix"}
	severities = []string{"None", "Low", "Medium", "High", "Critical"}
	arches     = []string{"amd64", "amd64", "arm64"}
)

// The two roles the seed's members sample shows (seed 2888-2916): producer
// users administer the project, entitled end users pull from it.
const (
	roleProducer = "projectAdmin"
	roleEndUser  = "developer"
)

// catalog is the registry's own data: projects by name, and the immutable
// sources of the download log. mu guards the projects (deletes change
// them); everything built at generation and never changed needs no lock.
type catalog struct {
	seed     int64
	tenantID string
	producer string // downloadPackageProducer: "Name (ID)" of the publisher account

	mu       sync.RWMutex
	projects []*project // sorted by name
	byName   map[string]*project

	// The download log is a function of the month and these.
	sources    []dlSource
	firstMonth time.Time // the month of the first project; no downloads before
}

type project struct {
	id          int64 // the registry's project_id (projectId in repositories)
	packageID   int64 // the download package record's id
	sysID       int64 // sysDownloadPackageId
	name        string
	packageName string
	version     string
	productLine string
	effective   time.Time
	expiration  time.Time // zero: none (null)
	available   bool
	restricted  bool
	created     time.Time
	updated     time.Time
	repos       []*repository
	charts      []*chart
	members     []member
}

type repository struct {
	id        int64
	name      string // one segment; responses show project/name
	pulls     int
	artifacts []artifact
}

type artifact struct {
	id       int64
	size     int64
	push     time.Time
	pull     time.Time // zero: never pulled (null)
	built    time.Time
	digest   string
	icon     string
	arch     string
	tags     []string
	labels   []string
	severity string
	vulns    int
	signed   bool
	locked   bool // immutable
}

type chart struct {
	name        string // one segment; responses show project/name
	version     string
	description string
	apiVersion  string
	digest      string // hex
	created     time.Time
}

type member struct {
	role, name string
}

// dlSource is one artifact reference end users may have pulled, with the
// users who may have pulled it.
type dlSource struct {
	ref   string // project/repository:tag
	users []downloader
}

type downloader struct {
	name     string
	accounts string // Java's List.toString of the user's account IDs: "[A, B]"
}

// generate builds the catalogue from the state's products, accounts and
// users. The same state and seed give the same catalogue.
func generate(st *state.Store, seed int64) (*catalog, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0x726567697374)) // "regist"
	c := &catalog{
		seed:     seed,
		tenantID: strconv.Itoa(1000 + r.IntN(9000)),
		producer: "fnokit emulator (FNOKIT)",
		byName:   map[string]*project{},
	}
	producers, err := producerUsers(st, c)
	if err != nil {
		return nil, err
	}
	products, err := st.Products(state.ProductQuery{}, state.Page{Number: 1, Size: MaxProjects})
	if err != nil {
		return nil, fmt.Errorf("emulator registry: read products: %w", err)
	}
	for i, p := range products {
		name := projectName(p)
		if name == "" || c.byName[name] != nil {
			continue
		}
		endUsers, err := entitledUsers(st, p)
		if err != nil {
			return nil, err
		}
		pr := newProject(r, i, name, p)
		for _, u := range producers {
			pr.members = append(pr.members, member{roleProducer, u.name})
		}
		for _, u := range endUsers {
			pr.members = append(pr.members, member{roleEndUser, u.name})
		}
		c.projects = append(c.projects, pr)
		c.byName[name] = pr
		if len(endUsers) > 0 {
			for _, repo := range pr.repos {
				for _, a := range repo.artifacts {
					c.sources = append(c.sources, dlSource{ref: name + "/" + repo.name + ":" + a.tags[0], users: endUsers})
				}
			}
		}
		if m := monthOf(pr.created); c.firstMonth.IsZero() || m.Before(c.firstMonth) {
			c.firstMonth = m
		}
	}
	slices.SortFunc(c.projects, func(a, b *project) int { return strings.Compare(a.name, b.name) })
	return c, nil
}

// producerUsers finds the publisher account (the producer) and the users
// of it and its sub-accounts, who become members of every project
// (seed 2864-2866).
func producerUsers(st *state.Store, c *catalog) ([]downloader, error) {
	pubs, err := st.Accounts(state.AccountQuery{Types: []state.AccountType{state.Publisher}}, state.Page{Number: 1, Size: 1})
	if err != nil {
		return nil, fmt.Errorf("emulator registry: read the publisher account: %w", err)
	}
	if len(pubs) == 0 {
		return nil, nil
	}
	pub := pubs[0]
	c.producer = pub.Name + " (" + pub.ID + ")"
	ids := []state.Match{{Value: pub.ID, Type: state.Equals}}
	subs, err := st.SubAccounts(pub.ID)
	if err != nil {
		return nil, fmt.Errorf("emulator registry: read the publisher's sub-accounts: %w", err)
	}
	for _, s := range subs {
		ids = append(ids, state.Match{Value: s.ID, Type: state.Equals})
	}
	return users(st, ids, maxProducers)
}

// entitledUsers are the active users of the accounts holding a deployed
// entitlement to p (seed 2867-2868).
func entitledUsers(st *state.Store, p state.Product) ([]downloader, error) {
	ents, err := st.Entitlements(state.EntitlementQuery{
		ProductName:    state.Match{Value: p.Name, Type: state.Equals},
		ProductVersion: state.Match{Value: p.Version, Type: state.Equals},
		State:          state.Match{Value: string(state.Deployed), Type: state.Equals},
	}, state.Page{Number: 1, Size: 5 * maxEntitledAccounts})
	if err != nil {
		return nil, fmt.Errorf("emulator registry: read entitlements: %w", err)
	}
	var ids []state.Match
	for _, e := range ents {
		m := state.Match{Value: e.SoldTo, Type: state.Equals}
		if e.SoldTo != "" && !slices.Contains(ids, m) && len(ids) < maxEntitledAccounts {
			ids = append(ids, m)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return users(st, ids, maxEndUsers)
}

func users(st *state.Store, accounts []state.Match, limit int) ([]downloader, error) {
	active := true
	us, err := st.Users(state.UserQuery{AccountIDs: accounts, Active: &active}, state.Page{Number: 1, Size: limit})
	if err != nil {
		return nil, fmt.Errorf("emulator registry: read users: %w", err)
	}
	out := make([]downloader, 0, len(us))
	for _, u := range us {
		ids := make([]string, 0, len(u.Accounts))
		for _, a := range u.Accounts {
			ids = append(ids, a.AccountID)
		}
		out = append(out, downloader{name: u.UserName, accounts: "[" + strings.Join(ids, ", ") + "]"})
	}
	return out, nil
}

// projectName is the download package ID of a product's container
// package: its name and version in the characters a registry project name
// may hold (lower-case letters, digits, '.', '_', '-').
func projectName(p state.Product) string {
	s := strings.ToLower(p.Name + "-" + p.Version)
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, s)
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}

func newProject(r *rand.Rand, i int, name string, p state.Product) *project {
	created := p.Created.UTC().Truncate(time.Second)
	if created.IsZero() {
		created = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	pr := &project{
		id:          int64(11 + i),
		packageID:   int64(369 + 7*i),
		sysID:       8_500_000 + r.Int64N(500_000),
		name:        name,
		packageName: p.Name + " " + p.Version + " Containers",
		version:     p.Version,
		productLine: p.ProductLine,
		effective:   created,
		available:   r.IntN(5) != 0,
		restricted:  r.IntN(4) == 0,
		created:     created,
		updated:     created,
	}
	if r.IntN(3) != 0 {
		pr.expiration = created.AddDate(4, 0, 0)
	}
	repoID := int64(100*i + 1)
	artID := int64(1000*i + 1)
	for _, k := range r.Perm(len(repoNames))[:1+r.IntN(maxRepos)] {
		repo := &repository{id: repoID, name: repoNames[k], pulls: r.IntN(500)}
		repoID++
		n := 1 + r.IntN(maxArtifacts)
		push := created
		for a := range n {
			push = push.Add(time.Duration(1+r.IntN(60*24)) * time.Minute * 60)
			art := artifact{
				id: artID, size: 1<<20 + r.Int64N(300<<20), push: push,
				built:  push.Add(-time.Duration(1+r.IntN(48)) * time.Hour),
				digest: digest(r), icon: digest(r), arch: arches[r.IntN(len(arches))],
				tags:     []string{"1." + strconv.Itoa(a) + "." + strconv.Itoa(r.IntN(10))},
				severity: severities[r.IntN(len(severities))], vulns: r.IntN(40),
				signed: r.IntN(2) == 0, locked: r.IntN(4) == 0,
			}
			artID++
			if a == n-1 {
				art.tags = append(art.tags, "latest")
			}
			if r.IntN(3) == 0 {
				art.labels = []string{labelNames[r.IntN(len(labelNames))]}
			}
			if r.IntN(4) != 0 {
				art.pull = push.Add(time.Duration(1+r.IntN(72*60)) * time.Minute)
			}
			repo.artifacts = append(repo.artifacts, art)
			pr.updated = latest(pr.updated, push)
		}
		pr.repos = append(pr.repos, repo)
	}
	base := strings.SplitN(name, "-", 2)[0]
	for _, k := range r.Perm(len(chartKinds))[:r.IntN(maxCharts+1)] {
		ch := &chart{
			name: base + "-" + chartKinds[k], version: "0." + strconv.Itoa(1+r.IntN(9)) + ".0",
			description: "A Helm chart for Kubernetes", apiVersion: "v2",
			digest: hex.EncodeToString(randBytes(r, 32)), created: created.Add(time.Duration(1+r.IntN(30*24)) * time.Hour),
		}
		if r.IntN(5) == 0 {
			ch.apiVersion = "v1"
		}
		pr.charts = append(pr.charts, ch)
		pr.updated = latest(pr.updated, ch.created)
	}
	return pr
}

func digest(r *rand.Rand) string { return "sha256:" + hex.EncodeToString(randBytes(r, 32)) }

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func monthOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// ---- reads and writes, under the lock ----

// view runs fn with the named project under the read lock; ok is false
// when there is no such project.
func (c *catalog) view(name string, fn func(*project)) (ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p := c.byName[name]
	if p == nil {
		return false
	}
	fn(p)
	return true
}

// list runs fn with the projects, sorted by name, under the read lock.
func (c *catalog) list(fn func([]*project)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	fn(c.projects)
}

// What a lookup or delete misses. The routes turn them into 404 where the
// seed lists it and 400 where it lists only that (the deletes, seed
// 2980-2988, 2999-3019).
var (
	errNoProject = errors.New("no project of this name (give the project name without the tenant prefix)")
	errNoRepo    = errors.New("no repository of this name in the project")
	errNoChart   = errors.New("no chart of this name in the project")
)

// deleteRepository removes a repository from a project.
func (c *catalog) deleteRepository(projectName, repo string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.byName[projectName]
	if p == nil {
		return errNoProject
	}
	i := slices.IndexFunc(p.repos, func(x *repository) bool { return x.name == repo })
	if i < 0 {
		return errNoRepo
	}
	p.repos = slices.Delete(slices.Clone(p.repos), i, i+1)
	p.updated = latest(p.updated, now.UTC().Truncate(time.Second))
	return nil
}

// deleteChart removes a Helm chart from a project.
func (c *catalog) deleteChart(projectName, name string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.byName[projectName]
	if p == nil {
		return errNoProject
	}
	i := slices.IndexFunc(p.charts, func(x *chart) bool { return x.name == name })
	if i < 0 {
		return errNoChart
	}
	p.charts = slices.Delete(slices.Clone(p.charts), i, i+1)
	p.updated = latest(p.updated, now.UTC().Truncate(time.Second))
	return nil
}

// download is one record of the download log.
type download struct {
	id       int64
	artifact string
	user     downloader
	at       time.Time
}

// downloads is the log of one month, oldest first: a function of the seed
// and the month, cut at now for the current month (seed 2708-2712). The
// log is history, so deleting a repository does not rewrite it.
func (c *catalog) downloads(year int, month time.Month, now time.Time) []download {
	start := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	if len(c.sources) == 0 || start.After(now) || !end.After(c.firstMonth) {
		return nil
	}
	key := uint64(year)*12 + uint64(month)
	r := rand.New(rand.NewPCG(uint64(c.seed), key<<8|0x44))
	n := r.IntN(maxDownloadsPerMonth + 1)
	span := int64(end.Sub(start) / time.Second)
	out := make([]download, 0, n)
	for i := range n {
		src := &c.sources[r.IntN(len(c.sources))]
		d := download{
			id:       int64(key)*1000 + int64(i) + 1,
			artifact: src.ref,
			user:     src.users[r.IntN(len(src.users))],
			at:       start.Add(time.Duration(r.Int64N(span)) * time.Second),
		}
		if !d.at.After(now) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b download) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return int(a.id - b.id)
	})
	return out
}
