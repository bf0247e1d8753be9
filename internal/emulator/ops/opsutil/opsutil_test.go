package opsutil

import (
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

func TestMatchReadsSimpleQueryType(t *testing.T) {
	t.Parallel()
	q := map[string]any{
		"name":    map[string]any{"value": " Acme ", "searchType": "STARTS_WITH"},
		"noType":  map[string]any{"value": "Acme"},
		"textMap": map[string]any{"value": map[string]any{"#text": "Acme"}, "searchType": []any{"EQUALS"}},
		"empty":   "",
		"nil":     nil,
		"list":    []any{map[string]any{"value": "Acme", "searchType": "EQUALS"}},
	}
	for _, tt := range []struct {
		key  string
		want state.Match
	}{
		{"name", state.Match{Value: "Acme", Type: state.SearchType("STARTS_WITH")}},
		{"textMap", state.Match{Value: "Acme", Type: state.SearchType("EQUALS")}},
		{"noType", state.Match{}},
		{"empty", state.Match{}},
		{"nil", state.Match{}},
		{"list", state.Match{}}, // not a criterion shape: no criterion
		{"absent", state.Match{}},
	} {
		if got := Match(q, tt.key); got != tt.want {
			t.Errorf("%s: Match = %+v, want %+v", tt.key, got, tt.want)
		}
	}
}

func TestDateMatchTakesDatesAndDateTimes(t *testing.T) {
	t.Parallel()
	q := map[string]any{
		"dateTime": map[string]any{"value": "2025-03-14T10:00:00+01:00", "searchType": "AFTER"},
		"date":     map[string]any{"value": "2025-03-14", "searchType": "BEFORE"},
		"bad":      map[string]any{"value": "soon", "searchType": "ON"},
		"noType":   map[string]any{"value": "2025-03-14"},
		"empty":    "",
		"nil":      nil,
	}
	for _, tt := range []struct {
		key  string
		want state.DateMatch
		ok   bool
	}{
		{"dateTime", state.DateMatch{Value: time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC), Type: state.DateSearchType("AFTER")}, true},
		{"date", state.DateMatch{Value: time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC), Type: state.DateSearchType("BEFORE")}, true},
		{"bad", state.DateMatch{}, false},
		{"noType", state.DateMatch{}, true},
		{"empty", state.DateMatch{}, true},
		{"nil", state.DateMatch{}, true},
		{"absent", state.DateMatch{}, true},
	} {
		got, ok := DateMatch(q, tt.key)
		if ok != tt.ok || got.Type != tt.want.Type || !got.Value.Equal(tt.want.Value) {
			t.Errorf("%s: DateMatch = %+v, %v; want %+v, %v", tt.key, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPageAppliesTheReadLimit(t *testing.T) {
	t.Parallel()
	cfg := op.DefaultSettings()
	cfg.MaxReadBatch = 100
	for _, tt := range []struct {
		name   string
		req    map[string]any
		want   state.Page
		reason bool
	}{
		{"given", map[string]any{"pageNumber": "3", "batchSize": "20"}, state.Page{Number: 3, Size: 20}, false},
		{"absent: first page, largest batch", map[string]any{}, state.Page{Number: 1, Size: 100}, false},
		{"nil and empty read as absent", map[string]any{"pageNumber": nil, "batchSize": ""}, state.Page{Number: 1, Size: 100}, false},
		{"at the limit", map[string]any{"batchSize": "100"}, state.Page{Number: 1, Size: 100}, false},
		{"past the limit", map[string]any{"batchSize": "101"}, state.Page{}, true},
		{"batch below 1", map[string]any{"batchSize": "0"}, state.Page{}, true},
		{"page below 1", map[string]any{"pageNumber": "0"}, state.Page{}, true},
		{"page not a number", map[string]any{"pageNumber": "one"}, state.Page{}, true},
		{"batch not a number", map[string]any{"batchSize": "ten"}, state.Page{}, true},
		{"huge page is capped", map[string]any{"pageNumber": "99999999999"}, state.Page{Number: 1<<31 - 1, Size: 100}, false},
	} {
		got, reason := Page(tt.req, cfg)
		if (reason != "") != tt.reason || (!tt.reason && got != tt.want) {
			t.Errorf("%s: Page = %+v, %q; want %+v, reason %v", tt.name, got, reason, tt.want, tt.reason)
		}
	}
}
