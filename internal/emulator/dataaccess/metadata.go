package dataaccess

import (
	"net/http"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
)

// Field describes one field of a report (report-types, DA-3). Length is
// the maximum length of a VARCHAR and null for other types; Filter marks
// the group's filters (seed 2419-2436), which ?query= accepts.
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Length      *int   `json:"length"`
	Description string `json:"description,omitempty"`
	Filter      bool   `json:"filter"`
}

// The data types of report-types: SQL names, because the seed's tip is to
// replicate the reports into one's own warehouse (seed 2222-2223).
const (
	typeVarchar   = "VARCHAR"
	typeNumber    = "NUMBER"
	typeBoolean   = "BOOLEAN"
	typeTimestamp = "TIMESTAMP"
)

func (h *Handler) reportNames(w http.ResponseWriter, _ *http.Request) {
	restkit.WriteJSON(w, http.StatusOK, map[string]any{"data": h.names})
}

func (h *Handler) reportTypes(w http.ResponseWriter, g report) {
	restkit.WriteJSON(w, http.StatusOK, map[string]any{"data": g.fields()})
}

// globalFilter is one row of the global filter table; the data types are
// the table's own (seed 2313-2360, 2406-2408).
type globalFilter struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description"`
}

var globalFilters = []globalFilter{
	{"dateFrom", "String", "First day of the report, YYYY-MM-DD; with dateTo, at most 30 days, both included."},
	{"dateTo", "String", "Last day of the report, YYYY-MM-DD, included."},
	{"format", "String", "json (default) or csv."},
	{"limitRecords", "Numeric", "Records per page, 1 to 2500; default 500."},
	{"mode", "String", "BATCH (default; -1 counts) or INTERACTIVE (record and page counts)."},
	{"pastDays", "Numeric", "Days of history, 1 to 30; default 1; ignored when dateFrom and dateTo are given."},
	{"pageNumber", "Numeric", "Page to return, from 1; default 1."},
}

func (h *Handler) globalFilters(w http.ResponseWriter, _ *http.Request) {
	restkit.WriteJSON(w, http.StatusOK, map[string]any{"data": globalFilters})
}
