// Package extracts serves FNO's data extract REST API
// (schemas/rest/extracts.yaml) from the emulator's state: the list of the
// extract jobs that ran (GET /flexnet/operations/extracts with the
// name, beginDate, endDate, status and artifactAvailable filters), one job
// (GET .../extracts/{jobid}), its artifact (GET .../extracts/{jobid}/file)
// and its deletion (POST .../extracts/delete/{jobid}). Seed 001 lines
// 3252-3400 document the API; lines 3403-4105 document the CSV files.
//
// # Jobs
//
// FNO runs extract jobs on a schedule the producer sets up in the Producer
// Portal (seed 001 lines 3283-3286); the REST API has no route that starts
// one. So jobs come from two places, neither of them a REST route:
//
//   - Config.Schedule > 0 runs every extract of Config.Extracts at the
//     handler's creation time and then every Schedule of emulator time
//     (Config.Now). The schedule is evaluated lazily, on each request: a
//     request finds the runs that fell due since the last one and runs
//     them before answering. No goroutine, so an idle emulator does no work
//     and a test's fake clock decides exactly which runs happened. Runs
//     whose output would already be purged (older than 7 days) are not
//     run, and when the job table cannot hold every due run, the newest
//     ones are run.
//   - (*Handler).Run runs one extract now: the "on demand" run a test or a
//     command of the emulator asks for.
//
// A job is P (pending) from its start until its end, then C (complete) or
// F (failed) (seed 001 lines 3349-3350). Its end is its start plus
// Config.ProcessingDelay (default 0: a job is complete as soon as its file
// is built; the file is built before the request that ran the job is
// answered, and other requests meanwhile see the job pending). A job
// fails when its file would exceed Config.MaxArtifactBytes, or would take
// the bytes held by all artifacts over Config.MaxStoredBytes; a failed job
// has no artifact. filesize and checksum (SHA-256, upper-case hex as in the
// seed's example, of exactly the bytes the file route serves) are given
// for a complete job only (seed 001 lines 3355-3362).
//
// Jobs and artifacts are purged 7 days after the job started (seed 001
// lines 3259-3260); a purged or deleted job is unknown: 404 on every route
// that names it. The table holds at most Config.MaxJobs jobs; Run answers
// ErrTooManyJobs beyond that, and a scheduled run that does not fit is not
// run.
//
// # Files
//
// Each extract covers the records created or modified in its window: on
// its first run the previous day, 00:00:00 to 23:59:59 UTC (the
// emulator's "server time"), afterwards from the previous successful run
// of the same extract to this one (seed 001, the first paragraph of each
// extract; the previous run's start, when the emulator took its snapshot,
// stands for the seed's "end time" of that run). With Config.Since set, a
// first run covers everything from Since to the run instead, so that a
// generated data set (whose records predate any clock) can be extracted
// whole. The file is built from the state when the job starts,
// records being chosen by their created and modified times as they are
// then; rows repeat for extra activation IDs, products, features, accounts
// and line items as each extract's section says. DEVICE lists clients and
// license servers, SERVEDDEVICE served clients; ENTITLEMENT and PRODUCTS are
// zips of two and four CSV files named <File>-YYYY-MM-DD-HH-MM-SS.csv
// (seed 001 lines 3761-3766, 3879-3893). The state has no usage events,
// status-log updates, software updates or product relations, so USAGE,
// DEVICEUPDATES, UPDATES and the ProductsRelation file hold only their
// header row, which is what the seed says an extract with nothing in its
// window holds. Inferences: times are ISO 8601 UTC with milliseconds (the
// "Use ISO 8601 time format in extracts" option, seed 001 line 3415);
// custom attribute columns are every attribute name any record of the kind
// carries, sorted; the End Customer tier block is the sold-to account and
// the first user mapped to the entitlement; a single CSV is served as
// <Name>-YYYY-MM-DD-HH-MM-SS.csv.
//
// # Errors
//
// Errors are JSON bodies {"statusInfo": {"status": "FAILURE", "reason":
// ...}}, as the application REST API at the same prefix answers: 400 for a
// job ID that is not a positive integer or a filter that is malformed,
// repeated, or an inverted date range; 401 with a Basic challenge for
// missing or wrong credentials; 404 for an unknown, deleted or purged job,
// a job without artifact, or a path the API does not have; 405 with Allow
// for a wrong method. The delete route takes no body; one that is sent
// must be JSON (415), within Config.MaxBody (413) and well formed (400),
// and is ignored. Reasons name parameters, never their values.
package extracts

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Prefix is the path of the API; every route lives at or below it.
const Prefix = "/flexnet/operations/extracts"

