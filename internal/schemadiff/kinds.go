package schemadiff

// Kind is the stable ID of a kind of difference (kebab-case). Tools and
// known-deviation lists key on it, so an ID never changes meaning.
type Kind string

// Every kind of difference, in the order Kinds lists them.
const (
	OperationAdded       Kind = "operation-added"
	OperationRemoved     Kind = "operation-removed"
	RootElementChanged   Kind = "root-element-changed"
	ElementAdded         Kind = "element-added"
	ElementRemoved       Kind = "element-removed"
	OrderChanged         Kind = "order-changed"
	MinOccursChanged     Kind = "min-occurs-changed"
	MaxOccursChanged     Kind = "max-occurs-changed"
	NillableChanged      Kind = "nillable-changed"
	CompositorChanged    Kind = "compositor-changed"
	ContentChanged       Kind = "content-changed"
	BuiltinTypeChanged   Kind = "builtin-type-changed"
	EnumValueAdded       Kind = "enum-value-added"
	EnumValueRemoved     Kind = "enum-value-removed"
	FacetChanged         Kind = "facet-changed"
	ExtensionBaseChanged Kind = "extension-base-changed"
)

// KindInfo documents one kind.
type KindInfo struct {
	Kind    Kind
	Summary string
}

// Kinds lists every kind with what it means; the one explicit list.
var Kinds = []KindInfo{
	{OperationAdded, "the new side defines an operation the old side lacks"},
	{OperationRemoved, "the old side defines an operation the new side lacks"},
	{RootElementChanged, "an operation's input or output element has another name (or namespace, beyond the target namespace)"},
	{ElementAdded, "a child element exists only on the new side"},
	{ElementRemoved, "a child element exists only on the old side"},
	{OrderChanged, "a child element present on both sides moved relative to its siblings"},
	{MinOccursChanged, "an element's effective minOccurs differs"},
	{MaxOccursChanged, "an element's effective maxOccurs differs"},
	{NillableChanged, "an element's nillable differs"},
	{CompositorChanged, "the group around an element is another compositor (sequence, choice, all)"},
	{ContentChanged, "an element's content is of another kind: simple text, child elements, any content, wildcard"},
	{BuiltinTypeChanged, "simple content reaches another builtin type or variety (atomic, list, union)"},
	{EnumValueAdded, "an enumeration allows a value the old side does not"},
	{EnumValueRemoved, "an enumeration no longer allows a value"},
	{FacetChanged, "a facet (length, minLength, maxLength, pattern, min/max Inclusive/Exclusive, totalDigits, fractionDigits, whiteSpace, or the presence of an enumeration) differs"},
	{ExtensionBaseChanged, "a complex type inherits a different set of elements from its extension base (the instances may be the same; generated classes differ)"},
}

// Message tells which message of an operation a difference is in, which
// decides whether it breaks.
type Message int

// The two messages of a request/response operation.
const (
	Request Message = iota
	Response
)

func (m Message) String() string {
	if m == Response {
		return "response"
	}
	return "request"
}

// Change says how a difference moves the set of instances the schema
// accepts, from the old side to the new.
type Change int

// Changes, from harmless to incompatible.
const (
	// Neutral: the same instances are valid (e.g. a base type refactored).
	Neutral Change = iota
	// Widens: every old instance stays valid, some new ones are too.
	Widens
	// Narrows: every new instance was valid before, some old ones no longer are.
	Narrows
	// Incompatible: both directions lose instances.
	Incompatible
)

func (c Change) String() string {
	switch c {
	case Widens:
		return "widens"
	case Narrows:
		return "narrows"
	case Incompatible:
		return "incompatible"
	}
	return "neutral"
}

// Classifier decides whether a difference breaks the other party of the
// message: clients for a request, response parsers for a response.
type Classifier func(Difference) bool

// Breaking is the default Classifier. Old is the contract the other party
// was built against; New is what the server now implements.
//
// Request (the client sends, the new server validates): a difference
// breaks when it rejects a message an old client may send — every Narrows
// or Incompatible change: a removed element, a new required element, a
// narrowed enumeration (a value removed), a raised minOccurs or lowered
// maxOccurs, nillable withdrawn, a tightened facet, a moved element, another
// type. A new optional element or a new enum value does not break.
//
// Response (the new server sends, the old client parses): a difference
// breaks when the client may meet what it was not built for or lose what it
// read — every Widens or Incompatible change: a new enum value, cardinality
// widening (a lower minOccurs, a higher maxOccurs, nillable granted), a
// loosened facet, another type, a moved element — and every removed element,
// even an optional one, because a client that read it gets nothing. A new
// optional element does not break: SOAP toolkits generated with lax parsing
// skip unknown elements (strict ones such as Axis 1.x beans do not; a
// stricter classifier can count ElementAdded too).
//
// Operations: a removed operation breaks, an added one does not.
// ExtensionBaseChanged is Neutral on the wire and never breaks.
func Breaking(d Difference) bool {
	switch d.Kind {
	case OperationRemoved:
		return true
	case OperationAdded:
		return false
	}
	if d.Message == Response {
		if d.Kind == ElementRemoved {
			return true
		}
		if d.Kind == ElementAdded && d.Change == Widens {
			return false
		}
		return d.Change == Widens || d.Change == Incompatible
	}
	return d.Change == Narrows || d.Change == Incompatible
}
