package contractgen

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
)

// axisShape is the naming of a WSDL that the generator reproduces.
type axisShape struct {
	PortType, Binding, Service, Port, Address string
	// Messages maps each operation to its input and output message names
	// and the part names of those messages.
	Messages map[string][4]string
}

func readShape(t *testing.T, data []byte) axisShape {
	t.Helper()
	var doc struct {
		PortType struct {
			Name string `xml:"name,attr"`
			Ops  []struct {
				Name  string `xml:"name,attr"`
				Input struct {
					Message string `xml:"message,attr"`
				} `xml:"input"`
				Output struct {
					Message string `xml:"message,attr"`
				} `xml:"output"`
			} `xml:"operation"`
		} `xml:"portType"`
		Messages []struct {
			Name string `xml:"name,attr"`
			Part struct {
				Name string `xml:"name,attr"`
			} `xml:"part"`
		} `xml:"message"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	defs, err := wsdl.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, m := range doc.Messages {
		parts[m.Name] = m.Part.Name
	}
	s := axisShape{PortType: doc.PortType.Name, Messages: map[string][4]string{}}
	local := func(q string) string { _, l, _ := strings.Cut(q, ":"); return l }
	for _, op := range doc.PortType.Ops {
		in, out := local(op.Input.Message), local(op.Output.Message)
		s.Messages[op.Name] = [4]string{in, out, parts[in], parts[out]}
	}
	if len(defs.Services) > 0 && len(defs.Services[0].Ports) > 0 {
		p := defs.Services[0].Ports[0]
		s.Service, s.Port, s.Binding, s.Address = defs.Services[0].Name, p.Name, p.Binding, p.Address
	}
	return s
}

// TestNamingMatchesReference: for every reference WSDL, the names the
// generator gives that service version are the names FNO publishes, and
// messages follow <operation>Request/Response with parts named after their
// element, as the generator writes them.
func TestNamingMatchesReference(t *testing.T) {
	t.Parallel()
	for _, path := range sharedref.WSDLs(t) {
		version := filepath.Base(filepath.Dir(path))
		service := strings.TrimSuffix(filepath.Base(path), ".wsdl")
		t.Run(version+"/"+service, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			ref := readShape(t, data)
			v, err := contract.ParseVersion(version)
			if err != nil {
				t.Fatal(err)
			}
			c := &Contract{Service: service}
			n := c.Names(v)
			got := axisShape{PortType: n.PortType, Binding: n.Binding, Service: n.Service, Port: n.Port, Address: n.Address}
			if got.PortType != ref.PortType || got.Binding != ref.Binding || got.Service != ref.Service ||
				got.Port != ref.Port || got.Address != ref.Address {
				t.Errorf("names differ:\n ours %+v\n  FNO %+v", got, axisShape{ref.PortType, ref.Binding, ref.Service, ref.Port, ref.Address, nil})
			}
			for op, m := range ref.Messages {
				if m[0] != op+"Request" || m[1] != op+"Response" {
					t.Errorf("%s: messages %s/%s, the generator writes %sRequest/%sResponse", op, m[0], m[1], op, op)
				}
			}
			defs, err := wsdl.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range defs.Operations {
				m := ref.Messages[op.Name]
				if m[2] != op.Input.Local || m[3] != op.Output.Local {
					t.Errorf("%s: part names %s/%s differ from their elements %s/%s", op.Name, m[2], m[3], op.Input.Local, op.Output.Local)
				}
				// UsageService (not in scope) is FNO's one service with
				// soapAction values; the format has no key for them yet.
				if op.SOAPAction != "" && service != "UsageService" {
					t.Errorf("%s: soapAction %q", op.Name, op.SOAPAction)
				}
			}
		})
	}
}
