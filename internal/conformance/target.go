package conformance

import (
	"context"

	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// Target is the system a sweep calls. Run opens one Session per service
// version, so a target can give each version a fresh data set (the
// in-process emulator does: a delete in one version then never turns
// another version's read into a FAILURE) or share one (a live tenant).
type Target interface {
	// Open readies the target for the operations of v. Run closes the
	// session once v's operations have been called.
	Open(ctx context.Context, v schemas.Version) (Session, error)
	// Name says what the target is, for reports ("in-process emulator",
	// a URL); it never carries credentials.
	Name() string
}

// Session is a target ready for one service version's calls.
type Session interface {
	// BaseURL is scheme://host[:port][/prefix]; service endpoints are
	// below it at /flexnet/services/[vN/]<Service>.
	BaseURL() string
	// Credentials authenticate every call.
	Credentials() soap.Credentials
	// Records names real records of the target, which the requests use in
	// place of the samples' placeholders. The emulator reads them from its
	// state; a live target would find them with read operations.
	Records(ctx context.Context) (Records, error)
	// Close releases what Open took.
	Close(ctx context.Context) error
}

// Records are real records of a target, so that calls act on something
// that exists and most answer SUCCESS rather than FAILURE. An empty field
// means the target has no such record: the request keeps the sample's
// value and the call most likely answers FAILURE, which is still a valid
// answer.
type Records struct {
	// Clients are client devices: [0] for reads and changes, then one for
	// each operation that retires a device (deleteDevice, returnHost,
	// obsoleteHost), so the order of the calls does not decide their
	// status.
	Clients []Device
	// Server is a license server, for what only servers do (zero-count
	// add-on mappings).
	Server *Device
	// ActivationID names a line item with remaining copies and
	// EntitlementID its entitlement.
	ActivationID  string
	EntitlementID string
	// SpareEntitlementID is another entitlement, none of whose line items
	// has fulfilled copies, for deleteEntitlement.
	SpareEntitlementID string
	// FulfillmentIDs are active fulfilments: [0] for reads, then one for
	// each operation that retires one (returnLicense, rehostLicense,
	// repairLicense).
	FulfillmentIDs []string
	Account        *Account
	UserName       string
	Product        *Product
	LicenseModel   string
	// Login is a user and password the target's authenticateUser accepts;
	// nil leaves the sample's.
	Login *Login
}

// Login is a user name and password. The password never prints.
type Login struct {
	User     string
	Password server.Secret
}

// Device identifies a device as the requests do.
type Device struct {
	ID        string // deviceId
	IDType    string // STRING, ETHERNET, …
	Publisher string
	Class     string // CLIENT, SERVER, SERVED_CLIENT
}

// Account identifies an account (organisation) both ways FNO accepts.
type Account struct {
	ID   string
	Name string
}

// Product identifies a product by name and version.
type Product struct {
	Name    string
	Version string
}
