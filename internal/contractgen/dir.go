package contractgen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/fnokit/fnokit/internal/atomicfile"
)

// SourceName is the file name of a contract source inside its service folder.
const SourceName = "contract.yaml"

// Action is what Plan wants done to one file.
type Action int

const (
	Create Action = iota // the file does not exist yet
	Update               // the file differs from what its contract generates
	Remove               // a generated file no contract generates any more
)

func (a Action) String() string {
	switch a {
	case Create:
		return "new"
	case Update:
		return "out of date"
	case Remove:
		return "stale"
	}
	return "?"
}

// FileChange is one file Plan found out of date.
type FileChange struct {
	Path   string
	Action Action
	Data   []byte // the content to write; nil for Remove
}

// Contracts parses every <dir>/<Service>/contract.yaml, sorted by service.
// All problems of all files come back together as Errors.
func Contracts(dir string) ([]*Contract, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("contracts folder: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", SourceName))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var (
		out  []*Contract
		errs Errors
	)
	for _, f := range files {
		c, err := ParseFile(f)
		var es Errors
		switch {
		case errors.As(err, &es):
			errs = append(errs, es...)
			continue
		case err != nil:
			return nil, err
		}
		if folder := filepath.Base(filepath.Dir(f)); folder != c.Service {
			errs = append(errs, &Error{File: f, Line: 1, Msg: fmt.Sprintf(
				"service %s does not match its folder %s: the folder name is the service name (rename one)", c.Service, folder)})
			continue
		}
		out = append(out, c)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

// Plan compares what the contracts below dir generate with the files on
// disk and lists every file to create, update or remove, sorted by path.
// It writes nothing. Only files carrying the Marker are ever removed, and
// only in <Service>/<version>/ folders.
func Plan(dir string) ([]FileChange, error) {
	contracts, err := Contracts(dir)
	if err != nil {
		return nil, err
	}
	want := map[string][]byte{}
	for _, c := range contracts {
		for _, v := range c.Versions {
			data, err := c.WSDL(v)
			if err != nil {
				return nil, err
			}
			want[filepath.Join(dir, c.Service, filepath.FromSlash(c.FileName(v)))] = data
		}
	}
	var changes []FileChange
	for path, data := range want {
		old, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			changes = append(changes, FileChange{Path: path, Action: Create, Data: data})
		case err != nil:
			return nil, fmt.Errorf("read generated file: %w", err)
		case !bytes.Equal(old, data):
			changes = append(changes, FileChange{Path: path, Action: Update, Data: data})
		}
	}
	existing, err := filepath.Glob(filepath.Join(dir, "*", "*", "*.wsdl"))
	if err != nil {
		return nil, err
	}
	for _, path := range existing {
		if _, ok := want[path]; ok {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read generated file: %w", err)
		}
		if IsGenerated(data) {
			changes = append(changes, FileChange{Path: path, Action: Remove})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}

// Apply carries out a plan: each file is replaced atomically, so a reader
// (or an interrupted run) sees the old or the new content, never half.
// A version folder left empty by a removal is removed too.
func Apply(changes []FileChange) error {
	for _, ch := range changes {
		switch ch.Action {
		case Create, Update:
			if err := atomicfile.WriteFile(ch.Path, ch.Data, 0o644); err != nil {
				return fmt.Errorf("write %s: %w", ch.Path, err)
			}
		case Remove:
			if err := os.Remove(ch.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove stale %s: %w", ch.Path, err)
			}
			// Fails harmlessly when the folder still holds other files.
			_ = os.Remove(filepath.Dir(ch.Path))
		}
	}
	return nil
}
