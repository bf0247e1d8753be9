package state

import (
	"strconv"
	"strings"
	"time"
)

// device is the compact form of a Device: small-cardinality strings are
// interned (int32 into Store.str), links are int32 indexes, times are Unix
// seconds. About 150 bytes a device plus its two key strings.
type device struct {
	id, alias                                      string
	desc, user, site, hostType, pub                int32 // interned
	class, idType, status, served, deploy, machine int32 // interned enumerations
	parent, soldTo                                 int32 // device / account index, -1 for none
	created, modified, sync, request               int64
	addOns                                         []addOn
	ver                                            uint32
	dead                                           bool
}

type addOn struct {
	item              int32
	count             int32
	override          int64 // Unix seconds; 0: none
	created, modified int64
}

const uniquePrefix = "HID-"

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func fromUnix(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// deviceIndex finds the live device k names, or -1.
func (s *Store) deviceIndex(k DeviceKey) int32 {
	if k.UniqueID != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(k.UniqueID, uniquePrefix))
		if err != nil || n < 1 || n > len(s.devs) || s.devs[n-1].dead {
			return -1
		}
		return int32(n - 1)
	}
	if k.DeviceID == "" {
		return -1
	}
	i, ok := s.devByID[lower(k.DeviceID)]
	if !ok {
		return -1
	}
	d := &s.devs[i]
	if k.IDType != "" && string(k.IDType) != s.str.get(d.idType) {
		return -1
	}
	if k.Publisher != "" && !strings.EqualFold(k.Publisher, s.str.get(d.pub)) {
		return -1
	}
	return i
}

func (s *Store) ref(i int32) DeviceRef {
	if i < 0 {
		return DeviceRef{}
	}
	d := &s.devs[i]
	return DeviceRef{
		UniqueID: uniquePrefix + strconv.Itoa(int(i)+1), DeviceID: d.id,
		IDType: IDType(s.str.get(d.idType)), Class: DeviceClass(s.str.get(d.class)), Publisher: s.str.get(d.pub),
	}
}

// view expands device i into a Device.
func (s *Store) view(i int32) Device {
	d := &s.devs[i]
	v := Device{
		UniqueID: uniquePrefix + strconv.Itoa(int(i)+1), DeviceID: d.id,
		IDType: IDType(s.str.get(d.idType)), Class: DeviceClass(s.str.get(d.class)),
		Publisher: s.str.get(d.pub), Alias: d.alias, Description: s.str.get(d.desc),
		HostType: s.str.get(d.hostType), Status: DeviceStatus(s.str.get(d.status)),
		Served: ServedStatus(s.str.get(d.served)), Parent: s.ref(d.parent),
		SiteName: s.str.get(d.site), User: s.str.get(d.user), Deployment: s.str.get(d.deploy),
		MachineType: s.str.get(d.machine), Created: fromUnix(d.created), Modified: fromUnix(d.modified),
		LastSync: fromUnix(d.sync), LastRequest: fromUnix(d.request),
	}
	if d.soldTo >= 0 {
		v.SoldTo = s.accounts[d.soldTo].ID
	}
	if len(d.addOns) > 0 {
		v.AddOns = make([]AddOn, len(d.addOns))
		for j, a := range d.addOns {
			v.AddOns[j] = AddOn{
				ActivationID: s.items[a.item].ActivationID, Count: int(a.count),
				ExpirationOverride: fromUnix(a.override), Created: fromUnix(a.created), Modified: fromUnix(a.modified),
			}
		}
	}
	return v
}

// Device returns the device k names.
func (s *Store) Device(k DeviceKey) (Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	return s.view(i), nil
}

var errNoDevice = fail(ErrNotFound, "device not found")

// ServedClients returns the clients a server serves, in creation order.
func (s *Store) ServedClients(server DeviceKey) ([]DeviceRef, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.deviceIndex(server)
	if p < 0 {
		return nil, errNoDevice
	}
	var out []DeviceRef
	for i := range s.devs {
		if !s.devs[i].dead && s.devs[i].parent == p {
			out = append(out, s.ref(int32(i)))
		}
	}
	return out, nil
}

