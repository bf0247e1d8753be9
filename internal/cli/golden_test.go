package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/suite"
)

func TestGoldenUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"golden"}, ExitUsage, "record or diff"},
		{[]string{"golden", "melt"}, ExitUsage, `unknown golden subcommand "melt"`},
		{[]string{"golden", "record", "--drift", "ManageDeviceService=rename"}, ExitUsage, "never record"},
		{[]string{"golden", "record", "x"}, ExitUsage, "no arguments"},
		{[]string{"golden", "record", "--help"}, ExitOK, "update mode"},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		code := runGolden(context.Background(), c.args[1:], &out, &errOut)
		if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, out.String(), errOut.String())
		}
	}
}

// golden record against a live target (a second emulator with its own
// password) writes redacted golden files that check then finds equal to the
// target's answers; no file and no report carries the credentials.
func TestGoldenRecordThenCheckLive(t *testing.T) {
	t.Parallel()
	password := "Rec-" + strings.Repeat("x9", 8)
	cfg := conformance.EmulatorConfig()
	cfg.User, cfg.Password = "rec-user", server.Secret(password)
	cfg.Now = func() time.Time { return suite.FixedNow }
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())
	root := repo(t)
	dir := t.TempDir()
	goldenDir, reports := filepath.Join(dir, "golden"), filepath.Join(dir, "reports")
	env := []string{suite.EnvUser + "=rec-user", suite.EnvPassword + "=" + password, suite.EnvToken + "="}
	common := []string{"--schemas", filepath.Join(root, "schemas"), "--golden", goldenDir, "--reports", reports,
		"--target", emu.URL(), "--services", "ManageDevice,FlexnetAuthentication", "--versions", "v7,base", "--label-filter", "suite:conformance"}

	code, out := cliProcess(t, env, append([]string{"golden", "record"}, common...)...)
	if code != ExitOK || !strings.Contains(out, "added") {
		t.Fatalf("record: exit %d\n%s", code, out)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("rec-user:" + password))
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		data, _ := os.ReadFile(p)
		if bytes.Contains(data, []byte(password)) || bytes.Contains(data, []byte(basic)) {
			t.Errorf("%s carries a credential", p)
		}
		return nil
	})
	if n < 10 {
		t.Errorf("only %d files written", n)
	}
	if _, err := os.Stat(filepath.Join(goldenDir, "soap/ManageDeviceService/v7/searchDevices/sample.response.xml")); err != nil {
		t.Errorf("no searchDevices golden file: %v", err)
	}

	code, out = checkProcess(t, env, common...)
	if code != ExitOK {
		t.Fatalf("check against the recording: exit %d\n%s", code, out)
	}
	if strings.Contains(out, password) || strings.Contains(out, basic) {
		t.Error("the output carries a credential")
	}
}
