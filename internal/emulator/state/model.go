// Package state is the emulator's domain: the one store of accounts, users,
// products, entitlements, line items, devices and fulfilments that every
// operation handler of every service version reads and writes.
//
// Handlers see plain value types (Device, LineItem, ...) that are copies:
// changing one changes nothing until it is written back through a Store
// method. Inside, devices are kept compact (interned strings, int32 links,
// sorted key indexes) so a million of them fit in well under 2 GiB.
//
// All Store methods are safe for concurrent use. Reads run concurrently;
// writes are serialised, which is what makes Consume exact: when many callers
// race for a line item with N remaining copies, exactly N single-copy
// consumptions succeed.
package state

import (
	"strings"
	"time"
)

// DeviceClass is a device's type: WSDeviceType and deviceClass in the contracts.
type DeviceClass string

// Device classes.
const (
	Client       DeviceClass = "CLIENT"
	Server       DeviceClass = "SERVER"
	ServedClient DeviceClass = "SERVED_CLIENT"
)

// DeviceStatus is deviceStatusType.
type DeviceStatus string

// Device statuses.
const (
	DeviceActive   DeviceStatus = "ACTIVE"
	DeviceObsolete DeviceStatus = "OBSOLETE"
	DeviceReturned DeviceStatus = "RETURNED"
	DeviceTest     DeviceStatus = "TEST"
)

// ServedStatus is servedStatusType (deviceServedStatusType before v3).
type ServedStatus string

// Served statuses.
const (
	ServedNormal   ServedStatus = "NORMAL"
	ServedReturned ServedStatus = "RETURNED"
	ServedExpired  ServedStatus = "EXPIRED"
	ServedDropped  ServedStatus = "DROPPED"
)

// IDType is deviceIdTypeType: how a device ID is to be read.
type IDType string

// Device ID types (the ones the generator uses; any deviceIdTypeType value is accepted).
const (
	IDString   IDType = "STRING"
	IDEthernet IDType = "ETHERNET"
	IDFlexID9  IDType = "FLEXID9"
	IDFlexID10 IDType = "FLEXID10"
	IDVMUUID   IDType = "VM_UUID"
	IDUser     IDType = "USER"
)

// State is StateType, the life-cycle state of entitlements, line items,
// fulfilments, products and features.
type State string

// States.
const (
	Draft      State = "DRAFT"
	Active     State = "ACTIVE"
	Inactive   State = "INACTIVE"
	Deployed   State = "DEPLOYED"
	Obsolete   State = "OBSOLETE"
	TestState  State = "TEST"
	OnHold     State = "ON_HOLD"
	emptyState State = ""
)

// LineItemType is LineItemType: how a line item relates to its parent.
type LineItemType string

// Line item relations.
const (
	LineNew     LineItemType = "NEW"
	LineUpgrade LineItemType = "UPGRADE"
	LineUpsell  LineItemType = "UPSELL"
	LineRenewal LineItemType = "RENEWAL"
)

// AccountType is accountType / AcctType.
type AccountType string

// Account types.
const (
	Customer       AccountType = "CUSTOMER"
	Publisher      AccountType = "PUBLISHER"
	ChannelPartner AccountType = "CHANNEL_PARTNER"
	SelfRegistered AccountType = "SELF_REGISTERED"
)

// SearchType is simpleSearchType (and enumSearchType for NOT_EQUALS).
type SearchType string

// Search types.
const (
	Equals     SearchType = "EQUALS"
	NotEquals  SearchType = "NOT_EQUALS"
	StartsWith SearchType = "STARTS_WITH"
	EndsWith   SearchType = "ENDS_WITH"
	Contains   SearchType = "CONTAINS"
)

// DateSearchType is datedSearchType.
type DateSearchType string

// Date search types.
const (
	Before DateSearchType = "BEFORE"
	After  DateSearchType = "AFTER"
	On     DateSearchType = "ON"
)

