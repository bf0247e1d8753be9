package state

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/atomicfile"
)

// The state file is a gob stream: a header, then each kind of record in
// chunks of at most chunkSize, each chunk preceded by its length (a zero
// length ends the kind). Records are the exported value types, so the
// format does not change when the in-memory layout does; formatVersion
// changes when the value types do incompatibly.
const (
	formatMagic   = "fnokit-emulator-state"
	formatVersion = 1
	chunkSize     = 4096
)

type fileHeader struct {
	Magic   string
	Version int
	RNG     []byte // the new-ID generator, so IDs continue where they stopped
	FulSeq  int
}

// Save writes the whole state to path atomically (a reader sees the old
// file or the new one). Writes wait while it runs; reads do not.
func (s *Store) Save(path string) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if err := s.Encode(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// Encode streams the state to w in the Save format.
func (s *Store) Encode(w io.Writer) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	enc := gob.NewEncoder(w)
	rng, err := s.src.MarshalBinary()
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	if err := enc.Encode(fileHeader{Magic: formatMagic, Version: formatVersion, RNG: rng, FulSeq: s.fulSerial}); err != nil {
		return fmt.Errorf("save state header: %w", err)
	}
	ents := make([]Entitlement, len(s.ents))
	for i := range s.ents {
		ents[i] = s.entView(int32(i))
	}
	items := make([]LineItem, len(s.items))
	for i := range s.items {
		items[i] = s.items[i].LineItem
	}
	for _, part := range []struct {
		name string
		fn   func() error
	}{
		{"accounts", func() error { return writeChunks(enc, s.accounts) }},
		{"users", func() error { return writeChunks(enc, s.users) }},
		{"features", func() error { return writeChunks(enc, s.features) }},
		{"license models", func() error { return writeChunks(enc, s.models) }},
		{"products", func() error { return writeChunks(enc, s.products) }},
		{"part numbers", func() error { return writeChunks(enc, s.parts) }},
		{"entitlements", func() error { return writeChunks(enc, ents) }},
		{"line items", func() error { return writeChunks(enc, items) }},
		{"devices", func() error { return s.writeDevices(enc) }},
		{"fulfillments", func() error { return writeChunks(enc, s.fuls) }},
	} {
		if err := part.fn(); err != nil {
			return fmt.Errorf("save %s: %w", part.name, err)
		}
	}
	return nil
}

func writeChunks[T any](enc *gob.Encoder, xs []T) error {
	for len(xs) > 0 {
		n := min(len(xs), chunkSize)
		if err := enc.Encode(n); err != nil {
			return err
		}
		if err := enc.Encode(xs[:n]); err != nil {
			return err
		}
		xs = xs[n:]
	}
	return enc.Encode(0)
}

// writeDevices streams live devices as views, a chunk at a time, so saving a
// million devices never holds more than a chunk of views.
func (s *Store) writeDevices(enc *gob.Encoder) error {
	chunk := make([]Device, 0, chunkSize)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := enc.Encode(len(chunk)); err != nil {
			return err
		}
		err := enc.Encode(chunk)
		chunk = chunk[:0]
		return err
	}
	for i := range s.devs {
		if s.devs[i].dead {
			continue
		}
		chunk = append(chunk, s.view(int32(i)))
		if len(chunk) == chunkSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	return enc.Encode(0)
}

