//go:build race

package all_test

// raceEnabled narrows TestCheckAgainstALiveTarget to the smoke tier under
// the race detector, which makes the full runs several times slower.
const raceEnabled = true
