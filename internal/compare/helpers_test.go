package compare

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
)

// samples is the request samples folder of the repository.
const samples = "../../schemas/testdata"

// start runs an emulator for the test, with the sweep's small data set
// unless cfg names another.
func start(t testing.TB, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = conformance.EmulatorSeed
	}
	if cfg.Sizes.Devices == 0 {
		cfg.Sizes = conformance.EmulatorSizes
	}
	e, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

// testClient bounds every call a test makes itself.
var testClient = &http.Client{Timeout: 30 * time.Second}

// endpoint is the emulator's URL with its default credentials.
func endpoint(e *emulator.Emulator) Endpoint {
	return Endpoint{URL: e.URL(), Credentials: soap.Basic(emulator.DefaultUser, emulator.DefaultPassword)}
}

func conformanceSizes() state.Sizes { return conformance.EmulatorSizes }