// Match is one SimpleQueryType criterion. The zero Match is unset and
// matches everything. FNO compares case-insensitively, and so do we.
type Match struct {
	Value string
	Type  SearchType
}

// Set reports whether the criterion was given.
func (m Match) Set() bool { return m.Type != "" }

// Matches reports whether s satisfies the criterion; an unset Match matches
// everything and an unknown search type matches nothing (Validate first).
func (m Match) Matches(s string) bool {
	switch m.Type {
	case "":
		return true
	case Equals:
		return strings.EqualFold(s, m.Value)
	case NotEquals:
		return !strings.EqualFold(s, m.Value)
	case StartsWith:
		return len(s) >= len(m.Value) && strings.EqualFold(s[:len(m.Value)], m.Value)
	case EndsWith:
		return len(s) >= len(m.Value) && strings.EqualFold(s[len(s)-len(m.Value):], m.Value)
	case Contains:
		return containsFold(s, m.Value)
	}
	return false
}

// Validate reports an unknown search type, or NOT_EQUALS where enumOnly is
// false (the contracts define NOT_EQUALS for enumerations only).
func (m Match) Validate(field string, enum bool) error {
	switch m.Type {
	case "", Equals, StartsWith, EndsWith, Contains:
		return nil
	case NotEquals:
		if enum {
			return nil
		}
	}
	return invalidf("%s: unsupported search type", field)
}

// DateMatch is one DateQueryType criterion, compared by calendar day (UTC).
// The zero DateMatch is unset.
type DateMatch struct {
	Value time.Time
	Type  DateSearchType
}

// Set reports whether the criterion was given.
func (m DateMatch) Set() bool { return m.Type != "" }

// Matches reports whether t satisfies the criterion; a zero t (no date)
// matches only an unset criterion.
func (m DateMatch) Matches(t time.Time) bool {
	if m.Type == "" {
		return true
	}
	if t.IsZero() {
		return false
	}
	a, b := dayOf(t), dayOf(m.Value)
	switch m.Type {
	case Before:
		return a < b
	case After:
		return a > b
	case On:
		return a == b
	}
	return false
}

// Page selects one batch of results: Number counts from 1, Size is the
// batch size; Size <= 0 means all results.
type Page struct {
	Number int
	Size   int
}

// Attribute is a custom attribute (attributeDescriptorType), kept as text.
type Attribute struct {
	Name  string
	Value string
}

// Address is addressDataType.
type Address struct {
	Address1, Address2, City, State, Zipcode, Country, Region string
}

// Account is an account (organisation before v3) in the hierarchy.
type Account struct {
	ID          string // FNO "id": unique, what other records point at
	Name        string // unique display name
	Description string
	Type        AccountType
	Parent      string // parent account ID; "" for a root account
	Visible     bool
	Address     Address
	Attributes  []Attribute
	Created     time.Time
	Modified    time.Time
	CreatedBy   string
	ModifiedBy  string
}

// AccountRole is a user's membership in one account.
type AccountRole struct {
	AccountID string
	Roles     []string
	Expiry    time.Time // zero: never
}

// User is a portal user.
type User struct {
	ID          string // uniqueId
	UserName    string // login name, unique (usually the e-mail address)
	FirstName   string
	LastName    string
	DisplayName string
	Email       string
	Phone       string
	Fax         string
	Street      string
	City        string
	State       string
	Zipcode     string
	Country     string
	Locale      string
	Timezone    string
	Active      bool
	CanLogin    bool
	Shared      bool
	OptIn       bool
	Accounts    []AccountRole
	Attributes  []Attribute
	Created     time.Time
	Modified    time.Time
	LastLogin   time.Time
	Expiry      time.Time
	CreatedBy   string
	ModifiedBy  string
}

// Feature is a licensed feature.
type Feature struct {
	ID            string
	Name          string
	Version       string
	VersionFormat string // FIXED or DATE_BASED
	Description   string
	State         State
	Created       time.Time
	Modified      time.Time
}

