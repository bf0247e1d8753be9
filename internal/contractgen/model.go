package contractgen

import (
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
)

// Namespace families of the contract format (the family key).
const (
	FamilyOperations = "operations" // urn:com.macrovision:flexnet/operations, urn:vN.webservices.operations.flexnet.com
	FamilyFNE        = "fne"        // ManageDevice: …/opsembedded, urn:vN.fne.webservices.operations.flexnet.com
	FamilyPlatform   = "platform"   // FlexnetAuthentication: …/platform, urn:vN.webservices.platform.flexnet.com
	FamilyCustom     = "custom"     // namespace template with {v} and {n}
)

// Contract is one parsed and checked contract.yaml.
type Contract struct {
	File      string // the path it was read from, for messages
	Service   string // endpoint name: /flexnet/services/[vN/]<Service>
	Family    string
	Namespace string // the template, only for FamilyCustom
	Versions  []contract.Version
	Doc       string
	Changes   []Change

	// PortType and ServiceName override the Axis names (extension of the
	// format, see schemas/soap/README.md); empty means the default.
	PortType    string
	ServiceName string
	// NoSlashSince is the first version whose binding, port and service
	// names omit the "/" (v5EntitlementOrderServiceSoapBinding): FNO
	// 2021.09 changed the format. Empty means the built-in default.
	NoSlashSince contract.Version

	SimpleTypes  []*SimpleType
	ComplexTypes []*ComplexType
	Elements     []*Element
	Operations   []*Operation
}

// Span is an inclusive range of indexes into Contract.Versions: the
// versions an entry exists in.
type Span struct{ From, To int }

// Has reports whether version index i is in the span.
func (s Span) Has(i int) bool { return i >= s.From && i <= s.To }

// Change is one entry of changes: what a version added, and where it is
// documented.
type Change struct {
	Version contract.Version
	Text    []string
}

// SimpleType is a named restriction of an XSD builtin.
type SimpleType struct {
	Name   string
	Doc    string
	Span   Span
	Base   string // builtin local name
	Values []*EnumValue
	Facets []Facet // in the format's fixed order
	line   int
}

// EnumValue is one enumeration value with its versions.
type EnumValue struct {
	Value string
	Doc   string
	Span  Span
	line  int
}

// Facet is a restriction facet other than enumeration.
type Facet struct {
	Name  string // minLength, maxLength, pattern, minInclusive, maxInclusive
	Value string
}

// ComplexType is a named type with one sequence, optionally extending
// another complex type.
type ComplexType struct {
	Name    string
	Doc     string
	Span    Span
	Extends string
	// Open marks a type whose content is not known: its sequence is one
	// lax xsd:any, so any elements are accepted. Its own sequence is empty
	// (checked), since a wildcard next to declared elements breaks XSD's
	// Unique Particle Attribution rule.
	Open     bool
	Sequence []*Entry
	line     int
	openLine int // where open: true is written, for messages
}

// Unbounded is Entry.Max for maxOccurs="unbounded".
const Unbounded = -1

// Entry is one element of a sequence.
type Entry struct {
	Name     string
	Type     string
	Min, Max int // Max is Unbounded or ≥ 1
	Nillable bool
	Doc      string
	Span     Span
	line     int
}

// Element is a global element (an operation's message payload).
type Element struct {
	Name string
	Type string
	Doc  string
	Span Span
	line int
}

// Operation is one document/literal operation.
type Operation struct {
	Name          string
	Input, Output string // global element names
	Doc           string
	Span          Span
	line          int
}

// builtins are the XSD built-in datatypes a contract may name without
// defining them.
var builtins = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`anyType anySimpleType string normalizedString token language
		Name NCName NMTOKEN NMTOKENS ID IDREF IDREFS ENTITY ENTITIES QName NOTATION anyURI
		boolean base64Binary hexBinary float double decimal integer nonPositiveInteger
		negativeInteger long int short byte nonNegativeInteger unsignedLong unsignedInt
		unsignedShort unsignedByte positiveInteger duration dateTime time date gYearMonth
		gYear gMonthDay gDay gMonth`) {
		builtins[n] = true
	}
}

// IsBuiltin reports whether name is an XSD built-in datatype.
func IsBuiltin(name string) bool { return builtins[name] }

// VersionIndex returns the index of v in c.Versions, or -1.
func (c *Contract) VersionIndex(v contract.Version) int {
	for i, x := range c.Versions {
		if x == v {
			return i
		}
	}
	return -1
}

// TargetNamespace is the namespace of version v's payloads.
func (c *Contract) TargetNamespace(v contract.Version) string {
	return familyNamespace(c.Family, c.Namespace, v)
}

// Endpoint is the path of version v below the site root.
func (c *Contract) Endpoint(v contract.Version) string { return contract.Endpoint(c.Service, v) }

// familyNamespace maps a family to its namespace. The three FNO families
// come from internal/contract, the one place that knows FNO's URNs; it
// keys them by service, so a service of each family stands for it.
func familyNamespace(family, template string, v contract.Version) string {
	switch family {
	case FamilyFNE:
		return contract.Namespace("ManageDeviceService", v)
	case FamilyPlatform:
		return contract.Namespace("FlexnetAuthentication", v)
	case FamilyCustom:
		n := v.Number()
		r := strings.NewReplacer("{v}", v.String(), "{n}", strconv.Itoa(n))
		return r.Replace(template)
	}
	return contract.Namespace("EntitlementOrderService", v)
}