// Defaults of the zero Config fields.
const (
	DefaultMaxBody          = 1 << 20
	DefaultMaxJobs          = 1000
	DefaultMaxArtifactBytes = 64 << 20
	DefaultMaxStoredBytes   = 256 << 20
	// MinSchedule is the shortest schedule interval New accepts.
	MinSchedule = time.Second
	// Retention is how long a job and its artifact are kept (seed 001
	// lines 3259-3260).
	Retention = 7 * 24 * time.Hour
)

// Config configures the handler. Store and Auth are required.
type Config struct {
	Store *state.Store
	// Auth checks HTTP Basic credentials in constant time
	// (server.Matcher of the emulator's user).
	Auth func(user, password string) bool
	// Realm is announced in the 401 challenge.
	Realm string
	// MaxBody bounds a request body (only delete may carry one, ignored).
	MaxBody int64
	// Now is the emulator's clock; nil is time.Now.
	Now func() time.Time
	// Schedule runs Extracts at creation and then at this interval of
	// emulator time; 0 runs nothing by itself. At least MinSchedule.
	Schedule time.Duration
	// Extracts are the jobs the schedule runs (Names); nil is all of them.
	Extracts []string
	// ProcessingDelay is how long a job stays P after it starts.
	ProcessingDelay time.Duration
	// Since, when set, starts the window of each extract's first run
	// instead of the previous day's midnight.
	Since time.Time
	// MaxJobs bounds the job table (default DefaultMaxJobs).
	MaxJobs int
	// MaxArtifactBytes bounds one artifact; a larger one fails its job
	// (default DefaultMaxArtifactBytes).
	MaxArtifactBytes int64
	// MaxStoredBytes bounds the bytes of all artifacts held; a job whose
	// artifact does not fit fails (default DefaultMaxStoredBytes).
	MaxStoredBytes int64
}

// Handler serves the data extract routes. It is safe for concurrent use.
type Handler struct {
	cfg Config
	jobs
}

// New checks cfg and builds the handler; the schedule, if any, starts now.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator extracts: a store and an auth check are required")
	}
	if cfg.Schedule < 0 || (cfg.Schedule > 0 && cfg.Schedule < MinSchedule) {
		return nil, errors.New("emulator extracts: the schedule must be 0 (off) or at least " + MinSchedule.String())
	}
	if cfg.ProcessingDelay < 0 || cfg.MaxJobs < 0 || cfg.MaxArtifactBytes < 0 || cfg.MaxStoredBytes < 0 || cfg.MaxBody < 0 {
		return nil, errors.New("emulator extracts: delays and limits must not be negative")
	}
	if cfg.Extracts == nil {
		cfg.Extracts = Names()
	}
	for _, n := range cfg.Extracts {
		if extractByName(n) == nil {
			return nil, errors.New("emulator extracts: unknown extract in the schedule (want one of " + strings.Join(Names(), ", ") + ")")
		}
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxJobs == 0 {
		cfg.MaxJobs = DefaultMaxJobs
	}
	if cfg.MaxArtifactBytes == 0 {
		cfg.MaxArtifactBytes = DefaultMaxArtifactBytes
	}
	if cfg.MaxStoredBytes == 0 {
		cfg.MaxStoredBytes = DefaultMaxStoredBytes
	}
	if cfg.Realm == "" {
		cfg.Realm = restkit.DefaultRealm
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg}
	h.jobs.init(&h.cfg)
	return h, nil
}