// CreateDevice adds a device. Class is required; DeviceID must be unique
// (ignoring case) and is generated when empty; IDType defaults to STRING,
// Status to ACTIVE, Publisher to the store's first publisher; a SERVED_CLIENT
// needs Parent naming an existing SERVER (by UniqueID or DeviceID); SoldTo,
// when set, must be an existing account ID or name. AddOns are ignored: map
// them with LinkAddOn.
func (s *Store) CreateDevice(d Device) (out Device, err error) {
	defer s.emitDevice(EventCreated, &out, &err) // after the deferred unlock
	switch d.Class {
	case Client, Server, ServedClient:
	default:
		return Device{}, invalidf("deviceType must be CLIENT, SERVER or SERVED_CLIENT")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.DeviceID == "" {
		d.DeviceID = s.newDeviceID()
		if d.IDType == "" {
			d.IDType = IDString
		}
	}
	if _, ok := s.devByID[lower(d.DeviceID)]; ok {
		return Device{}, fail(ErrExists, "a device with this deviceId already exists")
	}
	now := s.now()
	if d.Created.IsZero() {
		d.Created = now
	}
	if d.Modified.IsZero() {
		d.Modified = d.Created
	}
	x, err := s.compact(&d, true)
	if err != nil {
		return Device{}, err
	}
	i := s.addDevice(x)
	s.indexDevice(i)
	return s.view(i), nil
}

// compact turns a Device into its stored form, resolving parent and sold-to.
func (s *Store) compact(d *Device, create bool) (device, error) {
	if d.IDType == "" {
		d.IDType = IDString
	}
	if d.Status == "" {
		d.Status = DeviceActive
	}
	if d.Publisher == "" {
		d.Publisher = s.defaultPublisher()
	}
	x := device{
		id: d.DeviceID, alias: d.Alias,
		desc: s.str.id(d.Description), user: s.str.id(d.User), site: s.str.id(d.SiteName),
		hostType: s.str.id(d.HostType), pub: s.str.id(d.Publisher), class: s.str.id(string(d.Class)),
		idType: s.str.id(string(d.IDType)), status: s.str.id(string(d.Status)), served: s.str.id(string(d.Served)),
		deploy: s.str.id(d.Deployment), machine: s.str.id(d.MachineType), parent: -1, soldTo: -1,
		created: unix(d.Created), modified: unix(d.Modified), sync: unix(d.LastSync), request: unix(d.LastRequest),
	}
	// a new served client needs its server; an existing one may have lost
	// it (its server was deleted)
	if (create && d.Class == ServedClient) || !d.Parent.IsZero() || d.Parent.DeviceID != "" {
		p := s.deviceIndex(DeviceKey{UniqueID: d.Parent.UniqueID, DeviceID: d.Parent.DeviceID})
		if p < 0 {
			return device{}, fail(ErrNotFound, "server of the served client not found")
		}
		if s.str.get(s.devs[p].class) != string(Server) {
			return device{}, invalidf("the parent of a served client must be a SERVER")
		}
		x.parent = p
	}
	if d.SoldTo != "" {
		a := s.accountIndex(d.SoldTo)
		if a < 0 {
			return device{}, fail(ErrNotFound, "sold-to account not found")
		}
		x.soldTo = a
	}
	return x, nil
}

func (s *Store) addDevice(x device) int32 {
	i := int32(len(s.devs))
	s.devs = append(s.devs, x)
	s.devByID[lower(x.id)] = i
	s.liveDevs++
	return i
}

func (s *Store) defaultPublisher() string {
	if len(s.devs) > 0 {
		return s.str.get(s.devs[0].pub)
	}
	return "demo"
}

// newDeviceID makes an unused device ID for a device created without one
// (FNO names cloud license server instances itself).
func (s *Store) newDeviceID() string {
	for {
		id := strings.ToUpper(randomID(s.rng, 12))
		if _, ok := s.devByID[lower(id)]; !ok {
			return id
		}
	}
}

// UpdateDevice changes the device k names: fn edits a copy, and the store
// takes DeviceID, IDType, Publisher, Alias, Description, HostType, Status,
// Served, Parent, SoldTo, SiteName, User, Deployment, MachineType, LastSync
// and LastRequest from it. UniqueID, Class, Created and AddOns cannot change
// here (add-ons have their own methods). An error from fn is returned as is.
func (s *Store) UpdateDevice(k DeviceKey, fn func(*Device) error) (out Device, err error) {
	defer s.emitDevice(EventUpdated, &out, &err) // after the deferred unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	old := s.view(i)
	d := s.view(i)
	if err := fn(&d); err != nil {
		return Device{}, err
	}
	d.UniqueID, d.Class, d.Created = old.UniqueID, old.Class, old.Created
	if d.DeviceID == "" {
		return Device{}, invalidf("deviceId must not be empty")
	}
	if !strings.EqualFold(d.DeviceID, old.DeviceID) {
		if _, ok := s.devByID[lower(d.DeviceID)]; ok {
			return Device{}, fail(ErrExists, "a device with this deviceId already exists")
		}
	}
	d.Modified = s.now()
	x, err := s.compact(&d, false)
	if err != nil {
		return Device{}, err
	}
	if x.parent == i {
		return Device{}, invalidf("a device cannot serve itself")
	}
	cur := &s.devs[i]
	x.addOns, x.ver = cur.addOns, cur.ver
	keysChanged := x.id != cur.id || x.alias != cur.alias
	if x.id != cur.id {
		delete(s.devByID, lower(cur.id))
		s.devByID[lower(x.id)] = i
	}
	if keysChanged {
		x.ver++
	}
	*cur = x
	if keysChanged {
		s.indexDevice(i)
	}
	return s.view(i), nil
}

// DeleteDevice removes a device, returning the copies of its add-ons to
// their line items. Served clients of a deleted server lose their parent.
func (s *Store) DeleteDevice(k DeviceKey) (err error) {
	defer s.emitDeleted(s.watchedDevice(k), &err) // after the deferred unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return errNoDevice
	}
	d := &s.devs[i]
	s.releaseAll(d)
	for j := range s.devs {
		if s.devs[j].parent == i {
			s.devs[j].parent = -1
		}
	}
	delete(s.devByID, lower(d.id))
	d.dead = true
	d.ver++
	s.liveDevs--
	return nil
}

