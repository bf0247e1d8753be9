package golden

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// Exchange is one recorded request/response pair. A nil Request or
// Response means the part is absent (a GET has no request body).
type Exchange struct {
	Request  []byte
	Response []byte
	Meta     Meta
}

// Meta is what a golden case keeps besides the bodies: the HTTP status and
// the few headers that are part of the contract. Everything is redacted
// before it is stored.
type Meta struct {
	Method          string      `json:"method,omitempty"`
	URL             string      `json:"url,omitempty"`
	Status          int         `json:"status,omitempty"`
	RequestHeaders  http.Header `json:"requestHeaders,omitempty"`
	ResponseHeaders http.Header `json:"responseHeaders,omitempty"`
}

// KeptHeaders are the headers a golden case stores; the rest (Date,
// Content-Length, Server, Set-Cookie …) change from run to run or are not
// part of the contract. Authorization is kept, redacted, so a golden file
// still shows which scheme the client used.
var KeptHeaders = []string{"Content-Type", "SOAPAction", "Location", "Content-Disposition", "WWW-Authenticate", "Authorization"}

func (m Meta) empty() bool {
	return m.Method == "" && m.URL == "" && m.Status == 0 && len(m.RequestHeaders) == 0 && len(m.ResponseHeaders) == 0
}

// Store reads and writes golden cases below Root.
type Store struct {
	// Root is the golden directory, e.g. ./golden.
	Root string
	// Rules normalise both sides before a comparison.
	Rules *Rules
	// Limits bound XML parsing of both sides.
	Limits xmltree.Limits
}

// RulesFileNames are looked for, in order, in the golden root by Open.
var RulesFileNames = []string{"normalize.yaml", "normalize.yml", "normalize.json"}

// Open returns a store for root with the normalisation rules found in it
// (normalize.yaml, .yml or .json), or the built-in defaults when there is
// none. The directory need not exist yet: recording creates it.
func Open(root string) (*Store, error) {
	s := &Store{Root: root, Rules: DefaultRules()}
	for _, name := range RulesFileNames {
		p := filepath.Join(root, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		r, err := LoadRules(p)
		if err != nil {
			return nil, err
		}
		s.Rules = r
		break
	}
	return s, nil
}

func (s *Store) rules() *Rules {
	if s.Rules == nil {
		return DefaultRules()
	}
	return s.Rules
}

// ErrNotFound is wrapped by Load when a case has no files.
var ErrNotFound = errors.New("no golden file")

// Recorded says what Record wrote.
type Recorded struct {
	// Files are the paths written, relative to the root, slash-separated.
	Files []string
	// Fallbacks name the parts that could not be parsed and were redacted
	// by pattern instead; check those files by eye before committing.
	Fallbacks []string
}

// Record redacts the exchange and writes its files atomically, replacing
// any earlier recording of the case (parts absent from ex are removed).
// Nothing unredacted is ever written, not even to a temporary file.
func (s *Store) Record(k Key, ex Exchange) (Recorded, error) {
	if err := k.Validate(); err != nil {
		return Recorded{}, err
	}
	red, notes := redactExchange(k, ex)
	var rec Recorded
	rec.Fallbacks = notes
	write := func(p Part, data []byte, present bool) error {
		path := k.path(s.Root, p)
		if !present {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale golden %s: %w", k.File(p), err)
			}
			return nil
		}
		if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("record golden %s: %w", k.File(p), err)
		}
		rec.Files = append(rec.Files, k.File(p))
		return nil
	}
	if err := write(PartRequest, red.Request, red.Request != nil); err != nil {
		return rec, err
	}
	if err := write(PartResponse, red.Response, red.Response != nil); err != nil {
		return rec, err
	}
	var meta []byte
	if !red.Meta.empty() {
		var err error
		if meta, err = json.MarshalIndent(red.Meta, "", "  "); err != nil {
			return rec, fmt.Errorf("encode golden meta %s: %w", k, err)
		}
		meta = append(meta, '\n')
	}
	if err := write(PartMeta, meta, meta != nil); err != nil {
		return rec, err
	}
	return rec, nil
}