// ServeHTTP routes a request at or below Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		writeError(w, http.StatusNotFound, "no data extract service at this path")
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] == "" {
		parts = nil
	}
	var method string
	var serve func(http.ResponseWriter, *http.Request, []string)
	switch {
	case len(parts) == 0:
		method, serve = http.MethodGet, h.serveList
	case len(parts) == 1:
		method, serve = http.MethodGet, h.serveGet
	case len(parts) == 2 && parts[0] == "delete":
		method, serve = http.MethodPost, h.serveDelete
	case len(parts) == 2 && parts[1] == "file":
		method, serve = http.MethodGet, h.serveFile
	default:
		writeError(w, http.StatusNotFound, "no data extract service at this path")
		return
	}
	// Credentials first: an anonymous client costs no parsing.
	user, pass, ok := restkit.BasicOrFno(r)
	if !ok || !h.cfg.Auth(user, pass) {
		w.Header().Set("WWW-Authenticate", restkit.Challenge("Basic", h.cfg.Realm))
		writeError(w, http.StatusUnauthorized, "authentication required: HTTP Basic credentials of a Producer Portal user")
		return
	}
	if r.Method != method {
		w.Header().Set("Allow", method)
		writeError(w, http.StatusMethodNotAllowed, "use "+method+" on this path")
		return
	}
	serve(w, r, parts)
}

// serveList answers GET /extracts: every job the filters keep, by ID.
func (h *Handler) serveList(w http.ResponseWriter, r *http.Request, _ []string) {
	f, e := parseFilter(r.URL.Query())
	if e != nil {
		writeError(w, e.Status, e.Reason)
		return
	}
	out := []jobJSON{}
	for _, j := range h.jobs.list(h.cfg.Now()) {
		if f.keep(j) {
			out = append(out, j.json())
		}
	}
	restkit.WriteJSON(w, http.StatusOK, out)
}

// serveGet answers GET /extracts/{jobid}.
func (h *Handler) serveGet(w http.ResponseWriter, _ *http.Request, parts []string) {
	id, e := jobID(parts[0])
	if e != nil {
		writeError(w, e.Status, e.Reason)
		return
	}
	j, ok := h.jobs.get(h.cfg.Now(), id)
	if !ok {
		writeError(w, http.StatusNotFound, reasonNoJob)
		return
	}
	restkit.WriteJSON(w, http.StatusOK, j.json())
}

