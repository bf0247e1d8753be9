package server

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// Contract drift: each mode edits a valid response tree, guided by the
// version's schema model, so that it no longer validates. The edits are
// the ones real upgrades produce (a field dropped, renamed or retyped, a new
// enum value, a new element, the wrong version's namespace), applied to the
// first place in document order where the mode can break the contract, so
// a test knows where to look.

// driftText is the value the bad-enum and wrong-type modes write.
const driftText = "FNOKIT_DRIFT"

// DriftElement is the local name of the element extra-element adds.
const DriftElement = "fnokitUndeclared"

// NSDrift is the namespace wrong-namespace uses when the service has no
// other version to borrow one from.
const NSDrift = "urn:fnokit:drift"

// modeler is a projection that shares its schema model (the project
// package's does), which saves drift loading a second copy.
type modeler interface{ Model() *xsdmodel.Model }

// schemaModel returns the version's schema model, loaded on first use;
// only drift needs it.
func (ep *endpoint) schemaModel(p Projector) (*xsdmodel.Model, error) {
	ep.modelOnce.Do(func() {
		if proj, err := ep.projection(p); err == nil {
			if m, ok := proj.(modeler); ok && m.Model() != nil {
				ep.model = m.Model()
				return
			}
		}
		doc, err := schemas.WSDL(ep.v.Service, ep.v.Version.String())
		if err != nil {
			ep.modelErr = err
			return
		}
		defs, err := wsdl.Parse(doc)
		if err != nil {
			ep.modelErr = fmt.Errorf("parse WSDL: %w", err)
			return
		}
		ep.model, ep.modelErr = xsdmodel.LoadWSDL(defs)
	})
	return ep.model, ep.modelErr
}

// applyDrift edits root in place; it reports whether the mode found a place
// to apply.
func applyDrift(mode DriftMode, root *xmltree.Node, m *xsdmodel.Model, altNS string) bool {
	if root == nil {
		return false
	}
	rootDecl, _ := m.Element(root.Name.Space, root.Name.Local)
	switch mode {
	case DriftDropRequired:
		return dropRequired(root, rootDecl, m)
	case DriftRename:
		target := root
		if len(root.Children) > 0 {
			target = firstRequiredChild(root, rootDecl, m)
		}
		target.Name.Local = renamed(target.Name.Local)
		return true
	case DriftWrongNamespace:
		from := root.Name.Space
		root.MoveNamespace(from, altNS)
		return altNS != from
	case DriftBadEnum:
		done := false
		walkDecls(root, rootDecl, m, func(n *xmltree.Node, d *xsdmodel.Decl) bool {
			if st := d.SimpleType(); st != nil && len(st.Enumeration) > 0 && len(n.Children) == 0 {
				n.Text = driftText
				done = true
				return false
			}
			return true
		})
		return done
	case DriftExtraElement:
		root.Children = append(root.Children, &xmltree.Node{
			Name: xmltree.Name{Space: root.Name.Space, Local: DriftElement}, Text: "drift"})
		return true
	case DriftWrongType:
		done := false
		walkDecls(root, rootDecl, m, func(n *xmltree.Node, d *xsdmodel.Decl) bool {
			if st := d.SimpleType(); st != nil && len(n.Children) == 0 && strictBuiltin(st) {
				n.Text = driftText
				done = true
				return false
			}
			return true
		})
		if !done {
			// No typed leaf in this response: put text where the type
			// allows only elements, which breaks it the same way.
			target := root
			if len(root.Children) > 0 && len(root.Children[0].Children) > 0 {
				target = root.Children[0]
			}
			target.Text = driftText
			done = true
		}
		return done
	}
	return false
}

// strictBuiltin reports whether the driftText cannot be a value of st: a
// numeric, boolean or date type without an enumeration.
func strictBuiltin(st *xsdmodel.SimpleType) bool {
	if len(st.Enumeration) > 0 || st.Variety != xsdmodel.Atomic {
		return false
	}
	switch st.Builtin.Local {
	case "int", "integer", "long", "short", "byte", "decimal", "double", "float",
		"nonNegativeInteger", "positiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
		"boolean", "date", "dateTime", "time", "gYear":
		return true
	}
	return false
}

// renamed changes the case of the first letter: the most common rename in
// the wild, and never a name the schema declares beside the original.
func renamed(local string) string {
	r, size := utf8.DecodeRuneInString(local)
	if r == utf8.RuneError {
		return local + "Renamed"
	}
	if unicode.IsUpper(r) {
		return string(unicode.ToLower(r)) + local[size:]
	}
	return string(unicode.ToUpper(r)) + local[size:]
}

// childDecls returns d's child declarations by local name.
func childDecls(d *xsdmodel.Decl, m *xsdmodel.Model) []*xsdmodel.Decl {
	if d == nil {
		return nil
	}
	cs, err := m.ChildrenOf(d)
	if err != nil {
		return nil
	}
	return cs
}

func declFor(cs []*xsdmodel.Decl, local string) *xsdmodel.Decl {
	for _, c := range cs {
		if !c.Wildcard && c.Name.Local == local {
			return c
		}
	}
	return nil
}

// walkDecls visits n and its descendants in document order with their
// declarations; fn returns false to stop.
func walkDecls(n *xmltree.Node, d *xsdmodel.Decl, m *xsdmodel.Model, fn func(*xmltree.Node, *xsdmodel.Decl) bool) bool {
	if d == nil {
		return true
	}
	if !fn(n, d) {
		return false
	}
	cs := childDecls(d, m)
	for _, c := range n.Children {
		if !walkDecls(c, declFor(cs, c.Name.Local), m, fn) {
			return false
		}
	}
	return true
}

// required reports whether removing one occurrence of a child declared by
// cd, present count times, breaks its parent.
func required(cd *xsdmodel.Decl, count int) bool {
	return cd != nil && !cd.InChoice && cd.MinOccurs >= 1 && count <= cd.MinOccurs
}

// dropRequired removes the first element (in document order) whose parent
// needs it.
func dropRequired(root *xmltree.Node, rootDecl *xsdmodel.Decl, m *xsdmodel.Model) bool {
	done := false
	walkDecls(root, rootDecl, m, func(n *xmltree.Node, d *xsdmodel.Decl) bool {
		cs := childDecls(d, m)
		for i, c := range n.Children {
			cd := declFor(cs, c.Name.Local)
			if required(cd, len(n.ChildrenNamed(c.Name.Local))) {
				n.Children = append(n.Children[:i:i], n.Children[i+1:]...)
				done = true
				return false
			}
		}
		return true
	})
	return done
}

// firstRequiredChild picks the child of root whose rename surely breaks:
// a required one, else the first.
func firstRequiredChild(root *xmltree.Node, rootDecl *xsdmodel.Decl, m *xsdmodel.Model) *xmltree.Node {
	cs := childDecls(rootDecl, m)
	for _, c := range root.Children {
		if required(declFor(cs, c.Name.Local), len(root.ChildrenNamed(c.Name.Local))) {
			return c
		}
	}
	return root.Children[0]
}