// FeatureCount is a feature in a product with its count.
type FeatureCount struct {
	Name    string
	Version string
	Count   int
}

// LicenseModel is a license model.
type LicenseModel struct {
	ID          string
	Name        string
	Technology  string // license technology, e.g. "FlexNet Embedded"
	Description string
}

// ProductKey names a product the way FNO's primary keys do.
type ProductKey struct {
	Name    string
	Version string
}

// Product is a licensed product (or suite, or maintenance product).
type Product struct {
	ID            string
	Name          string
	Version       string
	Description   string
	ProductLine   string
	Type          string // LICENSED_PRODUCT, SUITE, MAINTENENACE (sic, as the contract spells it)
	State         State
	Technology    string
	Features      []FeatureCount
	LicenseModels []string // license model names
	HostTypes     []string
	PartNumbers   []string // part IDs
	Created       time.Time
	Modified      time.Time
}

// Key returns the product's primary keys.
func (p Product) Key() ProductKey { return ProductKey{p.Name, p.Version} }

// PartNumber is a part number (SKU) that maps to a product.
type PartNumber struct {
	ID           string
	PartID       string // the part number itself, unique
	Description  string
	Product      ProductKey
	LicenseModel string
}

// Duration is DurationType.
type Duration struct {
	Count int
	Unit  string // DAYS, WEEKS, MONTHS, YEARS
}

// Entitlement is a simple or bulk entitlement; its line items are listed by
// activation ID in creation order.
type Entitlement struct {
	ID               string // entitlementId
	UniqueID         string
	Bulk             bool
	BulkType         string // UPGRADE, UPSELL, RENEWAL (bulk only)
	Description      string
	SoldTo           string // account ID
	ShipToEmail      string
	ShipToAddress    string
	State            State
	CreatedBy        string
	AllowPortalLogin bool
	Users            []string // user names mapped to it (mapEntitlementsToUser)
	Attributes       []Attribute
	Created          time.Time
	Modified         time.Time
	LineItems        []string // activation IDs; set by the store
}

// LineItem is an entitlement line item (or maintenance line item, or a bulk
// entitlement's web register key). Copies is numberOfCopies; Fulfilled is
// fulfilledAmount, the copies consumed by fulfilments and add-on mappings.
type LineItem struct {
	ActivationID    string
	UniqueID        string
	EntitlementID   string // set by the store
	Description     string
	Product         ProductKey
	PartNumber      string // part ID
	LicenseModel    string // license model name
	OrderID         string
	OrderLineNumber string
	Copies          int
	Fulfilled       int
	Overdraft       int // overdraftMax
	State           State
	Type            LineItemType // relation to Parent; "" for none
	Parent          string       // parent line item's activation ID
	Maintenance     bool
	Activatable     string // LINEITEM, or WEBREGKEY for a bulk entitlement's keys
	Start           time.Time
	Expiration      time.Time // zero when Permanent
	Permanent       bool
	StartDateOption string
	Term            Duration
	AutoRenewal     bool
	RenewalInterval Duration
	RenewalExpiry   time.Time
	Trusted         bool
	Attributes      []Attribute
	Created         time.Time
	Modified        time.Time
}

// Remaining is numberOfRemainingCopies.
func (l LineItem) Remaining() int { return l.Copies - l.Fulfilled }

// DeviceKey identifies a device in a request: by UniqueID when set, else by
// DeviceID (with IDType and Publisher narrowing it when given).
type DeviceKey struct {
	UniqueID  string
	DeviceID  string
	IDType    IDType
	Publisher string
}

// DeviceRef is enough of a device to answer a deviceIdentifier or deviceId.
type DeviceRef struct {
	UniqueID  string
	DeviceID  string
	IDType    IDType
	Class     DeviceClass
	Publisher string
}

// IsZero reports whether the reference is empty (no parent, say).
func (r DeviceRef) IsZero() bool { return r.UniqueID == "" }

