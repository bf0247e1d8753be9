package sample

import (
	"fmt"

	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// ForWSDL generates the four samples of every operation of a WSDL, keyed by
// file name: <operation>.{request,response}.{valid,invalid}.xml. label
// names the WSDL in each sample's comment (e.g. "ManageDeviceService v3").
func ForWSDL(defs *wsdl.Definitions, label string) (map[string][]byte, error) {
	m, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		return nil, fmt.Errorf("%s: schema model: %w", label, err)
	}
	out := map[string][]byte{}
	for _, op := range defs.Operations {
		for _, part := range []struct {
			kind string
			root xmltree.Name
		}{{"request", op.Input}, {"response", op.Output}} {
			if part.root.Local == "" {
				continue
			}
			header := fmt.Sprintf("fnokit sample of %s %s %s (generated from the WSDL; regenerate, do not edit):", label, op.Name, part.kind)
			v, err := Valid(m, part.root)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", label, op.Name, part.kind, err)
			}
			out[op.Name+"."+part.kind+".valid.xml"] = Document(v, header)
			inv, err := Invalid(m, part.root)
			if err != nil {
				return nil, fmt.Errorf("%s %s %s: %w", label, op.Name, part.kind, err)
			}
			out[op.Name+"."+part.kind+".invalid.xml"] = Document(inv, header)
		}
	}
	return out, nil
}
