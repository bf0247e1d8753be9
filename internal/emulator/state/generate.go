package state

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// genEpoch is the generated data's "now": records are created in the 600
// days before it, so the data set does not depend on the wall clock.
var genEpoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

var (
	genFirst = []string{"Alice", "Bruno", "Chen", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jamal",
		"Kofi", "Lena", "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Viktor", "Wen", "Yara", "Zoe"}
	genLast = []string{"Anders", "Brown", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
		"Kowalski", "Lopez", "Meyer", "Novak", "Okafor", "Petrov", "Rossi", "Silva", "Tanaka", "Usman", "Varga", "Weber", "Young", "Zhang"}
	genOrgA = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
		"Hooli", "Vandelay", "Aperture", "Gringotts", "Oscorp", "Massive", "Dunder", "Pied Piper", "Nakatomi", "Monarch"}
	genOrgB   = []string{"Corp", "Industries", "Systems", "Labs", "Holdings", "Technologies", "GmbH", "Ltd", "Group", "Partners"}
	genCities = []struct{ city, state, country, region, code string }{
		{"Boston", "MA", "US", "AMER", "bos"}, {"Austin", "TX", "US", "AMER", "aus"}, {"Toronto", "ON", "CA", "AMER", "yyz"},
		{"Munich", "BY", "DE", "EMEA", "muc"}, {"Lyon", "ARA", "FR", "EMEA", "lys"}, {"Dublin", "D", "IE", "EMEA", "dub"},
		{"Bangalore", "KA", "IN", "APAC", "blr"}, {"Osaka", "27", "JP", "APAC", "osa"}, {"Sydney", "NSW", "AU", "APAC", "syd"},
		{"Sao Paulo", "SP", "BR", "AMER", "gru"}, {"Warsaw", "MZ", "PL", "EMEA", "waw"}, {"Singapore", "SG", "SG", "APAC", "sin"},
	}
	genSiteKinds = []string{"HQ", "DC1", "DC2", "Lab", "Plant", "Office"}
	genProdA     = []string{"Design", "Sim", "Vision", "Data", "Flow", "Render", "Signal", "Geo", "Med", "Chem", "Circuit", "Audio"}
	genProdB     = []string{"Studio", "Suite", "Pro", "Engine", "Server", "Analyzer", "Toolkit", "Cloud", "Desk", "Lab"}
	genRoles     = []string{"Portal User", "Entitlement Administrator", "Device Administrator", "License Administrator"}
	genDescs     = map[DeviceClass][]string{
		Server:       {"License server", "Cloud license server instance", "Backup license server", "Lab license server"},
		Client:       {"Engineering workstation", "Build machine", "Laptop", "Test rig", "Kiosk", ""},
		ServedClient: {"Served client", "Floating seat", "CI runner", "Analyst desktop", ""},
	}
	genModels = []LicenseModel{
		{Name: "Embedded Counted", Technology: "FlexNet Embedded", Description: "counted licences for FlexNet Embedded devices"},
		{Name: "Embedded Uncounted", Technology: "FlexNet Embedded", Description: "uncounted licences for FlexNet Embedded devices"},
		{Name: "Embedded Metered", Technology: "FlexNet Embedded", Description: "metered usage"},
		{Name: "FNP Counted", Technology: "FlexNet Publisher", Description: "counted FlexNet Publisher licences"},
		{Name: "FNP Uncounted Nodelocked", Technology: "FlexNet Publisher", Description: "node-locked FlexNet Publisher licences"},
		{Name: "Cloud Concurrent", Technology: "FlexNet Embedded", Description: "concurrent licences served from the cloud"},
	}
	genCopies = []int{1, 2, 5, 10, 10, 25, 50, 100, 100, 250, 500, 1000, 5000}
)

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// skewed returns an index in [0, n) favouring small indexes, so a few
// accounts own many devices as in real tenants.
func skewed(r *rand.Rand, n int) int {
	u := r.Float64()
	return int(float64(n) * u * u)
}

func genTime(r *rand.Rand, maxDays int) time.Time {
	return genEpoch.Add(-time.Duration(r.Int64N(int64(maxDays)*86400)) * time.Second)
}

