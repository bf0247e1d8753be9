package conformance

import (
	"context"
	"fmt"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// EmulatorSeed and EmulatorSizes shape the data set of the emulators a
// sweep starts by default: small, because a sweep checks shapes, not
// scale, and fixed, so two sweeps send the same requests.
const EmulatorSeed = 4

// EmulatorSizes is the default emulator data set of a sweep.
var EmulatorSizes = state.Sizes{Accounts: 12, Users: 20, Products: 6, Entitlements: 20, Devices: 40, Fulfillments: 20}

// EmulatorConfig is the emulator a sweep starts by default: EmulatorSeed,
// EmulatorSizes, a free loopback port, the default credentials (which
// never leave the process).
func EmulatorConfig() emulator.Config {
	return emulator.Config{Seed: EmulatorSeed, Sizes: EmulatorSizes}
}

// Emulators is a Target that starts a fresh in-process emulator from cfg
// for each service version and closes it when the version is done.
func Emulators(cfg emulator.Config) Target { return emulators{cfg} }

type emulators struct{ cfg emulator.Config }

func (emulators) Name() string { return "in-process emulator" }

func (t emulators) Open(ctx context.Context, _ schemas.Version) (Session, error) {
	emu, err := emulator.Start(ctx, t.cfg)
	if err != nil {
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	user, password := emulatorLogin(t.cfg)
	return &emuSession{emu: emu, creds: soap.Basic(user, string(password)), login: Login{user, password}, owned: true}, nil
}

// Running is a Target over an emulator the caller started from cfg (and
// closes): every version shares it and its state.
func Running(emu *emulator.Emulator, cfg emulator.Config) Target {
	user, password := emulatorLogin(cfg)
	return running{emu, Login{user, password}}
}

type running struct {
	emu   *emulator.Emulator
	login Login
}

func (running) Name() string { return "in-process emulator" }

func (t running) Open(context.Context, schemas.Version) (Session, error) {
	return &emuSession{emu: t.emu, creds: soap.Basic(t.login.User, string(t.login.Password)), login: t.login}, nil
}

// emulatorLogin is the user and password Start gives an emulator started
// from cfg.
func emulatorLogin(cfg emulator.Config) (string, server.Secret) {
	if cfg.User == "" && cfg.Password == "" {
		return emulator.DefaultUser, emulator.DefaultPassword
	}
	return cfg.User, cfg.Password
}

type emuSession struct {
	emu   *emulator.Emulator
	creds soap.Credentials
	login Login
	owned bool
}

func (s *emuSession) BaseURL() string               { return s.emu.URL() }
func (s *emuSession) Credentials() soap.Credentials { return s.creds }

func (s *emuSession) Close(ctx context.Context) error {
	if !s.owned {
		return nil
	}
	return s.emu.Close(ctx)
}

// Records reads the emulator's state directly: quicker and surer than
// finding the records with read operations, which are under test.
func (s *emuSession) Records(context.Context) (Records, error) {
	r := StoreRecords(s.emu.Store())
	r.Login = &s.login
	return r, nil
}

// retiring are the operations that each get a record of their own, in the
// order of Records.Clients[1:] and Records.FulfillmentIDs[1:].
var (
	retiringDevices      = []string{"deleteDevice", "returnHost", "obsoleteHost"}
	retiringFulfillments = []string{"returnLicense", "rehostLicense", "repairLicense"}
)

// StoreRecords picks the records a sweep's requests name from an emulator
// state. A query that fails leaves its field empty: the calls that needed
// it answer FAILURE, which the sweep reports as a status, not a violation.
func StoreRecords(st *state.Store) Records {
	var r Records
	one := state.Page{Number: 1, Size: 1}
	if ds, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"CLIENT"}}, state.Page{Number: 1, Size: 1 + len(retiringDevices)}); err == nil {
		for _, d := range ds {
			r.Clients = append(r.Clients, deviceOf(d))
		}
	}
	if ds, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"SERVER"}}, one); err == nil && len(ds) > 0 {
		d := deviceOf(ds[0])
		r.Server = &d
	}
	if ls, err := st.LineItems(state.LineItemQuery{WithCount: true}, one); err == nil && len(ls) > 0 {
		r.ActivationID = ls[0].ActivationID
		if e, err := st.Entitlement(ls[0].EntitlementID); err == nil {
			r.EntitlementID = e.ID
		}
	}
	if es, err := st.Entitlements(state.EntitlementQuery{}, state.Page{}); err == nil {
	spare:
		for _, e := range es {
			if e.ID == r.EntitlementID {
				continue
			}
			for _, aid := range e.LineItems {
				if li, err := st.LineItem(aid); err != nil || li.Fulfilled > 0 {
					continue spare
				}
			}
			r.SpareEntitlementID = e.ID
			break
		}
	}
	if fs, err := st.Fulfillments(state.FulfillmentQuery{State: state.Match{Type: "EQUALS", Value: "ACTIVE"}}, state.Page{Number: 1, Size: 1 + len(retiringFulfillments)}); err == nil {
		for _, f := range fs {
			r.FulfillmentIDs = append(r.FulfillmentIDs, f.ID)
		}
	}
	if as, err := st.Accounts(state.AccountQuery{}, one); err == nil && len(as) > 0 {
		r.Account = &Account{ID: as[0].ID, Name: as[0].Name}
	}
	if us, err := st.Users(state.UserQuery{}, one); err == nil && len(us) > 0 {
		r.UserName = us[0].UserName
	}
	if ps, err := st.Products(state.ProductQuery{}, one); err == nil && len(ps) > 0 {
		r.Product = &Product{Name: ps[0].Name, Version: ps[0].Version}
	}
	if ms := st.LicenseModels(); len(ms) > 0 {
		r.LicenseModel = ms[0].Name
	}
	return r
}

func deviceOf(d state.Device) Device {
	return Device{ID: d.DeviceID, IDType: string(d.IDType), Publisher: d.Publisher, Class: string(d.Class)}
}
