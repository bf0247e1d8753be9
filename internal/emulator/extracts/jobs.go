package extracts

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The job statuses (seed 001 lines 3349-3350).
const (
	StatusPending  = "P"
	StatusComplete = "C"
	StatusFailed   = "F"
)

// Errors of Run.
var (
	// ErrTooManyJobs: the table holds Config.MaxJobs jobs already.
	ErrTooManyJobs = errors.New("emulator extracts: the job table is full (Config.MaxJobs): delete jobs, or wait for the 7-day purge")
	// ErrUnknownExtract: the name is not one of Names.
	ErrUnknownExtract = errors.New("emulator extracts: unknown extract name (want one of " + strings.Join(Names(), ", ") + ")")
)

// Job is one extract job as the API shows it at a given moment.
type Job struct {
	ID     int64
	Name   string // the extract, one of Names
	Status string // StatusPending, StatusComplete or StatusFailed
	Start  time.Time
	End    time.Time // zero while pending
	// ArtifactAvailable, Size and Checksum (upper-case hex SHA-256) are
	// set for a complete job only.
	ArtifactAvailable bool
	Size              int64
	Checksum          string
}

// jobJSON is ExtractJob of extracts.yaml: nulls where the seed has them.
type jobJSON struct {
	ID                int64   `json:"id"`
	JobName           string  `json:"jobName"`
	Status            string  `json:"status"`
	StartTime         string  `json:"startTime"`
	EndTime           *string `json:"endTime"`
	ArtifactAvailable bool    `json:"artifactAvailable"`
	Filesize          *string `json:"filesize"`
	Checksum          *string `json:"checksum"`
}

// jobTime is the seed's job time format: UTC, milliseconds, Z.
const jobTime = "2006-01-02T15:04:05.000Z"

func (j Job) json() jobJSON {
	out := jobJSON{ID: j.ID, JobName: j.Name, Status: j.Status, StartTime: j.Start.UTC().Format(jobTime),
		ArtifactAvailable: j.ArtifactAvailable}
	if !j.End.IsZero() {
		s := j.End.UTC().Format(jobTime)
		out.EndTime = &s
	}
	if j.ArtifactAvailable {
		size, sum := strconv.FormatInt(j.Size, 10), j.Checksum
		out.Filesize, out.Checksum = &size, &sum
	}
	return out
}

// job is a job in the table. Fields after start are set once, when its
// file has been built (built true), under jobs.mu.
type job struct {
	id    int64
	name  string
	start time.Time

	built bool
	art   *artifact // nil when the job failed
	sum   string
}

// artifact is a job's file as served.
type artifact struct {
	data        []byte
	contentType string
	fileName    string
}

// view is the job as seen at now. Its end is simulated: start plus the
// processing delay, whenever the emulator actually built the file (a
// round of the schedule may be built late, on the first request after it
// fell due); it stays pending while the file is being built.
func (h *jobs) view(j *job, now time.Time) Job {
	v := Job{ID: j.id, Name: j.name, Status: StatusPending, Start: j.start}
	end := j.start.Add(h.cfg.ProcessingDelay)
	if !j.built || now.Before(end) {
		return v
	}
	v.End = end
	if j.art == nil {
		v.Status = StatusFailed
		return v
	}
	v.Status, v.ArtifactAvailable, v.Size, v.Checksum = StatusComplete, true, int64(len(j.art.data)), j.sum
	return v
}

// jobs is the job table, the schedule and the queue of jobs whose files
// are still to be built.
//
// Locking: mu guards everything but the building itself. Building runs
// under gen, one job at a time in the order the jobs were queued, so each
// extract's window starts where its previous run's ended; other requests
// meanwhile see the queued jobs as pending.
type jobs struct {
	cfg *Config

	mu        sync.Mutex
	table     []*job // by ID
	nextID    int64
	stored    int64 // bytes of all artifacts held
	origin    time.Time
	nextRound int64 // the first schedule round not yet run
	queue     []*job
	lastOK    map[string]time.Time // per extract, the start of its last successful run: the next window's start

	gen sync.Mutex
}

func (h *jobs) init(cfg *Config) {
	h.cfg = cfg
	h.nextID = 1
	h.origin = cfg.Now()
	h.lastOK = map[string]time.Time{}
}

// Run runs the named extract now and returns its job as it stands once its
// file is built (pending until Config.ProcessingDelay has passed).
func (h *Handler) Run(name string) (Job, error) {
	if extractByName(name) == nil {
		return Job{}, ErrUnknownExtract
	}
	now := h.cfg.Now()
	h.mu.Lock()
	h.catchUpLocked(now)
	if len(h.table) >= h.cfg.MaxJobs {
		h.mu.Unlock()
		return Job{}, ErrTooManyJobs
	}
	j := h.reserveLocked(name, now)
	h.mu.Unlock()
	h.build()
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.view(j, h.cfg.Now()), nil
}

// Jobs returns every job in the table as it stands now, by ID.
func (h *Handler) Jobs() []Job { return h.list(h.cfg.Now()) }

// list brings the table up to now and returns every job, by ID.
func (h *jobs) list(now time.Time) []Job {
	h.sync(now)
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Job, 0, len(h.table))
	for _, j := range h.table {
		out = append(out, h.view(j, now))
	}
	return out
}