// AddOn is a line item mapped onto a device with a count.
type AddOn struct {
	ActivationID       string
	Count              int
	ExpirationOverride time.Time // zero: none
	Created            time.Time
	Modified           time.Time
}

// Device is a FlexNet Embedded host: a client, a license server, or a client
// served by one.
type Device struct {
	UniqueID    string
	DeviceID    string
	IDType      IDType
	Class       DeviceClass
	Publisher   string
	Alias       string // "name" in searchDevices
	Description string
	HostType    string
	Status      DeviceStatus
	Served      ServedStatus
	Parent      DeviceRef // the serving server of a SERVED_CLIENT
	SoldTo      string    // account ID; "" when none
	SiteName    string
	User        string // userString / deviceUser
	Deployment  string // LOCAL or CLOUD
	MachineType string // PHYSICAL, VIRTUAL or UNKNOWN
	Created     time.Time
	Modified    time.Time
	LastSync    time.Time
	LastRequest time.Time
	AddOns      []AddOn
}

// Ref returns the device's reference.
func (d Device) Ref() DeviceRef {
	return DeviceRef{UniqueID: d.UniqueID, DeviceID: d.DeviceID, IDType: d.IDType, Class: d.Class, Publisher: d.Publisher}
}

// Key returns a key that finds this device.
func (d Device) Key() DeviceKey { return DeviceKey{UniqueID: d.UniqueID} }

// HasLicense reports whether the device has anything to license: an add-on
// with a count. hasLicense in searchDevices v5.
func (d Device) HasLicense() bool {
	for _, a := range d.AddOns {
		if a.Count > 0 {
			return true
		}
	}
	return false
}

// Hosted reports whether the device is hosted in the cloud (deployment CLOUD).
func (d Device) Hosted() bool { return d.Deployment == "CLOUD" }

// Fulfillment is a generated licence (FulfillmentSourceType ONLINE) for a
// host, consuming Count copies of a line item.
type Fulfillment struct {
	ID                string
	ActivationID      string
	EntitlementID     string // set by the store
	Product           ProductKey
	HostID            string
	HostType          string
	SoldTo            string // account ID; set by the store
	Count             int
	Overdraft         int
	State             State
	Type              string // fulfillmentType, e.g. "FlexNet Publisher Fulfillment"
	SupportAction     string // MASTER, REHOST, RETURN, REPAIR, ...
	Parent            string // the fulfilment this one replaced
	LicenseText       string
	LicenseTechnology string
	Source            string // ONLINE or APPLICATION
	ActivationType    string // PROGRAMMATIC, MANUAL, ...
	User              string
	Start             time.Time
	Expiration        time.Time
	Permanent         bool
	FulfillDate       time.Time
	Modified          time.Time
}

// Host is a licence host as LicenseService v2 getHostQuery lists it: one per
// distinct host ID with fulfilments.
type Host struct {
	ID                string
	Type              string
	SoldTo            string // account ID
	Account           string // account name
	LicenseTechnology string
}

// Sizes are the generator's targets; zero fields take DefaultSizes.
type Sizes struct {
	Accounts     int
	Users        int // per account on average ×10 (so 25 is 2.5 users per account); 0: default
	Products     int
	Entitlements int // line items are 1–5 per entitlement
	Devices      int
	Fulfillments int
}

// DefaultSizes are what `fnokit serve` generates without size flags.
func DefaultSizes() Sizes {
	return Sizes{Accounts: 200, Users: 25, Products: 40, Entitlements: 2000, Devices: 10000, Fulfillments: 2000}
}

// DeviceQuery is getDevicesQuery / searchDevices criteria; all set criteria
// must hold. SoldTo matches the account's name, SoldToAcctID its ID.
type DeviceQuery struct {
	DeviceID, Alias, Description, HostType Match
	IDType, Status                         Match // EQUALS or NOT_EQUALS (STARTS_WITH etc. also work)
	SoldTo, SoldToAcctID, ParentID         Match
	UserString, SiteName, Publisher        Match
	AddOnActivationID, AddOnEntitlementID  Match
	AddOnProductName, AddOnProductVersion  Match
	AddOnPartNumber, FeatureName           Match
	Classes                                []DeviceClass // any of; empty: all
	Hosted, HasLicense                     *bool
	AddOnExpiration                        DateMatch // any add-on's line item expiration (override first)
	Sort                                   []SortBy  // empty: the driving index's order (see Devices)
}