func readChunks[T any](dec *gob.Decoder, each func(T) error) error {
	for {
		var n int
		if err := dec.Decode(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if n < 0 || n > chunkSize {
			return fmt.Errorf("chunk of %d records is out of range", n)
		}
		var xs []T
		if err := dec.Decode(&xs); err != nil {
			return err
		}
		for _, x := range xs {
			if err := each(x); err != nil {
				return err
			}
		}
	}
}

// Load reads a state file written by Save.
func Load(path string) (*Store, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	defer f.Close()
	s, err := Decode(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("load state %s: %w (delete the file to start from generated data)", path, err)
	}
	return s, nil
}

// Decode reads a state in the Save format.
func Decode(r io.Reader) (*Store, error) {
	dec := gob.NewDecoder(r)
	var h fileHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if h.Magic != formatMagic {
		return nil, fmt.Errorf("not an fnokit emulator state file")
	}
	if h.Version != formatVersion {
		return nil, fmt.Errorf("state format version %d, this fnokit reads version %d", h.Version, formatVersion)
	}
	s := New(0)
	if err := s.src.UnmarshalBinary(h.RNG); err != nil {
		return nil, fmt.Errorf("read generator state: %w", err)
	}
	s.fulSerial = h.FulSeq
	s.dirtyIdx = true
	var parents []int32 // per device index, its parent's index
	steps := []struct {
		name string
		fn   func() error
	}{
		{"accounts", func() error {
			return readChunks(dec, func(a Account) error { s.addAccount(a); return nil })
		}},
		{"users", func() error { return readChunks(dec, func(u User) error { s.addUser(u); return nil }) }},
		{"features", func() error {
			return readChunks(dec, func(f Feature) error { s.features = append(s.features, f); return nil })
		}},
		{"license models", func() error {
			return readChunks(dec, func(m LicenseModel) error {
				s.modelByName[lower(m.Name)] = int32(len(s.models))
				s.models = append(s.models, m)
				return nil
			})
		}},
		{"products", func() error {
			return readChunks(dec, func(p Product) error {
				s.prodByKey[p.Key()] = int32(len(s.products))
				s.products = append(s.products, p)
				return nil
			})
		}},
		{"part numbers", func() error {
			return readChunks(dec, func(p PartNumber) error {
				s.partByID[lower(p.PartID)] = int32(len(s.parts))
				s.parts = append(s.parts, p)
				return nil
			})
		}},
		{"entitlements", func() error {
			return readChunks(dec, func(e Entitlement) error {
				e.LineItems = nil
				s.entByID[lower(e.ID)] = int32(len(s.ents))
				s.ents = append(s.ents, entitlement{Entitlement: e, acct: s.accountIndex(e.SoldTo)})
				return nil
			})
		}},
		{"line items", func() error {
			return readChunks(dec, func(it LineItem) error {
				ei, ok := s.entByID[lower(it.EntitlementID)]
				if !ok {
					return fmt.Errorf("a line item's entitlement is missing")
				}
				s.appendItems(ei, []LineItem{it})
				return nil
			})
		}},
		{"devices", func() error {
			return readChunks(dec, func(d Device) error {
				i, err := uniqueIndex(d.UniqueID)
				if err != nil || int(i) < len(s.devs) {
					return fmt.Errorf("device unique IDs are not ascending")
				}
				for int(i) > len(s.devs) { // deleted devices keep their unique IDs unused
					s.devs = append(s.devs, device{dead: true, parent: -1, soldTo: -1})
					parents = append(parents, -1)
				}
				p := int32(-1)
				if d.Parent.UniqueID != "" {
					if p, err = uniqueIndex(d.Parent.UniqueID); err != nil {
						return err
					}
				}
				parents = append(parents, p)
				d.Parent = DeviceRef{}
				x, err := s.compact(&d, false) // parent resolved below, once all devices are in
				if err != nil {
					return err
				}
				for _, a := range d.AddOns {
					li, ok := s.itemByAID[lower(a.ActivationID)]
					if !ok {
						return fmt.Errorf("a device's add-on line item is missing")
					}
					x.addOns = append(x.addOns, addOn{item: li, count: int32(a.Count),
						override: unix(a.ExpirationOverride), created: unix(a.Created), modified: unix(a.Modified)})
				}
				s.addDevice(x)
				return nil
			})
		}},
		{"fulfillments", func() error {
			return readChunks(dec, func(f Fulfillment) error {
				s.fulByID[lower(f.ID)] = int32(len(s.fuls))
				s.fuls = append(s.fuls, f)
				return nil
			})
		}},
	}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			return nil, fmt.Errorf("read %s: %w", st.name, err)
		}
	}
	for i, p := range parents {
		if p >= int32(len(s.devs)) || (p >= 0 && s.devs[p].dead) {
			return nil, fmt.Errorf("read devices: a served client's server is missing")
		}
		s.devs[i].parent = p
	}
	s.buildIndexes()
	return s, nil
}

func uniqueIndex(id string) (int32, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, uniquePrefix))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("a device unique ID is malformed")
	}
	return int32(n - 1), nil
}