// Generate builds a deterministic data set of the given sizes: the same
// sizes and seed give the same data, byte for byte (see Save). Zero sizes
// take DefaultSizes. The store's clock is left as time.Now and its new-ID
// generator continues the seeded sequence.
func Generate(sz Sizes, seed int64) *Store {
	def := DefaultSizes()
	if sz.Accounts <= 0 {
		sz.Accounts = def.Accounts
	}
	if sz.Users <= 0 {
		sz.Users = def.Users
	}
	if sz.Products <= 0 {
		sz.Products = def.Products
	}
	if sz.Entitlements < 0 {
		sz.Entitlements = 0
	}
	if sz.Devices < 0 {
		sz.Devices = 0
	}
	if sz.Fulfillments < 0 {
		sz.Fulfillments = 0
	}
	s := New(seed)
	g := &gen{s: s, r: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), sz: sz}
	s.dirtyIdx = true
	g.catalog()
	g.accounts()
	g.users()
	g.entitlements()
	g.devices()
	g.fulfillments()
	s.buildIndexes()
	return s
}

type gen struct {
	s  *Store
	r  *rand.Rand
	sz Sizes
	// per account: its deployed line items, users, servers and sites
	acctItems   [][]int32
	acctUsers   [][]int32
	acctServers [][]int32
	acctSites   [][]int32
	customers   []int32 // accounts that buy (not the publisher)
}

func (g *gen) catalog() {
	s, r := g.s, g.r
	for _, m := range genModels {
		m.ID = "LM-" + itoa(len(s.models)+1)
		s.modelByName[lower(m.Name)] = int32(len(s.models))
		s.models = append(s.models, m)
	}
	for p := range g.sz.Products {
		name := genProdA[p%len(genProdA)] + genProdB[(p/len(genProdA)+p)%len(genProdB)]
		if p >= len(genProdA)*len(genProdB) {
			name += strconv.Itoa(p)
		}
		version := strconv.Itoa(2020+p%6) + "." + strconv.Itoa(1+r.IntN(4))
		created := genTime(r, 900)
		prod := Product{
			ID: "PRD-" + itoa(p+1), Name: name, Version: version, Description: name + " " + version,
			ProductLine: genProdA[p%len(genProdA)], Type: "LICENSED_PRODUCT", State: Deployed,
			Created: created, Modified: created,
		}
		if p%10 == 9 {
			prod.Type = "SUITE"
		}
		lm := pick(r, genModels)
		prod.LicenseModels = []string{lm.Name}
		prod.Technology = lm.Technology
		if lm.Technology == "FlexNet Embedded" {
			prod.HostTypes = []string{"FLX_CLIENT", "FLX_SERVER"}
		} else {
			prod.HostTypes = []string{"Linux x64", "Windows x64"}
		}
		for f := range 2 + r.IntN(3) {
			fe := Feature{
				ID: "FTR-" + itoa(len(s.features)+1), Name: strings.ToLower(name) + "_f" + strconv.Itoa(f+1),
				Version: "1.0", VersionFormat: "FIXED", Description: "feature of " + name, State: Deployed,
				Created: created, Modified: created,
			}
			s.features = append(s.features, fe)
			prod.Features = append(prod.Features, FeatureCount{Name: fe.Name, Version: fe.Version, Count: 1 + r.IntN(4)})
		}
		s.prodByKey[prod.Key()] = int32(len(s.products))
		s.products = append(s.products, prod)
		for n := range 1 + r.IntN(3) {
			pn := PartNumber{
				ID: "PN-" + itoa(len(s.parts)+1), PartID: "SKU-" + strconv.Itoa(10000+len(s.parts)),
				Description: name + " SKU " + strconv.Itoa(n+1), Product: prod.Key(), LicenseModel: lm.Name,
			}
			s.partByID[lower(pn.PartID)] = int32(len(s.parts))
			s.parts = append(s.parts, pn)
			s.products[len(s.products)-1].PartNumbers = append(s.products[len(s.products)-1].PartNumbers, pn.PartID)
		}
	}
}

