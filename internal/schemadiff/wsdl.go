package schemadiff

import (
	"fmt"
	"io"
	"strings"

	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// Report is the comparison of the operations of two WSDLs.
type Report struct {
	// Old and New label the two sides in the text rendering.
	Old, New   string
	Operations []OperationReport
}

// OperationReport holds the differences of one operation, request first.
type OperationReport struct {
	Name        string
	Differences []Difference
}

// Differences returns every difference of the report, in operation order.
func (r Report) Differences() []Difference {
	var out []Difference
	for _, op := range r.Operations {
		out = append(out, op.Differences...)
	}
	return out
}

// Breaking counts the breaking differences.
func (r Report) Breaking() int {
	n := 0
	for _, d := range r.Differences() {
		if d.Breaking {
			n++
		}
	}
	return n
}

// CompareWSDL compares our WSDL with a reference WSDL (the vendor's) for the
// named operations, or for every operation ours defines when ops is empty.
// The reference is the old side and ours the new one, so "element-added"
// means ours has an element the reference does not.
func CompareWSDL(ourPath, refPath string, ops []string) (Report, error) {
	ref, err := wsdl.ParseFile(refPath)
	if err != nil {
		return Report{}, fmt.Errorf("reference: %w", err)
	}
	ours, err := wsdl.ParseFile(ourPath)
	if err != nil {
		return Report{}, fmt.Errorf("ours: %w", err)
	}
	return CompareDefinitions(ref, ours, "reference "+refPath, "ours "+ourPath, ops, nil)
}

// CompareDefinitions compares the operations of two parsed WSDLs, old side
// first; oldLabel and newLabel name them in the report. With ops empty,
// every operation of the new side is compared; an operation that only one
// side defines is an OperationAdded or OperationRemoved difference.
// classify may be nil (Breaking).
func CompareDefinitions(old, new *wsdl.Definitions, oldLabel, newLabel string, ops []string, classify Classifier) (Report, error) {
	r := Report{Old: oldLabel, New: newLabel}
	mo, err := xsdmodel.LoadWSDL(old)
	if err != nil {
		return r, fmt.Errorf("%s: schema model: %w", oldLabel, err)
	}
	mn, err := xsdmodel.LoadWSDL(new)
	if err != nil {
		return r, fmt.Errorf("%s: schema model: %w", newLabel, err)
	}
	if len(ops) == 0 {
		for _, op := range new.Operations {
			ops = append(ops, op.Name)
		}
	}
	if classify == nil {
		classify = Breaking
	}
	for _, name := range ops {
		or := OperationReport{Name: name}
		oo, inOld := old.Operation(name)
		on, inNew := new.Operation(name)
		switch {
		case !inOld && !inNew:
			return r, fmt.Errorf("operation %s is defined by neither side; check the operation list", name)
		case !inOld || !inNew:
			k, o, n := OperationAdded, "absent", "defined"
			if !inNew {
				k, o, n = OperationRemoved, "defined", "absent"
			}
			d := Difference{Kind: k, Path: "/", Old: o, New: n}
			d.Breaking = classify(d)
			or.Differences = append(or.Differences, d)
			r.Operations = append(r.Operations, or)
			continue
		}
		for _, msg := range []struct {
			m      Message
			oe, ne Side
		}{
			{Request, Side{mo, oo.Input}, Side{mn, on.Input}},
			{Response, Side{mo, oo.Output}, Side{mn, on.Output}},
		} {
			if msg.oe.Root.Local == "" || msg.ne.Root.Local == "" {
				if msg.oe.Root.Local != msg.ne.Root.Local {
					d := Difference{Kind: RootElementChanged, Message: msg.m, Path: "/", Old: orNone(msg.oe.Root.Local), New: orNone(msg.ne.Root.Local), Change: Incompatible}
					d.Breaking = classify(d)
					or.Differences = append(or.Differences, d)
				}
				continue
			}
			ds, err := Compare(msg.oe, msg.ne, Options{Message: msg.m, Classify: classify})
			if err != nil {
				return r, fmt.Errorf("operation %s %s: %w", name, msg.m, err)
			}
			or.Differences = append(or.Differences, ds...)
		}
		r.Operations = append(r.Operations, or)
	}
	return r, nil
}

func orNone(s string) string {
	if s == "" {
		return "no element"
	}
	return s
}

// WriteText renders the report for people: one line per operation without
// differences, and one block per operation with them.
func (r Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "old: %s\nnew: %s\n", r.Old, r.New)
	total := 0
	for _, op := range r.Operations {
		if len(op.Differences) == 0 {
			fmt.Fprintf(&b, "  %s: no differences\n", op.Name)
			continue
		}
		total += len(op.Differences)
		fmt.Fprintf(&b, "  %s: %d difference(s)\n", op.Name, len(op.Differences))
		for _, d := range op.Differences {
			mark := ""
			if d.Breaking {
				mark = "  [breaking]"
			}
			msg := d.Message.String()
			if d.Kind == OperationAdded || d.Kind == OperationRemoved {
				msg = "operation"
			}
			fmt.Fprintf(&b, "    %-8s %-22s %s%s\n", msg, d.Kind, d.Path, mark)
			fmt.Fprintf(&b, "             old: %s\n             new: %s\n", d.Old, d.New)
		}
	}
	fmt.Fprintf(&b, "%d operation(s), %d difference(s), %d breaking\n", len(r.Operations), total, r.Breaking())
	_, err := io.WriteString(w, b.String())
	return err
}
