package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath is Debian's chromium (scripts/ensure-deps.sh chromium).
const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on a throw-away profile with its network
// services off, bounded in time, and returns its standard output.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--window-size=1400,2000"}
	cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errOut.String())
	}
	return out.Bytes()
}

// The HTML report renders in a real browser: the DOM Chromium builds holds
// the totals, the matrix with its links, the side-by-side golden diff and
// the findings, and a screenshot of the page is a non-blank image.
func TestHTMLRendersInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("no " + chromiumPath + " (scripts/ensure-deps.sh chromium installs it)")
	}
	t.Parallel()
	dir := t.TempDir()
	if err := WriteAll(dir, sample()); err != nil {
		t.Fatal(err)
	}
	page := "file://" + filepath.Join(dir, HTMLFile)

	dom := string(chromium(t, "--dump-dom", page))
	for _, want := range []string{
		`id="totals"`, `<b>5</b>cases`, `<b>1</b>failed`,
		`id="matrix"`, `<th>v7</th>`, `<a href="#case-1">failed</a>`,
		`<table class="sbs">`, `id="findings"`, "deviceData[2]/deviceId", `id="timings"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered DOM lacks %q", want)
		}
	}

	shot := filepath.Join(dir, "report.png")
	chromium(t, "--screenshot="+shot, page)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() < 1000 || b.Dy() < 1000 {
		t.Errorf("screenshot is %dx%d", b.Dx(), b.Dy())
	}
	// Something was drawn: the pixels are not all one colour.
	first := img.At(b.Min.X, b.Min.Y)
	varied := false
	for y := b.Min.Y; y < b.Max.Y && !varied; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if img.At(x, y) != first {
				varied = true
				break
			}
		}
	}
	if !varied {
		t.Error("the screenshot is blank")
	}
}