func (g *gen) accounts() {
	s, r := g.s, g.r
	n := g.sz.Accounts
	g.acctItems = make([][]int32, n)
	g.acctUsers = make([][]int32, n)
	g.acctServers = make([][]int32, n)
	g.acctSites = make([][]int32, n)
	for i := range n {
		c := genCities[(i+r.IntN(3))%len(genCities)]
		a := Account{Visible: true, CreatedBy: "admin", ModifiedBy: "admin"}
		switch {
		case i == 0:
			a.Name, a.Type = "Demo Publisher", Publisher
		default:
			a.Name = genOrgA[i%len(genOrgA)] + " " + genOrgB[(i/len(genOrgA))%len(genOrgB)]
			if i >= len(genOrgA)*len(genOrgB) {
				a.Name += " " + strconv.Itoa(i)
			}
			a.Type = Customer
			if r.IntN(20) == 0 {
				a.Type = ChannelPartner
			}
			// a fifth of the customers are subsidiaries of an earlier one
			if i > 5 && r.IntN(5) == 0 {
				a.Parent = s.accounts[1+r.IntN(i-1)].ID
			}
		}
		a.ID = strings.ToUpper(strings.NewReplacer(" ", "_", ".", "").Replace(a.Name))
		a.Description = a.Name + ", " + c.city
		a.Address = Address{Address1: strconv.Itoa(1+r.IntN(999)) + " Main Street", City: c.city, State: c.state,
			Zipcode: strconv.Itoa(10000 + r.IntN(89999)), Country: c.country, Region: c.region}
		a.Attributes = []Attribute{{Name: "tier", Value: pick(r, []string{"gold", "silver", "bronze"})}}
		a.Created = genTime(r, 1200)
		a.Modified = a.Created.Add(time.Duration(r.IntN(100*86400)) * time.Second)
		ai := s.addAccount(a)
		if a.Type != Publisher {
			g.customers = append(g.customers, ai)
		}
		for k := range 1 + r.IntN(3) {
			site := c.city + "-" + genSiteKinds[(i+k)%len(genSiteKinds)]
			g.acctSites[ai] = append(g.acctSites[ai], s.str.id(site))
		}
	}
	if len(g.customers) == 0 {
		g.customers = []int32{0}
	}
}

func (g *gen) users() {
	s, r := g.s, g.r
	total := g.sz.Accounts * g.sz.Users / 10
	for i := range total {
		ai := int32(i % g.sz.Accounts)
		if i >= g.sz.Accounts {
			ai = int32(skewed(r, g.sz.Accounts))
		}
		a := &s.accounts[ai]
		first, last := pick(r, genFirst), pick(r, genLast)
		domain := strings.ToLower(strings.NewReplacer(" ", "", ".", "").Replace(a.Name)) + ".example.com"
		email := strings.ToLower(first+"."+last) + strconv.Itoa(i) + "@" + domain
		created := genTime(r, 900)
		u := User{
			ID: "USR-" + itoa(i+1), UserName: email, FirstName: first, LastName: last, DisplayName: first + " " + last,
			Email: email, Phone: "+1-555-" + strconv.Itoa(1000+r.IntN(9000)), Street: a.Address.Address1,
			City: a.Address.City, State: a.Address.State, Zipcode: a.Address.Zipcode, Country: a.Address.Country,
			Locale: "en_US", Timezone: "UTC", Active: r.IntN(10) != 0, CanLogin: true, OptIn: r.IntN(2) == 0,
			Accounts: []AccountRole{{AccountID: a.ID, Roles: []string{genRoles[0]}}},
			Created:  created, Modified: created, LastLogin: created.Add(time.Duration(r.IntN(200*86400)) * time.Second),
			CreatedBy: "admin", ModifiedBy: "admin",
		}
		if r.IntN(3) == 0 {
			u.Accounts[0].Roles = append(u.Accounts[0].Roles, pick(r, genRoles[1:]))
		}
		if a.Parent != "" && r.IntN(4) == 0 {
			u.Accounts = append(u.Accounts, AccountRole{AccountID: a.Parent, Roles: []string{genRoles[0]}})
		}
		g.acctUsers[ai] = append(g.acctUsers[ai], int32(len(s.users)))
		s.addUser(u)
	}
}

