package state

import (
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// keyEntry is one device under one (lower-cased, maybe reversed) key. ver is
// the device's version when the entry was made: when the device's keys
// change (or it is deleted) its version moves on and old entries are skipped.
type keyEntry struct {
	key string
	dev int32
	ver uint32
}

// strIndex is a sorted index of keys with a small sorted delta for writes
// since it was built, merged back once the delta outgrows about 8·√n: a
// write costs a binary insertion into a small slice, a lookup two binary
// searches, and the merge an amortised O(√n) per write.
type strIndex struct {
	base  []keyEntry
	delta []keyEntry
}

func cmpEntry(a, b keyEntry) int {
	if c := strings.Compare(a.key, b.key); c != 0 {
		return c
	}
	return int(a.dev) - int(b.dev)
}

func (x *strIndex) insert(e keyEntry) {
	i, _ := slices.BinarySearchFunc(x.delta, e, cmpEntry)
	x.delta = slices.Insert(x.delta, i, e)
}

// needsMerge reports whether the delta is big enough to fold into the base.
func (x *strIndex) needsMerge() bool {
	limit := int(8 * math.Sqrt(float64(len(x.base))))
	return len(x.delta) > max(limit, 1024)
}

// merge folds the delta into the base, dropping stale entries.
func (x *strIndex) merge(live func(keyEntry) bool) {
	out := make([]keyEntry, 0, len(x.base)+len(x.delta))
	i, j := 0, 0
	for i < len(x.base) || j < len(x.delta) {
		var e keyEntry
		if j >= len(x.delta) || (i < len(x.base) && cmpEntry(x.base[i], x.delta[j]) <= 0) {
			e = x.base[i]
			i++
		} else {
			e = x.delta[j]
			j++
		}
		if live(e) {
			out = append(out, e)
		}
	}
	x.base, x.delta = out, nil
}

// bounds returns [lo, hi) of the entries of es whose key has prefix p (or,
// exact, equals p).
func bounds(es []keyEntry, p string, exact bool) (int, int) {
	lo := sort.Search(len(es), func(i int) bool { return es[i].key >= p })
	hi := lo + sort.Search(len(es)-lo, func(i int) bool {
		k := es[lo+i].key
		if exact {
			return k != p
		}
		return !strings.HasPrefix(k, p)
	})
	return lo, hi
}

// scan calls fn with the entries whose key has prefix p (equals p when
// exact), base and delta merged in key order, until fn returns false.
func (x *strIndex) scan(p string, exact bool, fn func(keyEntry) bool) {
	b0, b1 := bounds(x.base, p, exact)
	d0, d1 := bounds(x.delta, p, exact)
	for b0 < b1 || d0 < d1 {
		var e keyEntry
		if d0 >= d1 || (b0 < b1 && cmpEntry(x.base[b0], x.delta[d0]) <= 0) {
			e = x.base[b0]
			b0++
		} else {
			e = x.delta[d0]
			d0++
		}
		if !fn(e) {
			return
		}
	}
}

// deviceIndexes are the key indexes of devices: device ID and alias, each
// forward (EQUALS, STARTS_WITH) and reversed (ENDS_WITH). Keys are
// lower-cased because FNO searches ignore case.
type deviceIndexes struct {
	id, idRev, alias, aliasRev strIndex
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// buildIndexes builds all device indexes from scratch, sorting the four in
// parallel (generation and load).
func (s *Store) buildIndexes() {
	n := len(s.devs)
	mk := func(key func(d *device) string) []keyEntry {
		es := make([]keyEntry, 0, n)
		for i := range s.devs {
			d := &s.devs[i]
			if d.dead {
				continue
			}
			if k := key(d); k != "" {
				es = append(es, keyEntry{key: k, dev: int32(i), ver: d.ver})
			}
		}
		slices.SortFunc(es, cmpEntry)
		return es
	}
	keys := []func(d *device) string{
		func(d *device) string { return lower(d.id) },
		func(d *device) string { return reverse(lower(d.id)) },
		func(d *device) string { return lower(d.alias) },
		func(d *device) string { return reverse(lower(d.alias)) },
	}
	out := make([][]keyEntry, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { out[i] = mk(k) })
	}
	wg.Wait()
	s.idx = deviceIndexes{
		id: strIndex{base: out[0]}, idRev: strIndex{base: out[1]},
		alias: strIndex{base: out[2]}, aliasRev: strIndex{base: out[3]},
	}
	s.dirtyIdx = false
}

// indexDevice records device i's current keys (after a create or a key
// change, with its version already moved on).
func (s *Store) indexDevice(i int32) {
	if s.dirtyIdx {
		return
	}
	d := &s.devs[i]
	add := func(x *strIndex, k string) {
		if k == "" {
			return
		}
		x.insert(keyEntry{key: k, dev: i, ver: d.ver})
		if x.needsMerge() {
			x.merge(s.liveEntry)
		}
	}
	id, alias := lower(d.id), lower(d.alias)
	add(&s.idx.id, id)
	add(&s.idx.idRev, reverse(id))
	add(&s.idx.alias, alias)
	add(&s.idx.aliasRev, reverse(alias))
}

func (s *Store) liveEntry(e keyEntry) bool {
	d := &s.devs[e.dev]
	return !d.dead && d.ver == e.ver
}
