package state

// Product returns a product by name and version (an empty version matches
// the first product of that name).
func (s *Store) Product(k ProductKey) (Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.productIndex(k)
	if i < 0 {
		return Product{}, fail(ErrNotFound, "product not found")
	}
	return cloneProduct(s.products[i]), nil
}

func (s *Store) productIndex(k ProductKey) int32 {
	if i, ok := s.prodByKey[k]; ok {
		return i
	}
	if k.Version == "" {
		for i, p := range s.products {
			if p.Name == k.Name {
				return int32(i)
			}
		}
	}
	return -1
}

func cloneProduct(p Product) Product {
	p.Features = append([]FeatureCount(nil), p.Features...)
	p.LicenseModels = cloneStrings(p.LicenseModels)
	p.HostTypes = cloneStrings(p.HostTypes)
	p.PartNumbers = cloneStrings(p.PartNumbers)
	return p
}

// Products returns one page of the products matching q, in creation order.
func (s *Store) Products(q ProductQuery, p Page) ([]Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Product
	pg := newPager(p)
	for i := range s.products {
		if !productMatches(&q, &s.products[i]) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, cloneProduct(s.products[i]))
		}
		if !more {
			break
		}
	}
	return out, nil
}

// CountProducts counts the products matching q.
func (s *Store) CountProducts(q ProductQuery) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for i := range s.products {
		if productMatches(&q, &s.products[i]) {
			n++
		}
	}
	return n
}

func productMatches(q *ProductQuery, p *Product) bool {
	if !(q.Name.Matches(p.Name) && q.Version.Matches(p.Version) && q.Description.Matches(p.Description) &&
		q.State.Matches(string(p.State)) && q.LicenseTechnology.Matches(p.Technology)) {
		return false
	}
	return anyMatches(q.PartNumber, p.PartNumbers) && anyMatches(q.HostType, p.HostTypes)
}

// anyMatches: an unset m matches; a set one needs one of vs to match.
func anyMatches(m Match, vs []string) bool {
	if !m.Set() {
		return true
	}
	for _, v := range vs {
		if m.Matches(v) {
			return true
		}
	}
	return false
}

// Features returns one page of the features matching q, in creation order.
func (s *Store) Features(q FeatureQuery, p Page) []Feature {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Feature
	pg := newPager(p)
	for _, f := range s.features {
		if !featureMatches(&q, &f) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, f)
		}
		if !more {
			break
		}
	}
	return out
}

// CountFeatures counts the features matching q.
func (s *Store) CountFeatures(q FeatureQuery) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, f := range s.features {
		if featureMatches(&q, &f) {
			n++
		}
	}
	return n
}

func featureMatches(q *FeatureQuery, f *Feature) bool {
	return q.Name.Matches(f.Name) && q.Version.Matches(f.Version) && q.Description.Matches(f.Description) &&
		q.State.Matches(string(f.State)) && q.VersionFormat.Matches(f.VersionFormat)
}

// LicenseModels returns every license model.
func (s *Store) LicenseModels() []LicenseModel {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]LicenseModel(nil), s.models...)
}

// LicenseModel returns a license model by name (or unique ID).
func (s *Store) LicenseModel(nameOrID string) (LicenseModel, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.modelByName[lower(nameOrID)]; ok {
		return s.models[i], nil
	}
	for _, m := range s.models {
		if m.ID == nameOrID {
			return m, nil
		}
	}
	return LicenseModel{}, fail(ErrNotFound, "license model not found")
}

// PartNumber returns a part number by part ID (or unique ID).
func (s *Store) PartNumber(partOrID string) (PartNumber, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i, ok := s.partByID[lower(partOrID)]; ok {
		return s.parts[i], nil
	}
	for _, p := range s.parts {
		if p.ID == partOrID {
			return p, nil
		}
	}
	return PartNumber{}, fail(ErrNotFound, "part number not found")
}

// PartNumbers returns every part number.
func (s *Store) PartNumbers() []PartNumber {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]PartNumber(nil), s.parts...)
}

// AddProduct adds a product (and nothing else: its license models and part
// numbers are added separately). Name and version must be unique.
func (s *Store) AddProduct(p Product) (Product, error) {
	if p.Name == "" {
		return Product{}, invalidf("product name is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.prodByKey[p.Key()]; ok {
		return Product{}, fail(ErrExists, "a product with this name and version already exists")
	}
	if p.ID == "" {
		p.ID = "PRD-" + itoa(len(s.products)+1)
	}
	if p.State == "" {
		p.State = Deployed
	}
	if p.Created.IsZero() {
		p.Created = s.now()
		p.Modified = p.Created
	}
	p = cloneProduct(p)
	s.prodByKey[p.Key()] = int32(len(s.products))
	s.products = append(s.products, p)
	return cloneProduct(p), nil
}

// AddFeature adds a feature.
func (s *Store) AddFeature(f Feature) Feature {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.ID == "" {
		f.ID = "FTR-" + itoa(len(s.features)+1)
	}
	s.features = append(s.features, f)
	return f
}

// AddLicenseModel adds a license model; names are unique.
func (s *Store) AddLicenseModel(m LicenseModel) (LicenseModel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.modelByName[lower(m.Name)]; ok || m.Name == "" {
		return LicenseModel{}, fail(ErrExists, "a license model with this name already exists")
	}
	if m.ID == "" {
		m.ID = "LM-" + itoa(len(s.models)+1)
	}
	s.modelByName[lower(m.Name)] = int32(len(s.models))
	s.models = append(s.models, m)
	return m, nil
}

// AddPartNumber adds a part number for an existing product; part IDs are unique.
func (s *Store) AddPartNumber(pn PartNumber) (PartNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partByID[lower(pn.PartID)]; ok || pn.PartID == "" {
		return PartNumber{}, fail(ErrExists, "a part number with this part id already exists")
	}
	pi := s.productIndex(pn.Product)
	if pi < 0 {
		return PartNumber{}, fail(ErrNotFound, "product of the part number not found")
	}
	if pn.ID == "" {
		pn.ID = "PN-" + itoa(len(s.parts)+1)
	}
	s.partByID[lower(pn.PartID)] = int32(len(s.parts))
	s.parts = append(s.parts, pn)
	s.products[pi].PartNumbers = append(s.products[pi].PartNumbers, pn.PartID)
	return pn, nil
}
