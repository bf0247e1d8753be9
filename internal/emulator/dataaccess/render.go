package dataaccess

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// header is the paging header of a JSON report (seed 2364-2394). The URLs
// are null on the first and last page (DA-5).
type header struct {
	RecordCount     int     `json:"recordCount"`
	TotalPages      int     `json:"totalPages"`
	PreviousPageURL *string `json:"previousPageURL"`
	NextPageURL     *string `json:"nextPageURL"`
}

// report answers GET /data/api/v1/report/{group}.
func (h *Handler) report(w http.ResponseWriter, r *http.Request, g report) {
	tmpl := PathReport + g.name()
	p, perr := h.parseParams(r.URL.Query(), g)
	if perr != nil {
		h.fail(w, perr.Status, tmpl, perr.Reason)
		return
	}
	offset := (p.page - 1) * p.limit
	pg, err := g.run(r.Context(), newEnv(r.Context(), h.cfg.Store), window{p.from, p.to}, p.filters, offset, p.limit, p.mode == ModeInteractive)
	if err != nil {
		if errors.Is(err, r.Context().Err()) {
			h.fail(w, http.StatusServiceUnavailable, tmpl, "the request was cancelled")
			return
		}
		h.failErr(w, tmpl, err)
		return
	}

	hd := header{RecordCount: -1, TotalPages: -1}
	if p.mode == ModeInteractive {
		hd.RecordCount = pg.matched
		hd.TotalPages = (pg.matched + p.limit - 1) / p.limit
	}
	id := h.requestID(g, p)
	var links []string
	if p.page > 1 {
		u := pageURL(r, p, id, p.page-1)
		hd.PreviousPageURL = &u
		links = append(links, "<"+u+`>; rel="prev"`)
	}
	if pg.matched > offset+len(pg.rows) {
		u := pageURL(r, p, id, p.page+1)
		hd.NextPageURL = &u
		links = append(links, "<"+u+`>; rel="next"`)
	}
	for _, l := range links {
		w.Header().Add("Link", l)
	}

	if p.format == FormatCSV {
		writeCSV(w, pg)
		return
	}
	restkit.WriteJSON(w, http.StatusOK, struct {
		Header header          `json:"header"`
		Data   json.RawMessage `json:"data"`
	}{hd, appendRows(make([]byte, 0, 256*len(pg.rows)+2), pg)})
}

// pageURL is the absolute URL of page n of the request's report: the
// request's own parameters, the requestID and the page number (seed
// 2373-2392), pageNumber last as in the seed.
func pageURL(r *http.Request, p *params, id string, n int) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	var b bytes.Buffer
	b.WriteString(scheme + "://" + r.Host + PathReport + p.group + "?mode=" + p.mode + "&format=" + p.format)
	if p.pastDaysGiven || p.dateFrom == "" {
		b.WriteString("&pastDays=" + strconv.Itoa(p.pastDays))
	}
	if p.dateFrom != "" {
		b.WriteString("&dateFrom=" + p.dateFrom + "&dateTo=" + p.dateTo)
	}
	b.WriteString("&limitRecords=" + strconv.Itoa(p.limit))
	if p.query != "" {
		b.WriteString("&query=" + url.QueryEscape(p.query))
	}
	b.WriteString("&requestID=" + url.QueryEscape(id) + "&pageNumber=" + strconv.Itoa(n))
	return b.String()
}

const timeLayout = time.RFC3339

// appendRows appends the page's records as a JSON array of flat objects.
func appendRows(b []byte, pg page) []byte {
	names := make([][]byte, len(pg.fields))
	for i, f := range pg.fields {
		names[i] = append(appendString(nil, f.Name), ':')
	}
	b = append(b, '[')
	for i, row := range pg.rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, v := range row {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, names[j]...)
			switch v.kind {
			case kNull:
				b = append(b, "null"...)
			case kString:
				b = appendString(b, v.s)
			case kNumber:
				b = strconv.AppendInt(b, v.n, 10)
			case kBool:
				b = strconv.AppendBool(b, v.b)
			case kTime:
				b = append(b, '"')
				b = v.t.AppendFormat(b, timeLayout)
				b = append(b, '"')
			}
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as encoding/json does
// (control characters, quotes, backslashes, <, >, &, U+2028 and U+2029;
// invalid UTF-8 becomes U+FFFD).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// writeCSV answers the page as CSV: a header row of the field names, then
// one row per record; null is an empty cell (DA-4).
func writeCSV(w http.ResponseWriter, pg page) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	rec := make([]string, len(pg.fields))
	for i, f := range pg.fields {
		rec[i] = f.Name
	}
	cw.Write(rec)
	for _, row := range pg.rows {
		for j, v := range row {
			switch v.kind {
			case kTime:
				rec[j] = v.t.Format(timeLayout)
			default:
				rec[j] = v.text()
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}
