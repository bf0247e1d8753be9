package state

import "math/rand/v2"

const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
const hexDigits = "0123456789abcdef"

// randomID returns n random lower-case hexadecimal digits.
func randomID(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.IntN(16)]
	}
	return string(b)
}

// groups returns g groups of four random lower-case alphanumerics joined
// by dashes, the shape of FNO's generated IDs.
func groups(r *rand.Rand, g int) string {
	b := make([]byte, 0, g*5)
	for i := range g {
		if i > 0 {
			b = append(b, '-')
		}
		for range 4 {
			// FNO's IDs are mostly hex with the odd other letter (488t).
			if r.IntN(16) == 0 {
				b = append(b, alnum[r.IntN(len(alnum))])
			} else {
				b = append(b, hexDigits[r.IntN(16)])
			}
		}
	}
	return string(b)
}

// newActivationID is shaped like 83a2-9824-c72b-488t-bbde-9bbb-fce3-1344.
func newActivationID(r *rand.Rand) string { return groups(r, 8) }

// newEntitlementID is shaped like 7b1c-02ad-9f3e-4d21.
func newEntitlementID(r *rand.Rand) string { return groups(r, 4) }