func (h *jobs) get(now time.Time, id int64) (Job, bool) {
	j, _, ok := h.artifact(now, id)
	return j, ok
}

// artifact returns the job and, when it is complete, its file.
func (h *jobs) artifact(now time.Time, id int64) (Job, *artifact, bool) {
	h.sync(now)
	h.mu.Lock()
	defer h.mu.Unlock()
	i, ok := h.find(id)
	if !ok {
		return Job{}, nil, false
	}
	j := h.table[i]
	v := h.view(j, now)
	if v.Status != StatusComplete {
		return v, nil, true
	}
	return v, j.art, true
}

// remove deletes a job and its artifact; false if there is no such job.
func (h *jobs) remove(now time.Time, id int64) bool {
	h.sync(now)
	h.mu.Lock()
	defer h.mu.Unlock()
	i, ok := h.find(id)
	if !ok {
		return false
	}
	h.drop(i)
	return true
}

func (h *jobs) find(id int64) (int, bool) {
	return slices.BinarySearchFunc(h.table, id, func(j *job, id int64) int {
		switch {
		case j.id < id:
			return -1
		case j.id > id:
			return 1
		}
		return 0
	})
}

func (h *jobs) drop(i int) {
	if a := h.table[i].art; a != nil {
		h.stored -= int64(len(a.data))
	}
	h.table = slices.Delete(h.table, i, i+1)
}

// sync purges, runs the schedule's due rounds and builds what they queued.
func (h *jobs) sync(now time.Time) {
	h.mu.Lock()
	h.catchUpLocked(now)
	pending := len(h.queue) > 0
	h.mu.Unlock()
	if pending {
		h.build()
	}
}

// catchUpLocked purges the jobs older than Retention and queues the
// schedule's rounds that fell due by now. Round k is due at origin +
// k·Schedule. Rounds whose jobs would be purged already are skipped, and
// when the table cannot take every due job the oldest are skipped, so a
// jump of the clock costs at most MaxJobs jobs.
func (h *jobs) catchUpLocked(now time.Time) {
	for i := 0; i < len(h.table); {
		if !h.table[i].start.Add(Retention).After(now) {
			h.drop(i)
			continue
		}
		i++
	}
	s, names := h.cfg.Schedule, h.cfg.Extracts
	if s <= 0 || len(names) == 0 || now.Before(h.origin) {
		return
	}
	last := int64(now.Sub(h.origin) / s)
	if last < h.nextRound {
		return
	}
	first := h.nextRound
	if cut := now.Add(-Retention); !cut.Before(h.origin) {
		// the first round due after cut (a round at cut is purged)
		if k := int64(cut.Sub(h.origin)/s) + 1; k > first {
			first = k
		}
	}
	h.nextRound = last + 1
	free := h.cfg.MaxJobs - len(h.table)
	var due []struct {
		round int64
		name  string
	}
	// newest first, up to what fits, then in time order
	for k := last; k >= first && free > 0; k-- {
		for i := len(names) - 1; i >= 0 && free > 0; i-- {
			due = append(due, struct {
				round int64
				name  string
			}{k, names[i]})
			free--
		}
	}
	slices.Reverse(due)
	for _, d := range due {
		h.reserveLocked(d.name, h.origin.Add(time.Duration(d.round)*s))
	}
}

// reserveLocked adds a pending job and queues it for building.
func (h *jobs) reserveLocked(name string, start time.Time) *job {
	j := &job{id: h.nextID, name: name, start: start}
	h.nextID++
	h.table = append(h.table, j)
	h.queue = append(h.queue, j)
	return j
}

// build builds the files of the queued jobs, one at a time, in order.
func (h *jobs) build() {
	h.gen.Lock()
	defer h.gen.Unlock()
	for {
		h.mu.Lock()
		if len(h.queue) == 0 {
			h.mu.Unlock()
			return
		}
		j := h.queue[0]
		h.queue = h.queue[1:]
		w := h.windowLocked(j)
		h.mu.Unlock()

		art, err := buildArtifact(h.cfg, j.name, w, j.start)

		h.mu.Lock()
		j.built = true
		if err == nil && h.stored+int64(len(art.data)) <= h.cfg.MaxStoredBytes {
			// The run succeeded: the next one starts where it snapshot.
			h.lastOK[j.name] = j.start
			if _, live := h.find(j.id); live { // not deleted meanwhile
				sum := sha256.Sum256(art.data)
				j.art, j.sum = art, strings.ToUpper(hex.EncodeToString(sum[:]))
				h.stored += int64(len(art.data))
			}
		}
		h.mu.Unlock()
	}
}

// windowLocked is the span of records j covers: from the extract's last
// successful run (its start, when the emulator took its snapshot, stands
// for the seed's "end time"), or on its first run the previous day (or
// Config.Since onwards), up to the job's start (seed 001, each extract's
// first paragraph).
func (h *jobs) windowLocked(j *job) window {
	to := j.start
	from, ok := h.lastOK[j.name]
	if !ok {
		if !h.cfg.Since.IsZero() {
			from = h.cfg.Since
		} else {
			day := j.start.UTC().Truncate(24 * time.Hour)
			from, to = day.AddDate(0, 0, -1), day
		}
	}
	if from.After(to) { // a later run succeeded first (concurrent Run)
		from = to
	}
	return window{from: from, to: to}
}