// serveFile answers GET /extracts/{jobid}/file with the artifact's bytes.
func (h *Handler) serveFile(w http.ResponseWriter, _ *http.Request, parts []string) {
	id, e := jobID(parts[0])
	if e != nil {
		writeError(w, e.Status, e.Reason)
		return
	}
	j, a, ok := h.jobs.artifact(h.cfg.Now(), id)
	switch {
	case !ok:
		writeError(w, http.StatusNotFound, reasonNoJob)
		return
	case a == nil:
		writeError(w, http.StatusNotFound, "the job has no artifact: it is still pending, or it failed")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("Content-Length", strconv.Itoa(len(a.data)))
	hd.Set("Content-Disposition", `attachment; filename="`+a.fileName+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Last-Modified", j.End.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	w.Write(a.data)
}

// serveDelete answers POST /extracts/delete/{jobid}: 204 once the job and its
// artifact are gone.
func (h *Handler) serveDelete(w http.ResponseWriter, r *http.Request, parts []string) {
	id, e := jobID(parts[1])
	if e != nil {
		writeError(w, e.Status, e.Reason)
		return
	}
	if r.ContentLength != 0 { // -1 (unknown) or more: read what was sent
		var ignored any
		if e := restkit.ReadJSON(w, r, h.cfg.MaxBody, &ignored); e != nil {
			writeError(w, e.Status, e.Reason)
			return
		}
	}
	if !h.jobs.remove(h.cfg.Now(), id) {
		writeError(w, http.StatusNotFound, reasonNoJob)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

const reasonNoJob = "no extract job has this ID: it never ran, was deleted, or was purged 7 days after it started"

// jobID reads a {jobid} path segment: a positive 64-bit integer.
func jobID(s string) (int64, *restkit.Error) {
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, &restkit.Error{Status: http.StatusBadRequest, Reason: "jobid must be a positive integer"}
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, &restkit.Error{Status: http.StatusBadRequest, Reason: "jobid must be a positive integer of at most 19 digits"}
	}
	return id, nil
}

// filter is the query of GET /extracts; zero fields keep every job.
type filter struct {
	name, status string
	begin, end   time.Time // days, UTC; end is exclusive (the day after endDate)
	artifact     *bool
}

// parseFilter reads the documented parameters (seed 001 lines 3335-3353).
// A parameter given twice is refused rather than guessed at; parameters
// the seed does not name are ignored, as servers do.
func parseFilter(q map[string][]string) (filter, *restkit.Error) {
	var f filter
	bad := func(reason string) (filter, *restkit.Error) {
		return filter{}, &restkit.Error{Status: http.StatusBadRequest, Reason: reason}
	}
	one := func(name string) (string, bool, *restkit.Error) {
		v, ok := q[name]
		switch {
		case !ok:
			return "", false, nil
		case len(v) != 1:
			return "", false, &restkit.Error{Status: http.StatusBadRequest, Reason: name + " is given more than once"}
		}
		return v[0], true, nil
	}
	if v, ok, e := one("name"); e != nil {
		return filter{}, e
	} else if ok {
		if extractByName(v) == nil {
			return bad("name must be one of " + strings.Join(Names(), ", "))
		}
		f.name = v
	}
	if v, ok, e := one("status"); e != nil {
		return filter{}, e
	} else if ok {
		switch v {
		case StatusPending, StatusComplete, StatusFailed:
			f.status = v
		default:
			return bad("status must be C (completed), F (failed) or P (pending)")
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"beginDate", &f.begin, 0}, {"endDate", &f.end, 1}} {
		v, ok, e := one(p.name)
		if e != nil {
			return filter{}, e
		}
		if !ok {
			continue
		}
		d, err := time.Parse(time.DateOnly, v)
		if err != nil || len(v) != len(time.DateOnly) {
			return bad(p.name + " must be a date YYYY-MM-DD")
		}
		*p.dst = d.AddDate(0, 0, p.add)
	}
	if !f.begin.IsZero() && !f.end.IsZero() && !f.begin.Before(f.end) {
		return bad("beginDate must not be after endDate")
	}
	if v, ok, e := one("artifactAvailable"); e != nil {
		return filter{}, e
	} else if ok {
		switch v {
		case "true", "false":
			b := v == "true"
			f.artifact = &b
		default:
			return bad("artifactAvailable must be true or false")
		}
	}
	return f, nil
}

// keep reports whether j passes the filter. beginDate and endDate bound
// the job's start time by UTC day, both inclusive (inferred: the seed does
// not say which job time they bound, see NOTES-application-extracts.md).
func (f filter) keep(j Job) bool {
	return (f.name == "" || j.Name == f.name) &&
		(f.status == "" || j.Status == f.status) &&
		(f.begin.IsZero() || !j.Start.Before(f.begin)) &&
		(f.end.IsZero() || j.Start.Before(f.end)) &&
		(f.artifact == nil || j.ArtifactAvailable == *f.artifact)
}

func writeError(w http.ResponseWriter, status int, reason string) {
	restkit.WriteJSON(w, status, map[string]any{"statusInfo": map[string]any{"status": "FAILURE", "reason": reason}})
}