func (g *gen) entitlements() {
	s, r := g.s, g.r
	for e := range g.sz.Entitlements {
		ai := g.customers[skewed(r, len(g.customers))]
		created := genTime(r, 600)
		ent := Entitlement{
			ID: s.newEntitlementID(), UniqueID: "ENT-" + itoa(e+1), SoldTo: s.accounts[ai].ID,
			Description: "Order " + strconv.Itoa(100000+e), CreatedBy: "admin", AllowPortalLogin: true,
			Created: created, Modified: created.Add(time.Duration(r.IntN(30*86400)) * time.Second),
		}
		if us := g.acctUsers[ai]; len(us) > 0 {
			ent.ShipToEmail = s.users[pick(r, us)].Email
			if r.IntN(3) == 0 {
				ent.Users = []string{ent.ShipToEmail}
			}
		}
		switch x := r.IntN(100); {
		case x < 85:
			ent.State = Deployed
		case x < 93:
			ent.State = Draft
		case x < 97:
			ent.State = Obsolete
		default:
			ent.State = Inactive
		}
		if r.IntN(10) == 0 {
			ent.Bulk, ent.BulkType = true, pick(r, []string{"UPGRADE", "UPSELL", "RENEWAL"})
		}
		ei := int32(len(s.ents))
		s.ents = append(s.ents, entitlement{Entitlement: ent, acct: ai})
		s.entByID[lower(ent.ID)] = ei
		n := 1 + r.IntN(5)
		items := make([]LineItem, 0, n)
		for k := range n {
			p := &s.products[r.IntN(len(s.products))]
			start := created.AddDate(0, 0, r.IntN(30))
			it := LineItem{
				ActivationID: s.newActivationID(), Description: p.Name + " licence",
				Product: p.Key(), PartNumber: pick(r, p.PartNumbers), LicenseModel: p.LicenseModels[0],
				OrderID: "SO-" + strconv.Itoa(500000+e), OrderLineNumber: strconv.Itoa(k + 1),
				Copies: pick(r, genCopies), State: ent.State, Start: start, StartDateOption: "DEFINE_NOW",
				Created: ent.Created, Modified: ent.Modified, Trusted: r.IntN(4) == 0,
			}
			if r.IntN(10) < 3 {
				it.Permanent = true
			} else {
				years := 1 + r.IntN(3)
				it.Expiration = start.AddDate(years, 0, 0)
				it.Term = Duration{Count: years, Unit: "YEARS"}
				if r.IntN(10) == 0 {
					it.AutoRenewal, it.RenewalInterval = true, Duration{Count: 1, Unit: "YEARS"}
					it.RenewalExpiry = it.Expiration.AddDate(1, 0, 0)
				}
			}
			if r.IntN(20) == 0 {
				it.Maintenance = true
				it.Copies = 1
			}
			// some line items upgrade, renew or extend an earlier one of the account
			// (never NEW: it means "no relation" and older versions lack the value)
			if prev := g.acctItems[ai]; len(prev) > 0 && r.IntN(10) == 0 {
				it.Parent = s.items[pick(r, prev)].ActivationID
				it.Type = pick(r, []LineItemType{LineUpgrade, LineUpsell, LineRenewal})
			}
			items = append(items, it)
			s.itemByAID[lower(it.ActivationID)] = -1 // reserve against duplicates within the entitlement
		}
		first := int32(len(s.items))
		s.appendItemsGen(ei, items)
		if ent.State == Deployed && !ent.Bulk {
			for li := first; li < int32(len(s.items)); li++ {
				if !s.items[li].Maintenance {
					g.acctItems[ai] = append(g.acctItems[ai], li)
				}
			}
		}
	}
}

// appendItemsGen is appendItems for generated, pre-checked items.
func (s *Store) appendItemsGen(ei int32, items []LineItem) {
	for i := range items {
		items[i].EntitlementID = s.ents[ei].ID
		if items[i].Activatable == "" {
			items[i].Activatable = "LINEITEM"
			if s.ents[ei].Bulk {
				items[i].Activatable = "WEBREGKEY"
			}
		}
	}
	s.appendItems(ei, items)
}

