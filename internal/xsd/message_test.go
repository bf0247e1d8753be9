package xsd

import "testing"

// libxml2 2.9's value-quoting messages, as it writes them.
func TestSanitize(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"Element '{urn:a}id': [facet 'pattern'] The value 'SECRET' is not accepted by the pattern '[A-Z]{3}'.",
			"Element '{urn:a}id': [facet 'pattern'] The value is not accepted by the pattern '[A-Z]{3}'."},
		{"Element 'id': [facet 'pattern'] The value 'a' is not accepted by the pattern 'b' is not accepted by the pattern '[0-9]'.",
			"Element 'id': [facet 'pattern'] The value is not accepted by the pattern '[0-9]'."},
		{"Element 's': [facet 'enumeration'] The value 'SECRET' is not an element of the set {'A', 'B'}.",
			"Element 's': [facet 'enumeration'] The value is not an element of the set {'A', 'B'}."},
		{"Element 'n': 'SECRET' is not a valid value of the atomic type 'xs:int'.",
			"Element 'n': The value is not a valid value of the atomic type 'xs:int'."},
		{"Element 'n': 'SECRET' is not a valid value of the local atomic type.",
			"Element 'n': The value is not a valid value of the local atomic type."},
		{"Element 'e', attribute 'a': 'SECRET' is not a valid value of the atomic type 'xs:boolean'.",
			"Element 'e', attribute 'a': The value is not a valid value of the atomic type 'xs:boolean'."},
		{"Element 'a': [facet 'maxLength'] The value has a length of '19'; this exceeds the allowed maximum length of '10'.",
			"Element 'a': [facet 'maxLength'] The value exceeds the allowed maximum length of '10'."},
		{"Element 'e', attribute 'a': [facet 'minLength'] The value 'SECRET' has a length of '6'; this underruns the allowed minimum length of '8'.",
			"Element 'e', attribute 'a': [facet 'minLength'] The value underruns the allowed minimum length of '8'."},
		{"Element 'n': [facet 'minInclusive'] The value 'SECRET' is less than the minimum value allowed ('10').",
			"Element 'n': [facet 'minInclusive'] The value is less than the minimum value allowed ('10')."},
		{"Element 'n': [facet 'maxExclusive'] The value 'SECRET' must be less than '10'.",
			"Element 'n': [facet 'maxExclusive'] The value must be less than '10'."},
		{"Element 'n': [facet 'totalDigits'] The value 'SECRET' has more digits than are allowed ('4').",
			"Element 'n': [facet 'totalDigits'] The value has more digits than are allowed ('4')."},
		{"Element 'n': The value 'SECRET' does not match the fixed value constraint 'F'.",
			"Element 'n': The value does not match the fixed value constraint 'F'."},
		{"Element 'n', attribute 'xsi:type': The QName value 'SECRET' does not resolve to a(n) type definition.",
			"Element 'n', attribute 'xsi:type': The QName value does not resolve to a(n) type definition."},
		{"Element 'k': Duplicate key-sequence ['SECRET', 'X'] in unique identity-constraint 'u'.",
			"Element 'k': Duplicate key-sequence in unique identity-constraint 'u'."},
		{"Element 'x': This element is not expected. Expected is ( {urn:a}y ).",
			"Element 'x': This element is not expected. Expected is ( {urn:a}y )."},
		{"Element 'x': The attribute 'y' is not allowed.", "Element 'x': The attribute 'y' is not allowed."},
		{"Element 'x': Some future message quoting a value 'SECRET' we do not know.",
			"Element 'x': Some future message quoting a value we do not know."},
		// Unknown wording: the node's own text is blanked as a last resort.
		{"Element 'x': Frobnication of 'SECRET' failed.", "Element 'x': Frobnication of '…' failed."},
	}
	for _, c := range cases {
		got := sanitize(c.in, []string{"SECRET"})
		if got != c.want {
			t.Errorf("sanitize(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestSubjectAttribute(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Element '{urn:a}e', attribute 'served': x": "served",
		"Element 'e', attribute '{urn:b}id': x":     "id",
		"Element 'e': attribute 'a' is missing":     "",
		"something else":                            "",
	} {
		if got := subjectAttribute(in); got != want {
			t.Errorf("subjectAttribute(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseMessage(t *testing.T) {
	t.Parallel()
	got := parseMessage("Input is not proper UTF-8, indicate encoding !\nBytes: 0xC3 0x28 0xFF 0x3C")
	if got != "the input is not valid UTF-8 (and declares no other encoding)" {
		t.Errorf("utf-8 message: %q", got)
	}
	if got := parseMessage("Opening and ending tag mismatch: a line 1 and b\n"); got != "Opening and ending tag mismatch: a line 1 and b" {
		t.Errorf("tag mismatch: %q", got)
	}
}