// redactExchange returns the exchange as it may be stored: bodies and meta
// redacted, headers cut to KeptHeaders, JSON bodies indented for review.
func redactExchange(k Key, ex Exchange) (Exchange, []string) {
	var notes []string
	body := func(p Part, b []byte) []byte {
		if b == nil {
			return nil
		}
		var out []byte
		var res redact.Result
		if k.Kind == REST {
			out, res = redact.JSON(b)
			if !res.Fallback {
				// Indenting keeps key order and number spelling, and
				// makes golden files reviewable line by line.
				var ind bytes.Buffer
				if json.Indent(&ind, out, "", "  ") == nil {
					ind.WriteByte('\n')
					out = ind.Bytes()
				}
			}
		} else {
			out, res = redact.XML(b)
		}
		if res.Fallback {
			notes = append(notes, k.File(p)+": "+res.Reason)
		}
		return out
	}
	return Exchange{
		Request:  body(PartRequest, ex.Request),
		Response: body(PartResponse, ex.Response),
		Meta: Meta{
			Method:          ex.Meta.Method,
			URL:             redact.URL(ex.Meta.URL),
			Status:          ex.Meta.Status,
			RequestHeaders:  keptHeaders(ex.Meta.RequestHeaders),
			ResponseHeaders: keptHeaders(ex.Meta.ResponseHeaders),
		},
	}, notes
}

func keptHeaders(h http.Header) http.Header {
	var out http.Header
	for _, name := range KeptHeaders {
		if vs := h.Values(name); len(vs) > 0 {
			if out == nil {
				out = http.Header{}
			}
			for _, v := range vs {
				out.Add(name, redact.HeaderValue(name, v))
			}
		}
	}
	return out
}

// Load reads a case. It returns an error wrapping ErrNotFound when neither
// body file exists.
func (s *Store) Load(k Key) (Exchange, error) {
	if err := k.Validate(); err != nil {
		return Exchange{}, err
	}
	var ex Exchange
	read := func(p Part) ([]byte, error) {
		b, err := os.ReadFile(k.path(s.Root, p))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read golden %s: %w", k.File(p), err)
		}
		return b, nil
	}
	var err error
	if ex.Request, err = read(PartRequest); err != nil {
		return ex, err
	}
	if ex.Response, err = read(PartResponse); err != nil {
		return ex, err
	}
	meta, err := read(PartMeta)
	if err != nil {
		return ex, err
	}
	if ex.Request == nil && ex.Response == nil {
		return ex, fmt.Errorf("%w for %s (record it with -update)", ErrNotFound, k)
	}
	if meta != nil {
		if err := json.Unmarshal(meta, &ex.Meta); err != nil {
			return ex, fmt.Errorf("read golden %s: not valid meta JSON: %w", k.File(PartMeta), err)
		}
	}
	return ex, nil
}

// Keys lists every case stored under the root, sorted.
func (s *Store) Keys() ([]Key, error) {
	seen := map[Key]bool{}
	for _, kind := range []Kind{SOAP, REST} {
		base := filepath.Join(s.Root, string(kind))
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == base {
					return filepath.SkipDir
				}
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, err := filepath.Rel(base, p)
			if err != nil {
				return err
			}
			parts := strings.Split(filepath.ToSlash(rel), "/")
			if len(parts) != 4 {
				return nil
			}
			name := parts[3]
			for _, suf := range []string{".request" + kind.ext(), ".response" + kind.ext(), ".meta.json"} {
				if c, ok := strings.CutSuffix(name, suf); ok {
					k := Key{Kind: kind, Service: parts[0], Version: parts[1], Operation: parts[2], Case: c}
					if k.Validate() == nil {
						seen[k] = true
					}
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list golden cases: %w", err)
		}
	}
	keys := make([]Key, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	return keys, nil
}
