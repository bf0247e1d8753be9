package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// k6's exit codes that the bench tells apart (go.k6.io/k6/errext/exitcodes).
const (
	K6ThresholdsFailed = 99
	K6ExternalAbort    = 105
)

// K6Binary is where `make k6` puts the k6 with the fno extension,
// relative to the repository root.
const K6Binary = "bin/k6"

// BuildTimeout bounds `make k6`: a first build downloads and compiles k6.
const BuildTimeout = 15 * time.Minute

// Stale says whether bin is missing or older than the newest file under
// any of srcs (directories or files); sources that do not exist are
// skipped. The walk is bounded by the source trees, which are small.
func Stale(bin string, srcs ...string) (bool, error) {
	bi, err := os.Stat(bin)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	newest := time.Time{}
	for _, src := range srcs {
		err := filepath.WalkDir(src, func(_ string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				if name := d.Name(); name == "testdata" || strings.HasPrefix(name, ".") && name != "." {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(d.Name(), "_test.go") {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			if info.ModTime().After(newest) {
				newest = info.ModTime()
			}
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("look at %s: %w", src, err)
		}
	}
	return bi.ModTime().Before(newest), nil
}

// EnsureK6 returns the path of root/bin/k6, running `make k6` in root
// first when the binary is missing or older than the extension's sources
// (root/k6ext). Build output goes to log.
func EnsureK6(ctx context.Context, root string, log io.Writer) (string, error) {
	bin := filepath.Join(root, K6Binary)
	stale, err := Stale(bin, filepath.Join(root, "k6ext"))
	if err != nil {
		return "", err
	}
	if !stale {
		return bin, nil
	}
	if _, err := os.Stat(filepath.Join(root, "Makefile")); err != nil {
		return "", fmt.Errorf("%s is missing and %s has no Makefile to build it with: run fnokit bench from the repository root, or give --k6", bin, root)
	}
	fmt.Fprintf(log, "building %s with make k6 (xk6; the first build takes minutes)\n", K6Binary)
	ctx, cancel := context.WithTimeout(ctx, BuildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", "k6")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("make k6 did not finish within %s", BuildTimeout)
		}
		return "", fmt.Errorf("make k6: %w", err)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("make k6 ran but %s is not there: %w", bin, err)
	}
	return bin, nil
}

// RunConfig is one k6 run.
type RunConfig struct {
	K6     string // the k6 binary
	Script string
	// Env is the run's environment: the scenario's settings (FNO_*,
	// PROFILE) and k6's (K6_*). Secrets travel here, never as flags,
	// which any user of the machine can read in ps.
	Env map[string]string
	// Args are more `k6 run` flags (--execution-segment, --out).
	Args []string
	// Timeout bounds the run; at the deadline k6 gets SIGINT (it stops
	// and still writes its summary), and is killed GraceAfterTimeout later.
	Timeout           time.Duration
	GraceAfterTimeout time.Duration
	Dir               string // working directory (the repository root)
	Stdout, Stderr    io.Writer
}

// RunResult is how a k6 run ended.
type RunResult struct {
	ExitCode int
	TimedOut bool
	Elapsed  time.Duration
}

// RunK6 runs `k6 run` and waits for it, within cfg.Timeout. The child
// gets only the variables it needs (PATH, HOME, TMPDIR and cfg.Env), so
// nothing else from fnokit's environment reaches the script's __ENV. An
// error means k6 could not be run or waited for; how it ended is in the
// result.
func RunK6(ctx context.Context, cfg RunConfig) (RunResult, error) {
	if cfg.Timeout <= 0 {
		return RunResult{}, errors.New("run k6: a timeout is required")
	}
	grace := cfg.GraceAfterTimeout
	if grace <= 0 {
		grace = 30 * time.Second
	}
	args := []string{"run",
		// The REST API on a free loopback port: its default, 6565 on
		// localhost, clashes between processes run side by side.
		"--address", "127.0.0.1:0",
		"--no-usage-report", "--no-color",
	}
	args = append(args, cfg.Args...)
	args = append(args, cfg.Script)
	runCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, cfg.K6, args...)
	cmd.Dir = cfg.Dir
	cmd.Stdout, cmd.Stderr = cfg.Stdout, cfg.Stderr
	cmd.Env = childEnv(cfg.Env)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// k6 stops gracefully on SIGINT and still calls handleSummary.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = grace
	start := time.Now()
	err := cmd.Run()
	res := RunResult{Elapsed: time.Since(start), TimedOut: errors.Is(runCtx.Err(), context.DeadlineExceeded)}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return res, nil
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
		if res.ExitCode < 0 { // killed by a signal
			res.ExitCode = 128 + int(ee.Sys().(syscall.WaitStatus).Signal())
		}
		return res, nil
	}
	return res, fmt.Errorf("run %s: %w", cfg.K6, err)
}

// childEnv is the child's environment: a few of ours and env, sorted.
func childEnv(env map[string]string) []string {
	out := make([]string, 0, len(env)+4)
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "TZ"} {
		if v, ok := os.LookupEnv(k); ok {
			if _, set := env[k]; !set {
				out = append(out, k+"="+v)
			}
		}
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
