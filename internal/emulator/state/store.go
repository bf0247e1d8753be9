package state

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Store is the emulator's domain state. The zero value is not usable; start
// from New, Generate or Load.
type Store struct {
	mu    sync.RWMutex
	clock func() time.Time
	src   *rand.PCG  // rng's source, saved with the state
	rng   *rand.Rand // new IDs, so a seeded run creates the same IDs
	str   interner

	accounts   []Account
	acctByID   map[string]int32
	acctByName map[string]int32 // lower-cased name

	users      []User
	userByName map[string]int32 // lower-cased user name
	userByID   map[string]int32

	features    []Feature
	products    []Product
	prodByKey   map[ProductKey]int32
	models      []LicenseModel
	modelByName map[string]int32
	parts       []PartNumber
	partByID    map[string]int32 // part ID

	ents    []entitlement
	entByID map[string]int32 // lower-cased entitlement ID

	items     []lineItem
	itemByAID map[string]int32 // lower-cased activation ID

	devs      []device
	devByID   map[string]int32 // lower-cased device ID
	liveDevs  int
	idx       deviceIndexes
	dirtyIdx  bool // indexes not built yet (generation, load)
	fuls      []Fulfillment
	fulByID   map[string]int32
	fulSerial int
	ev        listeners // device event listeners (events.go)
}

type entitlement struct {
	Entitlement
	items []int32
	acct  int32 // sold-to account, -1 if unknown
}

type lineItem struct {
	LineItem
	ent int32
}

// New returns an empty store whose clock is time.Now and whose generated IDs
// follow seed.
func New(seed int64) *Store {
	src := rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
	s := &Store{
		clock:       time.Now,
		src:         src,
		rng:         rand.New(src),
		acctByID:    map[string]int32{},
		acctByName:  map[string]int32{},
		userByName:  map[string]int32{},
		userByID:    map[string]int32{},
		prodByKey:   map[ProductKey]int32{},
		modelByName: map[string]int32{},
		partByID:    map[string]int32{},
		entByID:     map[string]int32{},
		itemByAID:   map[string]int32{},
		devByID:     map[string]int32{},
		fulByID:     map[string]int32{},
	}
	s.str.init()
	return s
}

// SetClock replaces the clock that stamps created and modified times; tests
// and deterministic runs set a fixed one.
func (s *Store) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock = now
}

func (s *Store) now() time.Time { return s.clock().UTC() }

// Counts are the numbers of records in the store.
type Counts struct {
	Accounts, Users, Products, Features, LicenseModels, PartNumbers int
	Entitlements, LineItems, Devices, Fulfillments                  int
}

// Counts returns the number of records of each kind (live devices only).
func (s *Store) Counts() Counts {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Counts{
		Accounts: len(s.accounts), Users: len(s.users), Products: len(s.products),
		Features: len(s.features), LicenseModels: len(s.models), PartNumbers: len(s.parts),
		Entitlements: len(s.ents), LineItems: len(s.items), Devices: s.liveDevs, Fulfillments: len(s.fuls),
	}
}

// interner keeps each small-cardinality string (site names, host types,
// enumerations, descriptions) once; records hold its int32 index.
type interner struct {
	s []string
	m map[string]int32
}

func (in *interner) init() {
	in.s = []string{""}
	in.m = map[string]int32{"": 0}
}

func (in *interner) id(v string) int32 {
	if i, ok := in.m[v]; ok {
		return i
	}
	i := int32(len(in.s))
	in.s = append(in.s, v)
	in.m[v] = i
	return i
}

func (in *interner) get(i int32) string { return in.s[i] }

// lookup returns the index of v without adding it (-1 if absent).
func (in *interner) lookup(v string) int32 {
	if i, ok := in.m[v]; ok {
		return i
	}
	return -1
}

func lower(v string) string { return strings.ToLower(v) }

// paginate returns the bounds of page p within n results.
func paginate(p Page, n int) (lo, hi int) {
	if p.Size <= 0 {
		return 0, n
	}
	num := p.Number
	if num < 1 {
		num = 1
	}
	lo = (num - 1) * p.Size
	if lo > n {
		return n, n
	}
	hi = lo + p.Size
	if hi > n {
		hi = n
	}
	return lo, hi
}

// pager collects one page of results from a stream of matches.
type pager struct {
	skip, take int // take < 0: all
	seen       int
}

func newPager(p Page) pager {
	if p.Size <= 0 {
		return pager{take: -1}
	}
	num := p.Number
	if num < 1 {
		num = 1
	}
	return pager{skip: (num - 1) * p.Size, take: p.Size}
}

// offer reports whether the next match belongs to the page, and whether
// more are wanted after it.
func (pg *pager) offer() (keep, more bool) {
	pg.seen++
	if pg.seen <= pg.skip {
		return false, true
	}
	if pg.take < 0 {
		return true, true
	}
	return true, pg.seen < pg.skip+pg.take
}

func itoa(i int) string { return strconv.Itoa(i) }

func cloneAttrs(a []Attribute) []Attribute {
	if a == nil {
		return nil
	}
	return append([]Attribute(nil), a...)
}

func cloneStrings(a []string) []string {
	if a == nil {
		return nil
	}
	return append([]string(nil), a...)
}
