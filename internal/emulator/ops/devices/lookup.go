package devices

import (
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// lookups caches, for one request, the records devices point at: a page of
// 2000 devices names few distinct accounts, line items and products, so
// each is fetched from the store once.
type lookups struct {
	st       *state.Store
	accounts map[string]*state.Account
	items    map[string]*state.LineItem
	products map[state.ProductKey]*state.Product
}

func newLookups(st *state.Store) *lookups {
	return &lookups{st: st, accounts: map[string]*state.Account{}, items: map[string]*state.LineItem{}, products: map[state.ProductKey]*state.Product{}}
}

// account is the account with this ID, nil if none.
func (l *lookups) account(id string) *state.Account {
	if id == "" {
		return nil
	}
	a, ok := l.accounts[id]
	if !ok {
		if v, err := l.st.Account(id); err == nil {
			a = &v
		}
		l.accounts[id] = a
	}
	return a
}

// item is the line item with this activation ID, nil if none.
func (l *lookups) item(aid string) *state.LineItem {
	it, ok := l.items[aid]
	if !ok {
		if v, err := l.st.LineItem(aid); err == nil {
			it = &v
		}
		l.items[aid] = it
	}
	return it
}

// product is the product with these keys, nil if none.
func (l *lookups) product(k state.ProductKey) *state.Product {
	p, ok := l.products[k]
	if !ok {
		if v, err := l.st.Product(k); err == nil {
			p = &v
		}
		l.products[k] = p
	}
	return p
}

// feature is one licensed feature a device has through an add-on.
type feature struct {
	name, version string
	count         int // the product's count times the add-on's count
	item          *state.LineItem
}

// features lists the features a device is licensed for through its add-ons.
func (l *lookups) features(d state.Device) []feature {
	var out []feature
	for _, a := range d.AddOns {
		it := l.item(a.ActivationID)
		if it == nil {
			continue
		}
		p := l.product(it.Product)
		if p == nil {
			continue
		}
		for _, f := range p.Features {
			out = append(out, feature{name: f.Name, version: f.Version, count: f.Count * a.Count, item: it})
		}
	}
	return out
}
