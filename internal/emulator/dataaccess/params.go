package dataaccess

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// The global filters' bounds and defaults (seed 2313-2360, 2406-2408).
const (
	DefaultLimit    = 500
	MaxLimit        = 2500
	DefaultPastDays = 1
	MaxPastDays     = 30
	// MaxRangeDays is the widest dateFrom..dateTo, both days included.
	MaxRangeDays = 30
	// maxPage bounds pageNumber, so that offsets stay far from overflow.
	maxPage = 1 << 30
)

// Modes and formats.
const (
	ModeBatch       = "BATCH"
	ModeInteractive = "INTERACTIVE"
	FormatJSON      = "json"
	FormatCSV       = "csv"
)

const dateLayout = "2006-01-02"

// params are the parameters of one report request, checked.
type params struct {
	group            string
	dateFrom, dateTo string // as given, "" when no range
	from, to         time.Time
	pastDays         int
	pastDaysGiven    bool
	limit            int
	page             int
	mode, format     string
	query            string // as given
	filters          []filter
	asOf             time.Time // end of the period, whole seconds
}

var paramNames = []string{"dateFrom", "dateTo", "format", "limitRecords", "mode", "pastDays", "pageNumber", "requestID", "query"}

func badParam(reason string) *restkit.Error {
	return &restkit.Error{Status: http.StatusBadRequest, Reason: reason}
}

// intParam reads a whole number within [lo, hi], def when absent.
func intParam(q url.Values, name string, def, lo, hi int) (int, bool, *restkit.Error) {
	s, ok := q[name]
	if !ok {
		return def, false, nil
	}
	n, err := strconv.Atoi(s[0])
	if err != nil || n < lo || n > hi {
		return 0, true, badParam(name + " must be a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi))
	}
	return n, true, nil
}

// parseParams checks the query string of a report request of group g and
// fixes its period: from the requestID when there is one, else as of now.
func (h *Handler) parseParams(q url.Values, g report) (*params, *restkit.Error) {
	for _, n := range paramNames {
		if len(q[n]) > 1 {
			return nil, badParam(n + " is given more than once")
		}
	}
	p := &params{group: g.name(), mode: ModeBatch, format: FormatJSON}
	if v, ok := q["format"]; ok {
		if p.format = v[0]; p.format != FormatJSON && p.format != FormatCSV {
			return nil, badParam("format must be json or csv")
		}
	}
	if v, ok := q["mode"]; ok {
		if p.mode = v[0]; p.mode != ModeBatch && p.mode != ModeInteractive {
			return nil, badParam("mode must be BATCH or INTERACTIVE")
		}
	}
	var err *restkit.Error
	if p.limit, _, err = intParam(q, "limitRecords", DefaultLimit, 1, MaxLimit); err != nil {
		return nil, err
	}
	// pastDays is checked even when a range makes it meaningless: the
	// contract bounds it regardless (data-access.yaml PastDays).
	if p.pastDays, p.pastDaysGiven, err = intParam(q, "pastDays", DefaultPastDays, 1, MaxPastDays); err != nil {
		return nil, err
	}
	if p.page, _, err = intParam(q, "pageNumber", 1, 1, maxPage); err != nil {
		return nil, err
	}
	if err := p.dates(q, g.zone()); err != nil {
		return nil, err
	}
	if v, ok := q["query"]; ok {
		p.query = v[0]
		if p.filters, err = parseQuery(p.query, g, h.cfg.MaxBody); err != nil {
			return nil, err
		}
	}
	if v, ok := q["requestID"]; ok {
		at, ok := h.openRequestID(v[0], g, p)
		if !ok {
			return nil, badParam("requestID does not belong to this query: follow previousPageURL or nextPageURL as given, or leave requestID out to start again")
		}
		p.asOf = at
	} else {
		p.asOf = h.cfg.Now().Truncate(time.Second)
	}
	p.window(g.zone())
	return p, nil
}

// dates checks dateFrom and dateTo (seed 2315-2336, DA-6): given together,
// YYYY-MM-DD, in order, at most MaxRangeDays days with both included.
func (p *params) dates(q url.Values, loc *time.Location) *restkit.Error {
	_, hasFrom := q["dateFrom"]
	_, hasTo := q["dateTo"]
	if !hasFrom && !hasTo {
		return nil
	}
	if hasFrom != hasTo {
		return badParam("dateFrom and dateTo must be given together (or use pastDays)")
	}
	p.dateFrom, p.dateTo = q.Get("dateFrom"), q.Get("dateTo")
	from, err := time.ParseInLocation(dateLayout, p.dateFrom, loc)
	if err != nil {
		return badParam("dateFrom must be a date YYYY-MM-DD")
	}
	to, err := time.ParseInLocation(dateLayout, p.dateTo, loc)
	if err != nil {
		return badParam("dateTo must be a date YYYY-MM-DD")
	}
	if from.After(to) {
		return badParam("dateFrom is after dateTo")
	}
	// Fixed zones have 24-hour days, so the day count is exact.
	if days := int(to.Sub(from)/(24*time.Hour)) + 1; days > MaxRangeDays {
		return badParam("the date range dateFrom to dateTo spans more than 30 days: at most 30 days, both included, per request")
	}
	p.from, p.to = from, to.AddDate(0, 0, 1)
	return nil
}

// window fixes the report's period: the range, or the pastDays before
// the as-of moment; either way nothing after that moment, so every page
// of one requestID sees the same records.
func (p *params) window(loc *time.Location) {
	end := p.asOf.Add(time.Second) // the as-of second is included
	if p.dateFrom == "" {
		p.from, p.to = end.Add(-time.Duration(p.pastDays)*24*time.Hour), end
		return
	}
	if end.Before(p.to) {
		p.to = end
	}
}

// The requestID: a version byte, the as-of moment (Unix seconds) and a
// truncated HMAC binding both to the group, the period's definition, the
// page size and the filters, base64url-encoded (data-access.yaml RequestID
// pattern). Mode and format are left out: they change neither the
// records nor the pages.
const (
	reqIDVersion = 1
	reqIDMAC     = 12
	reqIDLen     = 1 + 8 + reqIDMAC
)

func (h *Handler) requestMAC(at int64, g report, p *params) []byte {
	m := hmac.New(sha256.New, h.pageKey)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(at))
	m.Write(b[:])
	period := "past:" + strconv.Itoa(p.pastDays)
	if p.dateFrom != "" {
		period = "range:" + p.dateFrom + ":" + p.dateTo
	}
	for _, s := range []string{g.name(), period, strconv.Itoa(p.limit), canonical(p.filters)} {
		m.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return m.Sum(nil)[:reqIDMAC]
}

func (h *Handler) requestID(g report, p *params) string {
	b := make([]byte, 0, reqIDLen)
	b = append(b, reqIDVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(p.asOf.Unix()))
	b = append(b, h.requestMAC(p.asOf.Unix(), g, p)...)
	return base64.URLEncoding.EncodeToString(b)
}

func (h *Handler) openRequestID(s string, g report, p *params) (time.Time, bool) {
	if len(s) > 64 {
		return time.Time{}, false
	}
	b, err := base64.URLEncoding.DecodeString(s)
	if err != nil || len(b) != reqIDLen || b[0] != reqIDVersion {
		return time.Time{}, false
	}
	at := int64(binary.BigEndian.Uint64(b[1:9]))
	if !hmac.Equal(b[9:], h.requestMAC(at, g, p)) {
		return time.Time{}, false
	}
	return time.Unix(at, 0), true
}
