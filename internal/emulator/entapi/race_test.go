package entapi_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
)

// Clients racing to create the same entitlementId: exactly one wins, the
// others are told the ID is taken, and the store holds one entitlement
// with the winner's line item only.
func TestConcurrentCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	const n = 8
	status := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = e.do(t, http.MethodPost, entapi.PathEntitlement, e.createBody("race-1", fmt.Sprintf("race-act-%d", i))).Status
		}()
	}
	wg.Wait()
	won := -1
	for i, s := range status {
		switch {
		case s == http.StatusCreated && won < 0:
			won = i
		case s != http.StatusBadRequest:
			t.Errorf("client %d: status %d", i, s)
		}
	}
	if won < 0 {
		t.Fatal("no client created the entitlement")
	}
	ent, err := e.st.Entitlement("race-1")
	if err != nil || len(ent.LineItems) != 1 || ent.LineItems[0] != fmt.Sprintf("race-act-%d", won) {
		t.Errorf("stored %+v (%v); winner was client %d", ent, err, won)
	}
}
