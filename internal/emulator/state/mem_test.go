package state

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMillionDevices generates FNOKIT_STATE_DEVICES devices (skipped when
// unset) and reports the time it took and the memory the state holds:
//
//	FNOKIT_STATE_DEVICES=1000000 go test -run TestMillionDevices -v ./internal/emulator/state
func TestMillionDevices(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FNOKIT_STATE_DEVICES"))
	if n <= 0 {
		t.Skip("set FNOKIT_STATE_DEVICES to a device count to measure generation")
	}
	sz := DefaultSizes()
	sz.Devices = n
	sz.Accounts = max(sz.Accounts, n/1000)
	sz.Entitlements = max(sz.Entitlements, n/20)
	start := time.Now()
	s := Generate(sz, 1)
	took := time.Since(start)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("generated %+v in %v", s.Counts(), took)
	t.Logf("heap in use %d MiB, runtime Sys %d MiB, %s", ms.HeapInuse>>20, ms.Sys>>20, vmRSS())
	if got := s.Counts().Devices; got != n {
		t.Fatalf("generated %d devices, want %d", got, n)
	}
	path := filepath.Join(t.TempDir(), "state.bin")
	start = time.Now()
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	saved := time.Since(start)
	fi, _ := os.Stat(path)
	start = time.Now()
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %d MiB in %v, loaded in %v", fi.Size()>>20, saved, time.Since(start))
	if l.Counts() != s.Counts() {
		t.Fatalf("loaded %+v, saved %+v", l.Counts(), s.Counts())
	}
	runtime.KeepAlive(s)
}

// vmRSS is the VmRSS line of /proc/self/status, or a note that there is none.
func vmRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "VmRSS unavailable"
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return "VmRSS unavailable"
}