// SortBy is one deviceSortBy: a deviceSortKey name and a direction.
type SortBy struct {
	Key       string
	Ascending bool
}

// EntitlementQuery is getEntitlementsQuery / getEntitlementCount criteria.
// SoldTo matches the account ID; AccountNames match the sold-to account's
// name, any of them (accountUnitName).
type EntitlementQuery struct {
	EntitlementID, Description, SoldTo, ShipToEmail, ShipToAddress Match
	ProductName, ProductVersion, PartNumber, LicenseTechnology     Match
	CreatedBy, ActivationID, State                                 Match
	AccountNames                                                   []Match
	Bulk                                                           *bool
	Start, Expiration, Created, Modified                           DateMatch
}

// LineItemQuery is getActivatableItemsQuery / getEntitlementLineItemPropertiesQuery
// criteria. ActivationIDs (v6 activationIds) is an exact set, any of;
// AccountNames (v8, several accountUnitName values) match the sold-to
// account's name, any of them.
type LineItemQuery struct {
	ActivationID, EntitlementID, ProductName, ProductVersion, PartNumber Match
	LicenseModel, OrderID, OrderLineNumber, Description, SoldTo          Match
	ParentActivationID, State, EntitlementState                          Match
	ActivationIDs                                                        []string
	AccountNames                                                         []Match
	Start, Expiration                                                    DateMatch
	Permanent                                                            *bool
	WithCount                                                            bool // restrictToItemsWithCount: remaining > 0
	ReadyToActivate                                                      bool // deployed and remaining > 0
	Activatable                                                          string
	User                                                                 string // entitlements mapped to this user
}

// FulfillmentQuery is getFulfillmentsQuery / getFulfillmentCount criteria.
type FulfillmentQuery struct {
	FulfillmentID, EntitlementID, ActivationID, Product, HostID Match
	SoldTo, LicenseTechnology, State                            Match
	FulfillDate, Start, Expiration, Modified                    DateMatch
	User, Source, ActivationType                                string // exact when set
}

// HostQuery is LicenseService v2 getHostQuery / getHostCount criteria.
type HostQuery struct {
	HostID, SoldTo, LicenseTechnology, HostType, Account, FulfillmentState Match
}

// AccountQuery is getAccountsQuery / getAccountCount criteria.
type AccountQuery struct {
	ID, Name, Description                                     Match
	Address1, Address2, City, State, Zipcode, Country, Region Match
	OnlyRoots                                                 bool
	Types                                                     []AccountType // any of; empty: all
	Modified                                                  DateMatch
}

// UserQuery is getUsersQuery / getUserCount criteria. AccountIDs (several
// from v6) match any account the user belongs to; with LinkedAccounts
// (usersFromLinkedAccount) a user of a descendant account matches too.
type UserQuery struct {
	UserName, FirstName, LastName, DisplayName, Email, Phone, Fax Match
	Street, City, State, Zipcode, Country, AccountName            Match
	AccountIDs                                                    []Match
	Active, CanLogin                                              *bool
	AccountType                                                   AccountType
	Roles                                                         []string // has all of
	LinkedAccounts                                                bool
	Modified                                                      DateMatch
}

// ProductQuery is getProductsQuery / getProductCount criteria.
type ProductQuery struct {
	Name, Version, Description, PartNumber, State, LicenseTechnology, HostType Match
}

// FeatureQuery is getFeaturesQuery / getFeatureCount criteria.
type FeatureQuery struct {
	Name, Version, Description, State, VersionFormat Match
}
