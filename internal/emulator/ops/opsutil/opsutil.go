// Package opsutil reads the request values the ops packages share that
// become state types: query criteria and pages. It sits between the leaf
// package op (plain request readers) and internal/emulator/state, which op
// must not import.
package opsutil

import (
	"strconv"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Match reads a SimpleQueryType (value, searchType) at keys; the zero Match
// (no criterion) when it is absent, nil, empty or has no searchType.
func Match(v any, keys ...string) state.Match {
	q := op.Obj(v, keys...)
	if q == nil {
		return state.Match{} // absent, nil (xsi:nil) or empty: no criterion
	}
	t := op.Str(q, "searchType")
	if t == "" {
		return state.Match{}
	}
	return state.Match{Value: op.Str(q, "value"), Type: state.SearchType(t)}
}

// DateMatch reads a DateQueryType or DateTimeQueryType (value, searchType)
// at keys; the zero DateMatch when it is absent or has no searchType. The
// value is read as a dateTime, else as a date; ok is false when it is
// neither.
func DateMatch(v any, keys ...string) (m state.DateMatch, ok bool) {
	q := op.Obj(v, keys...)
	if q == nil {
		return state.DateMatch{}, true
	}
	t := op.Str(q, "searchType")
	if t == "" {
		return state.DateMatch{}, true
	}
	val, ok := op.GetDateTime(q, "value")
	if !ok {
		if val, ok = op.GetDate(q, "value"); !ok {
			return state.DateMatch{}, false
		}
	}
	return state.DateMatch{Value: val, Type: state.DateSearchType(t)}, true
}

// maxPage caps the page number: a page that far past the end is empty
// either way, and the offset (number-1)×size cannot overflow.
const maxPage = int64(^uint32(0) >> 1)

// Page reads pageNumber and batchSize against the read batch limit
// (cfg.MaxReadBatch; seed 001 L613: "All read services have a maximum batch
// size of 2000"). Both are nillable in some services: an absent or nil
// pageNumber is the first page, an absent or nil batchSize the largest batch
// allowed. reason, when not "", is the FAILURE reason FNO answers with.
func Page(req map[string]any, cfg op.Settings) (p state.Page, reason string) {
	num, present, ok := op.GetInt(req, "pageNumber")
	switch {
	case !ok:
		return p, "pageNumber is not an integer"
	case !present:
		num = 1
	case num < 1:
		return p, "pageNumber must be 1 or more (pages count from 1)"
	}
	size, present, ok := op.GetInt(req, "batchSize")
	switch {
	case !ok:
		return p, "batchSize is not an integer"
	case !present:
		size = int64(cfg.MaxReadBatch)
	case size < 1:
		return p, "batchSize must be 1 or more"
	case cfg.MaxReadBatch > 0 && size > int64(cfg.MaxReadBatch):
		return p, "batchSize exceeds the maximum of " + strconv.Itoa(cfg.MaxReadBatch) + " records per batch"
	}
	num = min(num, maxPage)
	return state.Page{Number: int(num), Size: int(size)}, ""
}
