package versiondiff

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/fnokit/fnokit/internal/schemadiff"
)

// RulesFile is where the rules document lives, relative to the repository
// root.
const RulesFile = "schemas/DIFF-RULES.md"

// RulesMarkdown renders the rules document (schemas/DIFF-RULES.md) from the
// rule list and oasdiff's registry; a test keeps the file equal to it.
func RulesMarkdown() []byte {
	var b bytes.Buffer
	b.WriteString(`# Version-diff rules

<!-- Generated from internal/versiondiff/rules.go (and oasdiff's rule registry) by
     go test ./internal/versiondiff -run TestRulesDocument -update
     Do not edit by hand: the test fails when this file and the table differ. -->

` + "`fnokit schemas diff`" + ` and ` + "`fnokit migrate`" + ` judge every change between two versions of a
contract from the **client's point of view**, separately for what the client sends (the
**request**) and what it reads (the **response**):

- **breaking** — some requests an old client sends are refused, or some answers cannot be read
  as the old client expects. ` + "`schemas diff`" + ` exits 2.
- **needs-attention** — a client keeps working if its parser is lax or its code does not depend
  on what changed; strict parsers (Axis 1.x beans, validating JAXB, closed enum types) may fail.
  Exit 0, or 2 with ` + "`--fail-on needs-attention`" + `.
- **non-breaking** — a client built for the old contract keeps working.

The structural differences come from ` + "`internal/schemadiff`" + ` (kind, and whether the change
widens, narrows or is incompatible with the set of valid instances); each is judged by exactly
one rule below (a test proves every kind × side × change meets one rule). Only what an instance
can show is compared: a type renamed, or refactored into other named types of the same shape,
is no change (a type whose shape changes shows as the element, cardinality, type or
enumeration changes it makes, at every path that uses it).

**Namespaces.** FNO publishes each service version in its own namespace, so a version move
always changes it. It is reported once per service and side, not once per element, as
**needs-attention**: moving versions means calling the new endpoint with every element in the
new namespace (regenerated stubs do it; ` + "`fnokit migrate`" + ` rewrites it), while the old
version's endpoint keeps answering in the old namespace, so nothing breaks until the client
moves. A namespace change that is not a move between two FNO versions (two files of one
version, or foreign namespaces) is **breaking** on both sides.

## SOAP rules (WSDL and XSD)

| ID | side | level | schemadiff kind (change) | what changed | why this level |
| --- | --- | --- | --- | --- | --- |
`)
	for _, r := range rules {
		kind := "—"
		if r.Kind != "" {
			kind = "`" + string(r.Kind) + "`"
			if r.Changes != nil {
				var cs []string
				for _, c := range r.Changes {
					cs = append(cs, c.String())
				}
				kind += " (" + strings.Join(cs, ", ") + ")"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", r.ID, r.Side, r.Level, kind, cell(r.Message), cell(r.Why))
	}
	fmt.Fprintf(&b, `
Kinds of structural difference (from `+"`internal/schemadiff/kinds.go`"+`):

`)
	for _, k := range schemadiff.Kinds {
		fmt.Fprintf(&b, "- `%s`: %s\n", k.Kind, k.Summary)
	}
	fmt.Fprintf(&b, `
## REST rules (OpenAPI, through oasdiff)

Two OpenAPI documents are compared with `+"`github.com/oasdiff/oasdiff`"+` used as a library, every
check of its registry at every level. Each finding's ID is `+"`%s`"+`: the prefix followed by
oasdiff's rule ID in upper case; %s. The %d rules of the oasdiff version in go.mod:

<details><summary>every oasdiff rule with its ID, side and level here</summary>

| ID | oasdiff rule | side | level |
| --- | --- | --- | --- |
`, restRule.ID, restRule.Why, len(RESTRules()))
	for _, r := range RESTRules() {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", r.ID, r.OasdiffID, r.Side, r.Level)
	}
	b.WriteString("\n</details>\n")
	return b.Bytes()
}

// cell escapes a table cell.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
