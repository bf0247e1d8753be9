package xsd

import (
	"fmt"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

// One compiled schema, many goroutines validating valid and invalid
// documents at once; every result must be the one for its own document.
// Run with -race.
func TestConcurrentValidation(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd")
	type job struct {
		doc      []byte
		envelope bool
		want     []string
	}
	var jobs []job
	for i := range 16 {
		devs := make([]device, i%5+1)
		for j := range devs {
			devs[j] = device{id: fmt.Sprintf("ABC-%04d", i*10+j), status: "SUCCESS"}
		}
		var want []string
		if i%3 == 1 { // break device i%len
			k := i % len(devs)
			devs[k].id = "broken"
			loc := "/searchDevicesResponse/responseData/deviceQueryResponse"
			if len(devs) > 1 {
				loc += fmt.Sprintf("[%d]", k+1)
			}
			want = []string{contract.RuleXSDInvalid + "@" + loc + "/deviceId"}
		}
		if i%3 == 2 {
			jobs = append(jobs, job{doc: []byte(`<d:nope xmlns:d="urn:fnokit:test:devices"/>`), want: []string{contract.RuleXSDUnknownElement + "@/nope"}})
		}
		doc := devicesDoc("SUCCESS", devs...)
		jobs = append(jobs, job{doc: []byte(doc), want: want}, job{doc: []byte(envelope("soapenv", doc)), envelope: true, want: want})
	}
	const workers, rounds = 16, 40
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				j := jobs[(w*7+r)%len(jobs)]
				var fs contract.Findings
				var err error
				if j.envelope {
					fs, err = s.ValidateEnvelope(j.doc)
				} else {
					fs, err = s.ValidatePayload(j.doc)
				}
				if err != nil {
					errs <- err.Error()
					return
				}
				if got := ruleLocs(fs); !equalStrings(got, j.want) {
					errs <- fmt.Sprintf("worker %d round %d: %v, want %v", w, r, got, j.want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Close waits for validations in flight and later ones fail cleanly.
func TestCloseWhileValidating(t *testing.T) {
	t.Parallel()
	s, err := CompileFile("testdata/devices/devices.xsd")
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS"}))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				fs, err := s.ValidatePayload(doc)
				if err == ErrClosed {
					return
				}
				if err != nil || len(fs) != 0 {
					t.Errorf("findings %v, err %v", fs, err)
					return
				}
			}
		}()
	}
	s.Close()
	wg.Wait()
}
