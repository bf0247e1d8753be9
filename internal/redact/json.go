package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
)

// maxJSONDepth bounds nesting so a hostile body cannot exhaust the stack of
// the structural pass; deeper input is redacted by pattern.
const maxJSONDepth = 512

// JSON redacts a JSON document: the value of every member whose key is a
// secret name (password, secret, token, accessToken, refreshToken, jwt,
// apiKey, authorization … case- and separator-insensitive, see
// IsSecretName) becomes the string "[REDACTED]", whatever its type; strings
// elsewhere lose JWTs, Basic/Bearer credentials and URL credentials. Key
// order, numbers and white space outside the replaced values are kept.
// Input that is not valid JSON is redacted by regular expressions and the
// Result says so.
func JSON(b []byte) ([]byte, Result) {
	if len(bytes.TrimSpace(b)) == 0 {
		return b, Result{}
	}
	out, n, err := jsonStructural(b)
	if err != nil {
		out, n = jsonFallback(b)
		return out, Result{Redacted: n, Fallback: true, Reason: "not valid JSON (" + err.Error() + "); redacted by pattern"}
	}
	return out, Result{Redacted: n}
}

type jsonFrame struct {
	object    bool
	expectKey bool
}

var quotedMarker = strconv.Quote(Marker)

// jsonStructural reads tokens and splices replacements into a copy of the
// input by byte offset, so nothing but the secret values changes.
func jsonStructural(b []byte) ([]byte, int, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var (
		out    bytes.Buffer
		copied int64
		count  int
		stack  []jsonFrame
		values int // top-level values seen
	)
	out.Grow(len(b))
	splice := func(start, end int64, with string) {
		out.Write(b[copied:start])
		out.WriteString(with)
		copied = end
		count++
	}
	for {
		var top *jsonFrame
		if len(stack) > 0 {
			top = &stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey && d.More() {
			tok, err := d.Token()
			if err != nil {
				return nil, 0, jsonErr(err)
			}
			key, ok := tok.(string)
			if !ok {
				return nil, 0, errors.New("object key is not a string")
			}
			top.expectKey = false
			if IsSecretName(key) {
				var raw json.RawMessage
				if err := d.Decode(&raw); err != nil {
					return nil, 0, jsonErr(err)
				}
				end := d.InputOffset()
				start := end - int64(len(raw))
				if !bytes.Equal(raw, []byte("null")) && !bytes.Equal(raw, []byte(`""`)) {
					splice(start, end, quotedMarker)
				}
				top.expectKey = true
			}
			continue
		}
		tok, err := d.Token()
		if err == io.EOF {
			if len(stack) > 0 || values == 0 {
				return nil, 0, errors.New("unexpected end of input")
			}
			break
		}
		if err != nil {
			return nil, 0, jsonErr(err)
		}
		if len(stack) == 0 {
			values++
			if values > 1 {
				return nil, 0, errors.New("more than one top-level value")
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return nil, 0, errors.New("nested deeper than " + strconv.Itoa(maxJSONDepth) + " levels")
				}
				stack = append(stack, jsonFrame{object: t == '{', expectKey: t == '{'})
				continue
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
		case string:
			end := d.InputOffset()
			if r := textTokens(t); r != t {
				enc, _ := json.Marshal(r)
				// The raw token is the quoted string ending at end; find
				// its opening quote by re-encoding length is unsafe (the
				// input may escape differently), so scan back instead.
				start := stringStart(b, end)
				if start >= 0 {
					splice(start, end, string(enc))
				}
			}
		}
		if top := len(stack); top > 0 && stack[top-1].object {
			stack[top-1].expectKey = true
		}
	}
	out.Write(b[copied:])
	return out.Bytes(), count, nil
}

// stringStart finds the opening quote of the JSON string whose closing quote
// is at end-1, honouring backslash escapes.
func stringStart(b []byte, end int64) int64 {
	if end < 2 || end > int64(len(b)) || b[end-1] != '"' {
		return -1
	}
	for i := end - 2; i >= 0; i-- {
		if b[i] != '"' {
			continue
		}
		// Count the backslashes before this quote: odd means escaped.
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return i
		}
	}
	return -1
}

func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return errors.New("syntax error at byte " + strconv.FormatInt(se.Offset, 10))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("unexpected end of input")
	}
	var ue *json.UnmarshalTypeError
	if errors.As(err, &ue) {
		return errors.New("unexpected value type")
	}
	return errors.New("cannot read the document")
}

// jsonPairRE finds "key": value pairs in broken JSON; the value is a string,
// or anything up to the next separator.
var jsonPairRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"(\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}\]\s]+)`)

// jsonFallback redacts what it can recognise in broken JSON.
func jsonFallback(b []byte) ([]byte, int) {
	count := 0
	s := jsonPairRE.ReplaceAllStringFunc(string(b), func(m string) string {
		g := jsonPairRE.FindStringSubmatch(m)
		if !IsSecretName(g[1]) || g[3] == "null" {
			return m
		}
		count++
		return `"` + g[1] + `"` + g[2] + quotedMarker
	})
	r := Text(s)
	if r != s {
		count++
	}
	return []byte(r), count
}
