package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/contract"
)

// Default limits for bodies, chosen to fit the largest FNO responses (a
// read batch of 2000 records) with room to spare while keeping a hostile
// body from costing unbounded memory or time.
const (
	DefaultMaxBodyBytes = 32 << 20
	DefaultMaxDepth     = 256
)

// checkJSON runs the checks that must pass before a body is handed to a
// JSON decoder: UTF-8, nesting depth and syntax (the size cap is applied
// while reading). It returns nil when the body is fit to decode. None of
// its messages quote the body.
func checkJSON(body []byte, maxDepth int) *contract.Finding {
	if !utf8.Valid(body) {
		f := contract.New(contract.RuleJSONMalformed, "", "",
			fmt.Sprintf("body is not valid UTF-8 (first bad byte at offset %d); JSON text must be UTF-8", badUTF8Offset(body)))
		return &f
	}
	if off, ok := depthWithin(body, maxDepth); !ok {
		f := contract.New(contract.RuleJSONTooDeep, "", "",
			fmt.Sprintf("arrays and objects nest deeper than %d levels (limit exceeded at byte offset %d)", maxDepth, off))
		return &f
	}
	if !json.Valid(body) {
		f := contract.New(contract.RuleJSONMalformed, "", "", syntaxMessage(body))
		return &f
	}
	return nil
}

func badUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// depthWithin scans for brackets outside strings without recursion, so a
// 10,000-deep array costs one pass and no stack. Syntax is left to
// json.Valid; this only has to know where strings start and end.
func depthWithin(b []byte, max int) (offset int, ok bool) {
	depth := 0
	inString, escaped := false, false
	for i, c := range b {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > max {
				return i, false
			}
		case ']', '}':
			depth--
		}
	}
	return 0, true
}

// syntaxMessage locates a syntax error without quoting the input:
// encoding/json's own message names the offending character, which is a
// piece of the body.
func syntaxMessage(body []byte) string {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(body, int(se.Offset))
		return fmt.Sprintf("body is not well-formed JSON: syntax error before byte offset %d (line %d, column %d)", se.Offset, line, col)
	}
	return "body is not well-formed JSON"
}

func lineCol(b []byte, off int) (line, col int) {
	if off > len(b) {
		off = len(b)
	}
	line, col = 1, 1
	for _, c := range b[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