func (g *gen) devices() {
	s, r := g.s, g.r
	n := g.sz.Devices
	s.devs = make([]device, 0, n)
	s.devByID = make(map[string]int32, n)
	in := func(v string) int32 { return s.str.id(v) }
	classes := map[DeviceClass]int32{Client: in("CLIENT"), Server: in("SERVER"), ServedClient: in("SERVED_CLIENT")}
	idTypes := []int32{in("ETHERNET"), in("STRING"), in("FLEXID9"), in("VM_UUID")}
	statuses := []int32{in("ACTIVE"), in("OBSOLETE"), in("RETURNED"), in("TEST")}
	normal, served := in("NORMAL"), []int32{in("RETURNED"), in("EXPIRED"), in("DROPPED")}
	local, cloud := in("LOCAL"), in("CLOUD")
	machines := []int32{in("PHYSICAL"), in("PHYSICAL"), in("VIRTUAL"), in("UNKNOWN")}
	hostTypes := map[DeviceClass][]int32{
		Server: {in("FLX_SERVER")}, ServedClient: {in("FLX_CLIENT")},
		Client: {in("FLX_CLIENT"), in("FLX_CLIENT"), in("Linux x64"), in("Windows x64")},
	}
	descs := map[DeviceClass][]int32{}
	for _, c := range []DeviceClass{Server, Client, ServedClient} { // fixed order: deterministic interning
		for _, d := range genDescs[c] {
			descs[c] = append(descs[c], in(d))
		}
	}
	pubs := []int32{in("demo"), in("demo"), in("demo"), in("acme_pub")}
	var users [][]int32 // per account, interned e-mail addresses
	users = make([][]int32, len(s.accounts))
	for ai, us := range g.acctUsers {
		for _, u := range us {
			users[ai] = append(users[ai], in(s.users[u].Email))
		}
	}
	var buf []byte
	for i := range n {
		var class DeviceClass
		switch x := r.IntN(100); {
		case x < 10 || i == 0:
			class = Server
		case x < 65:
			class = Client
		default:
			class = ServedClient
		}
		ai := g.customers[skewed(r, len(g.customers))]
		parent := int32(-1)
		if class == ServedClient {
			srv := g.acctServers[ai]
			if len(srv) == 0 {
				// adopt a server of another account, and its account
				a2 := g.customers[r.IntN(len(g.customers))]
				for k := 0; len(g.acctServers[a2]) == 0 && k < len(g.customers); k++ {
					a2 = g.customers[(int(a2)+k)%len(g.customers)]
				}
				if len(g.acctServers[a2]) == 0 {
					class = Client
				} else {
					ai, srv = a2, g.acctServers[a2]
				}
			}
			if class == ServedClient {
				parent = pick(r, srv)
			}
		}
		d := device{parent: parent, soldTo: ai, class: classes[class], pub: pubs[r.IntN(len(pubs))]}
		// device ID by ID type; an ID taken already is drawn again
		for {
			buf = buf[:0]
			switch x := r.IntN(100); {
			case x < 50:
				d.idType = idTypes[0]
				for range 12 {
					buf = append(buf, hexDigits[r.IntN(16)])
				}
			case x < 75:
				d.idType = idTypes[1]
				c := genCities[int(ai)%len(genCities)]
				buf = append(buf, c.code...)
				buf = append(buf, "-host-"...)
				for range 7 {
					buf = append(buf, alnum[r.IntN(36)])
				}
			case x < 85:
				d.idType = idTypes[2]
				buf = append(buf, "FLEXID9-"...)
				for range 8 {
					buf = append(buf, "0123456789ABCDEF"[r.IntN(16)])
				}
			default:
				d.idType = idTypes[3]
				for k := range 32 {
					if k == 8 || k == 12 || k == 16 || k == 20 {
						buf = append(buf, '-')
					}
					buf = append(buf, hexDigits[r.IntN(16)])
				}
			}
			if _, taken := s.devByID[lower(string(buf))]; !taken {
				break
			}
		}
		d.id = string(buf)
		// alias: <site code>-<role>-<number>, unique by construction
		buf = buf[:0]
		buf = append(buf, genCities[int(ai)%len(genCities)].code...)
		switch class {
		case Server:
			buf = append(buf, "-srv-"...)
		case Client:
			buf = append(buf, "-ws-"...)
		default:
			buf = append(buf, "-sc-"...)
		}
		buf = strconv.AppendInt(buf, int64(100000+i), 10)
		d.alias = string(buf)
		d.desc = pick(r, descs[class])
		d.hostType = pick(r, hostTypes[class])
		d.site = pick(r, g.acctSites[ai])
		d.machine = pick(r, machines)
		d.deploy = local
		if class == Server && r.IntN(10) < 3 {
			d.deploy = cloud
		}
		if class != Client {
			d.served = normal
			if r.IntN(50) == 0 {
				d.served = pick(r, served)
			}
		}
		switch x := r.IntN(100); {
		case x < 90:
			d.status = statuses[0]
		case x < 95:
			d.status = statuses[1]
		case x < 99:
			d.status = statuses[2]
		default:
			d.status = statuses[3]
		}
		if us := users[ai]; len(us) > 0 && r.IntN(10) < 3 {
			d.user = pick(r, us)
		}
		created := genTime(r, 600)
		d.created = created.Unix()
		d.modified = d.created + r.Int64N(30*86400)
		d.sync = d.modified + r.Int64N(86400)
		d.request = d.sync
		// add-ons on active servers (1–4) and some active clients (1)
		if d.status == statuses[0] && class != ServedClient {
			want := 0
			if class == Server {
				want = 1 + r.IntN(4)
			} else if r.IntN(5) == 0 {
				want = 1
			}
			items := g.acctItems[ai]
			for k := 0; k < want && len(items) > 0; k++ {
				li := pick(r, items)
				it := &s.items[li].LineItem
				dup := false
				for _, a := range d.addOns {
					dup = dup || a.item == li
				}
				if dup || it.Remaining() <= 0 {
					continue
				}
				cnt := 1
				if class == Server {
					cnt = 1 + r.IntN(min(it.Remaining(), 20))
				}
				it.Fulfilled += cnt
				d.addOns = append(d.addOns, addOn{item: li, count: int32(cnt), created: d.created, modified: d.modified})
			}
		}
		di := s.addDevice(d)
		if class == Server {
			g.acctServers[ai] = append(g.acctServers[ai], di)
		}
	}
}