// releaseAll unmaps every add-on of d, returning its copies.
func (s *Store) releaseAll(d *device) {
	for _, a := range d.addOns {
		s.items[a.item].Fulfilled -= int(a.count)
	}
	d.addOns = nil
}

// MoveDevice gives the device (and, for a server, its served clients) to
// another sold-to account, named by ID or name.
func (s *Store) MoveDevice(k DeviceKey, account string) (out Device, err error) {
	defer s.emitDevice(EventMoved, &out, &err) // after the deferred unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	a := s.accountIndex(account)
	if a < 0 {
		return Device{}, fail(ErrNotFound, "target account not found")
	}
	now := s.now().Unix()
	s.devs[i].soldTo, s.devs[i].modified = a, now
	if s.str.get(s.devs[i].class) == string(Server) {
		for j := range s.devs {
			if !s.devs[j].dead && s.devs[j].parent == i {
				s.devs[j].soldTo, s.devs[j].modified = a, now
			}
		}
	}
	return s.view(i), nil
}

// ReturnHost marks a device RETURNED and returns the copies of its add-ons.
func (s *Store) ReturnHost(k DeviceKey) (out Device, err error) {
	defer s.emitDevice(EventReturned, &out, &err)
	return s.retire(k, DeviceReturned)
}

// ObsoleteHost marks a device OBSOLETE and returns the copies of its add-ons.
func (s *Store) ObsoleteHost(k DeviceKey) (out Device, err error) {
	defer s.emitDevice(EventObsoleted, &out, &err)
	return s.retire(k, DeviceObsolete)
}

func (s *Store) retire(k DeviceKey, st DeviceStatus) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	d := &s.devs[i]
	if DeviceStatus(s.str.get(d.status)) == st {
		return Device{}, fail(ErrState, "the device is already %s", strings.ToLower(string(st)))
	}
	s.releaseAll(d)
	d.status = s.str.id(string(st))
	d.modified = s.now().Unix()
	return s.view(i), nil
}
