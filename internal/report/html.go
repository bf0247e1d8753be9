package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"
)

// htmlTemplate is the whole page: no scripts, no external assets, so the
// file can be archived by CI and opened anywhere. html/template escapes
// every value, including finding messages and diffs.
var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Tool}} report — {{.Target}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2430;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d8dde6;padding-bottom:.2rem}
.meta{color:#5a6474;font-size:.9rem}
.totals{display:flex;gap:.8rem;flex-wrap:wrap;margin:1rem 0}
.tot{border-radius:6px;padding:.5rem .9rem;background:#f2f4f8;min-width:5.5rem}
.tot b{display:block;font-size:1.3rem}
table{border-collapse:collapse;font-size:.88rem;margin:.5rem 0;max-width:100%}
th,td{border:1px solid #d8dde6;padding:.3rem .55rem;text-align:left;vertical-align:top}
td.wrap{overflow-wrap:anywhere;min-width:8rem}
th{background:#f2f4f8}
.passed{background:#dff3e4;color:#11632a}.failed{background:#fbe0e0;color:#8f1d1d}
.skipped{background:#fdf3d6;color:#7a5b00}.error{background:#f0dcf5;color:#6a1b80}.none{color:#9aa3b1}
td.cell{text-align:center;font-weight:600;white-space:nowrap}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}
pre.diff{background:#f7f8fa;border:1px solid #d8dde6;padding:.6rem;overflow-x:auto;line-height:1.35}
pre.diff span{display:block;white-space:pre}
.add{background:#e3f6e8;color:#11632a}.del{background:#fde6e6;color:#8f1d1d}.hunk{color:#4a5bb0}.head{color:#5a6474;font-weight:600}
</style>
</head>
<body>
<h1>{{.Tool}} {{.ToolVersion}}</h1>
<div class="meta">Target <code>{{.Target}}</code>{{if .Started}} · started {{.Started}}{{end}} · {{.Duration}}</div>

<div class="totals">
<div class="tot"><b>{{.Totals.Cases}}</b>cases</div>
<div class="tot passed"><b>{{.Totals.Passed}}</b>passed</div>
<div class="tot failed"><b>{{.Totals.Failed}}</b>failed</div>
<div class="tot error"><b>{{.Totals.Errors}}</b>errors</div>
<div class="tot skipped"><b>{{.Totals.Skipped}}</b>skipped</div>
<div class="tot"><b>{{.Totals.Findings}}</b>findings</div>
</div>

{{if .Matrix.Versions}}
<h2>Service × version × operation</h2>
<table>
<tr><th>service</th><th>operation</th>{{range .Matrix.Versions}}<th>{{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr><td>{{.Service}}</td><td>{{.Operation}}</td>{{range .Cells}}{{if .Status}}<td class="cell {{.Status}}" title="{{.Title}}">{{.Label}}</td>{{else}}<td class="cell none">·</td>{{end}}{{end}}</tr>
{{end}}</table>
{{end}}

<h2>Cases</h2>
<table>
<tr><th>suite</th><th>case</th><th>status</th><th>time</th><th>message</th></tr>
{{range .Cases}}<tr><td>{{.Suite}}</td><td>{{.Name}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.Time}}</td><td>{{.Message}}</td></tr>
{{end}}</table>

{{if .Findings}}
<h2>Findings</h2>
<table>
<tr><th>case</th><th>severity</th><th>rule</th><th>target</th><th>location</th><th>message</th></tr>
{{range .Findings}}<tr><td class="wrap">{{.Case}}</td><td>{{.Severity}}</td><td><code>{{.Rule}}</code></td><td class="wrap">{{.Target}}</td><td class="wrap"><code>{{.Location}}</code></td><td class="wrap">{{.Message}}</td></tr>
{{end}}</table>
{{end}}

{{if .Diffs}}
<h2>Golden diffs</h2>
{{range .Diffs}}<h3>{{.Case}}</h3>
<pre class="diff">{{range .Lines}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre>
{{end}}
{{end}}
</body>
</html>
`))

type htmlPage struct {
	Tool, ToolVersion, Target, Started, Duration string
	Totals                                       Totals
	Matrix                                       htmlMatrix
	Cases                                        []htmlCase
	Findings                                     []htmlFinding
	Diffs                                        []htmlDiff
}

type htmlCase struct {
	Suite, Name, Time, Message string
	Status                     Status
}

type htmlFinding struct {
	Case, Severity, Rule, Target, Location, Message string
}

type htmlDiff struct {
	Case  string
	Lines []htmlLine
}

type htmlLine struct{ Class, Text string }

type htmlMatrix struct {
	Versions []string
	Rows     []htmlRow
}

type htmlRow struct {
	Service, Operation string
	Cells              []htmlCell
}

type htmlCell struct {
	Status Status // "" for no case
	Label  string
	Title  string
}

// WriteHTML writes the redacted report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	r = r.Redacted()
	p := htmlPage{
		Tool: toolName(r), ToolVersion: r.ToolVersion, Target: r.Target,
		Duration: r.Duration.Round(time.Millisecond).String(), Totals: r.Totals(),
		Matrix: matrix(r.Cases),
	}
	if !r.StartedAt.IsZero() {
		p.Started = r.StartedAt.UTC().Format(time.RFC3339)
	}
	for _, c := range r.Cases {
		name := caseName(c)
		p.Cases = append(p.Cases, htmlCase{Suite: c.SuiteName(), Name: name, Status: c.Status,
			Time: c.Duration.Round(time.Millisecond).String(), Message: c.Message})
		for _, f := range c.Findings {
			p.Findings = append(p.Findings, htmlFinding{Case: c.SuiteName() + " " + name, Severity: f.Severity.String(),
				Rule: f.Rule, Target: f.Target, Location: f.Location, Message: f.Message})
		}
		if c.Diff != "" {
			p.Diffs = append(p.Diffs, htmlDiff{Case: c.SuiteName() + " " + name, Lines: diffLines(c.Diff)})
		}
	}
	if err := htmlTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	return nil
}

// diffLines classes each line of a unified diff for colouring.
func diffLines(d string) []htmlLine {
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	out := make([]htmlLine, len(lines))
	for i, l := range lines {
		c := "ctx"
		switch {
		case strings.HasPrefix(l, "+++") || strings.HasPrefix(l, "---"):
			c = "head"
		case strings.HasPrefix(l, "@@"):
			c = "hunk"
		case strings.HasPrefix(l, "+"):
			c = "add"
		case strings.HasPrefix(l, "-"):
			c = "del"
		}
		out[i] = htmlLine{Class: c, Text: l}
	}
	return out
}

// statusWeight orders statuses for a cell holding several cases: the worst
// one shows.
var statusWeight = map[Status]int{Skipped: 1, Passed: 2, Failed: 3, Error: 4}

// matrix lays cases out as rows of service × operation and columns of
// versions. Cases without a service or operation are left out of it (they
// still appear in the case table).
func matrix(cs []Case) htmlMatrix {
	type key struct{ service, op, version string }
	type agg struct {
		worst  Status
		counts map[Status]int
	}
	cells := map[key]*agg{}
	versions := map[string]bool{}
	rows := map[[2]string]bool{}
	for _, c := range cs {
		if c.Service == "" || c.Operation == "" {
			continue
		}
		v := c.Version
		if v == "" {
			v = "base"
		}
		k := key{c.Service, c.Operation, v}
		a := cells[k]
		if a == nil {
			a = &agg{counts: map[Status]int{}}
			cells[k] = a
		}
		st := c.Status
		if statusWeight[st] == 0 {
			st = Error
		}
		a.counts[st]++
		if statusWeight[st] > statusWeight[a.worst] {
			a.worst = st
		}
		versions[v] = true
		rows[[2]string{c.Service, c.Operation}] = true
	}
	var m htmlMatrix
	for v := range versions {
		m.Versions = append(m.Versions, v)
	}
	sort.Slice(m.Versions, func(i, j int) bool { return versionLess(m.Versions[i], m.Versions[j]) })
	var rk [][2]string
	for r := range rows {
		rk = append(rk, r)
	}
	sort.Slice(rk, func(i, j int) bool {
		if rk[i][0] != rk[j][0] {
			return rk[i][0] < rk[j][0]
		}
		return rk[i][1] < rk[j][1]
	})
	for _, r := range rk {
		row := htmlRow{Service: r[0], Operation: r[1]}
		for _, v := range m.Versions {
			a := cells[key{r[0], r[1], v}]
			if a == nil {
				row.Cells = append(row.Cells, htmlCell{})
				continue
			}
			var parts []string
			n := 0
			for _, st := range []Status{Passed, Failed, Error, Skipped} {
				if a.counts[st] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", a.counts[st], st))
					n += a.counts[st]
				}
			}
			label := string(a.worst)
			if n > 1 {
				label = fmt.Sprintf("%s (%d)", a.worst, n)
			}
			row.Cells = append(row.Cells, htmlCell{Status: a.worst, Label: label, Title: strings.Join(parts, ", ")})
		}
		m.Rows = append(m.Rows, row)
	}
	return m
}

// versionLess orders base, v1, v2, … v10 numerically; other names after,
// alphabetically.
func versionLess(a, b string) bool {
	na, oka := versionNumber(a)
	nb, okb := versionNumber(b)
	switch {
	case oka && okb:
		return na < nb
	case oka != okb:
		return oka
	}
	return a < b
}

func versionNumber(v string) (int, bool) {
	if v == "base" {
		return 0, true
	}
	if len(v) < 2 || (v[0] != 'v' && v[0] != 'V') {
		return 0, false
	}
	n := 0
	for _, c := range v[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