func (g *gen) fulfillments() {
	s, r := g.s, g.r
	var hosts []Fulfillment // earlier hosts, to give some hosts several fulfilments
	for range g.sz.Fulfillments {
		ai := g.customers[skewed(r, len(g.customers))]
		items := g.acctItems[ai]
		if len(items) == 0 {
			continue
		}
		li := pick(r, items)
		it := &s.items[li].LineItem
		if it.Remaining() <= 0 {
			continue
		}
		cnt := 1 + r.IntN(min(it.Remaining(), 5))
		f := Fulfillment{
			Count: cnt, Type: "FlexNet Publisher Fulfillment", Source: "ONLINE", ActivationType: "PROGRAMMATIC",
			FulfillDate: it.Start.Add(time.Duration(r.IntN(60*86400)) * time.Second),
		}
		if us := g.acctUsers[ai]; len(us) > 0 {
			f.User = s.users[pick(r, us)].UserName
		}
		if len(hosts) > 0 && r.IntN(10) < 3 {
			h := pick(r, hosts)
			if h.SoldTo == s.accounts[ai].ID {
				f.HostID, f.HostType = h.HostID, h.HostType
			}
		}
		if f.HostID == "" {
			f.HostID = strings.ToUpper(randomID(r, 12))
			f.HostType = pick(r, []string{"FLEXNET_SERVER", "NODELOCKED", "FLX_CLIENT"})
		}
		f.Modified = f.FulfillDate
		it.Fulfilled += cnt
		s.fulSerial = len(s.fuls)
		f = s.addFulfillmentAt(f, li)
		hosts = append(hosts, f)
	}
	s.fulSerial = len(s.fuls)
}

// addFulfillmentAt is addFulfillment without the clock (generation).
func (s *Store) addFulfillmentAt(f Fulfillment, li int32) Fulfillment {
	clock := s.clock
	s.clock = func() time.Time { return f.FulfillDate }
	defer func() { s.clock = clock }()
	return s.addFulfillment(f, li)
}
