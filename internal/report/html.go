package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// htmlTemplate is the whole page: no scripts, no external assets, so the
// file can be archived by CI and opened anywhere; the only links are
// anchors within the page. html/template escapes every value, including
// finding messages and diffs.
var htmlTemplate = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Tool}} report — {{.Target}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2430;background:#fff}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d8dde6;padding-bottom:.2rem}
h3{font-size:.95rem;margin:1.2rem 0 .3rem}
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
td.cell{text-align:center;font-weight:600;white-space:nowrap;padding:0}
td.cell a{display:block;padding:.3rem .55rem;color:inherit;text-decoration:none}
td.cell a:hover{text-decoration:underline}
.matrix td.svc{font-weight:600;background:#f7f8fa}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}
.label{display:inline-block;background:#eef1f6;border-radius:4px;padding:0 .3rem;margin:.05rem .1rem;font-size:.75rem;color:#3a4454}
.fail{border:1px solid #e8c4c4;border-left:4px solid #c0392b;border-radius:4px;padding:.5rem .8rem;margin:.8rem 0;background:#fffafa}
.fail.ferr{border-left-color:#8e44ad;background:#fcf8fd}
.fail .st{font-weight:700;color:#8f1d1d}.fail.ferr .st{color:#6a1b80}
.fail .msg{white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.8rem;margin:.3rem 0}
table.sbs{width:100%;table-layout:fixed}
table.sbs td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.78rem;white-space:pre-wrap;overflow-wrap:anywhere;padding:.1rem .4rem;border-top:none;border-bottom:none}
table.sbs th,table.sbs td.n{overflow-wrap:anywhere}
table.sbs th.n,table.sbs td.n{width:3rem;color:#8a93a3;text-align:right;background:#fafbfc}
table.sbs tr.hunk td{background:#eef1fb;color:#4a5bb0;border-top:1px solid #d8dde6}
td.del{background:#fde6e6;color:#8f1d1d}td.add{background:#e3f6e8;color:#11632a}td.gap{background:#f4f5f7}
pre.diff{background:#f7f8fa;border:1px solid #d8dde6;padding:.6rem;overflow-x:auto;line-height:1.35}
pre.diff span{display:block;white-space:pre}
.add{background:#e3f6e8;color:#11632a}.del{background:#fde6e6;color:#8f1d1d}.hunk{color:#4a5bb0}.head{color:#5a6474;font-weight:600}
details summary{cursor:pointer;color:#4a5bb0;font-size:.85rem}
.bar{display:inline-block;height:.6rem;background:#7d8fb3;border-radius:2px;vertical-align:middle}
</style>
</head>
<body>
<h1>{{.Tool}} {{.ToolVersion}}</h1>
<div class="meta">Target <code>{{.Target}}</code>{{if .Started}} · started {{.Started}}{{end}} · {{.Duration}}{{if .Filter}} · label filter <code>{{.Filter}}</code>{{end}}</div>

<div class="totals" id="totals">
<div class="tot"><b>{{.Totals.Cases}}</b>cases</div>
<div class="tot passed"><b>{{.Totals.Passed}}</b>passed</div>
<div class="tot failed"><b>{{.Totals.Failed}}</b>failed</div>
<div class="tot error"><b>{{.Totals.Errors}}</b>errors</div>
<div class="tot skipped"><b>{{.Totals.Skipped}}</b>skipped</div>
<div class="tot"><b>{{.Totals.Findings}}</b>findings</div>
<div class="tot"><b>{{.Coverage.Pairs}}</b>op × version pairs</div>
<div class="tot"><b>{{.SpecsPerSecond}}</b>checks/s</div>
<div class="tot"><b>{{.Duration}}</b>total time</div>
{{if .Deselected}}<div class="tot"><b>{{.Deselected}}</b>not selected</div>{{end}}
</div>

{{if .Matrix.Versions}}
<h2 id="matrix">Service × version × operation</h2>
<table class="matrix">
<tr><th>service</th><th>operation</th>{{range .Matrix.Versions}}<th>{{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr>{{if .First}}<td class="svc" rowspan="{{.Span}}">{{.Service}}</td>{{end}}<td>{{.Operation}}</td>{{range .Cells}}{{if .Status}}<td class="cell {{.Status}}" title="{{.Title}}"><a href="#{{.Anchor}}">{{.Label}}</a></td>{{else}}<td class="cell none">·</td>{{end}}{{end}}</tr>
{{end}}</table>
{{end}}

{{if .Problems}}
<h2 id="failures">Failures and errors</h2>
{{range .Problems}}<div class="fail{{if ne .Status "failed"}} ferr{{end}}" id="{{.Anchor}}">
<span class="st">{{.Status}}</span> · {{.Suite}} · <b>{{.Name}}</b>{{if .Time}} · {{.Time}}{{end}}
<div>{{range .Labels}}<span class="label">{{.}}</span>{{end}}</div>
{{if .Source}}<div class="meta">spec <code>{{.Source}}</code>{{if .FailedAt}} · failed at <code>{{.FailedAt}}</code>{{end}}</div>{{end}}
{{if .Message}}<div class="msg">{{.Message}}</div>{{end}}
{{if .Findings}}<table>
<tr><th>severity</th><th>rule</th><th>target</th><th>location</th><th>message</th></tr>
{{range .Findings}}<tr><td>{{.Severity}}</td><td><code>{{.Rule}}</code></td><td class="wrap">{{.Target}}</td><td class="wrap"><code>{{.Location}}</code></td><td class="wrap">{{.Message}}</td></tr>
{{end}}</table>{{end}}
{{with .Diff}}{{template "diff" .}}{{end}}
</div>
{{end}}
{{end}}

{{if .Diffs}}
<h2 id="golden">Golden diffs</h2>
{{range .Diffs}}<h3>{{.Case}}</h3>
{{template "diff" .}}
{{end}}
{{end}}

{{if .Findings}}
<h2 id="findings">Findings</h2>
<table>
<tr><th>case</th><th>severity</th><th>rule</th><th>target</th><th>location</th><th>message</th></tr>
{{range .Findings}}<tr><td class="wrap"><a href="#{{.Anchor}}">{{.Case}}</a></td><td>{{.Severity}}</td><td><code>{{.Rule}}</code></td><td class="wrap">{{.Target}}</td><td class="wrap"><code>{{.Location}}</code></td><td class="wrap">{{.Message}}</td></tr>
{{end}}</table>
{{end}}

<h2 id="timings">Timings</h2>
<table>
<tr><th>suite</th><th>cases</th><th>time</th><th></th></tr>
{{range .Suites}}<tr><td>{{.Name}}</td><td>{{.Cases}}</td><td>{{.Time}}</td><td><span class="bar" style="width:{{.Width}}px"></span></td></tr>
{{end}}</table>
{{if .Slowest}}<h3>Slowest cases</h3>
<table>
<tr><th>case</th><th>status</th><th>time</th></tr>
{{range .Slowest}}<tr><td><a href="#{{.Anchor}}">{{.Suite}} {{.Name}}</a></td><td class="{{.Status}}">{{.Status}}</td><td>{{.Time}}</td></tr>
{{end}}</table>{{end}}

<h2 id="cases">Cases</h2>
<table>
<tr><th>suite</th><th>case</th><th>status</th><th>time</th><th>labels</th><th>message</th></tr>
{{range .Cases}}<tr id="{{.Anchor}}"><td>{{.Suite}}</td><td class="wrap">{{.Name}}{{if .Source}}<div class="meta"><code>{{.Source}}</code></div>{{end}}</td><td class="{{.Status}}">{{.Status}}</td><td>{{.Time}}</td><td>{{range .Labels}}<span class="label">{{.}}</span>{{end}}</td><td class="wrap">{{.Short}}</td></tr>
{{end}}</table>
</body>
</html>
{{define "diff"}}<table class="sbs">
<tr><th class="n"></th><th>{{.Left}}</th><th class="n"></th><th>{{.Right}}</th></tr>
{{range .Rows}}{{if .Hunk}}<tr class="hunk"><td colspan="4">{{.Hunk}}</td></tr>{{else}}<tr><td class="n">{{.LN}}</td><td class="{{.LClass}}">{{.L}}</td><td class="n">{{.RN}}</td><td class="{{.RClass}}">{{.R}}</td></tr>{{end}}
{{end}}</table>
<details><summary>unified diff</summary><pre class="diff">{{range .Lines}}<span class="{{.Class}}">{{.Text}}</span>{{end}}</pre></details>{{end}}
`))

type htmlPage struct {
	Tool, ToolVersion, Target, Started, Duration, Filter string
	SpecsPerSecond                                       string
	Deselected                                           int
	Totals                                               Totals
	Coverage                                             Coverage
	Matrix                                               htmlMatrix
	Problems                                             []htmlCase
	Cases                                                []htmlCase
	Findings                                             []htmlFinding
	Diffs                                                []*htmlDiff
	Suites                                               []htmlSuite
	Slowest                                              []htmlCase
}

type htmlCase struct {
	Anchor, Suite, Name, Time, Message, Short, Source, FailedAt string
	Status                                                      Status
	Labels                                                      []string
	Findings                                                    []htmlFinding
	Diff                                                        *htmlDiff
	took                                                        time.Duration
}

type htmlFinding struct {
	Anchor, Case, Severity, Rule, Target, Location, Message string
}

// htmlDiff is a golden diff, side by side (golden left, answer right) and
// as the unified text.
type htmlDiff struct {
	Case        string
	Left, Right string
	Rows        []sbsRow
	Lines       []htmlLine
}

type htmlLine struct{ Class, Text string }

type htmlSuite struct {
	Name, Time string
	Cases      int
	Width      int
}

type htmlMatrix struct {
	Versions []string
	Rows     []htmlRow
}

type htmlRow struct {
	Service, Operation string
	First              bool // first row of its service (carries the rowspan)
	Span               int
	Cells              []htmlCell
}

type htmlCell struct {
	Status Status // "" for no case
	Label  string
	Title  string
	Anchor string // the case the cell links to
}

// WriteHTML writes the redacted report as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	r = r.Redacted()
	cov := r.Coverage()
	p := htmlPage{
		Tool: toolName(r), ToolVersion: r.ToolVersion, Target: r.Target, Filter: r.Filter, Deselected: r.Deselected,
		Duration: r.Duration.Round(time.Millisecond).String(), Totals: r.Totals(), Coverage: cov,
		SpecsPerSecond: fmt.Sprintf("%.0f", cov.SpecsPerSecond),
		Matrix:         matrix(r.Cases),
	}
	if !r.StartedAt.IsZero() {
		p.Started = r.StartedAt.UTC().Format(time.RFC3339)
	}
	suites := map[string]*htmlSuite{}
	var order []string
	var took = map[string]time.Duration{}
	for i, c := range r.Cases {
		name := caseName(c)
		hc := htmlCase{Anchor: caseAnchor(i), Suite: c.SuiteName(), Name: name, Status: c.Status,
			Time: c.Duration.Round(time.Millisecond).String(), Message: c.Message, Short: firstLine(c.Message),
			Source: c.Source, FailedAt: c.FailedAt, Labels: c.Labels, took: c.Duration}
		for _, f := range c.Findings {
			hf := htmlFinding{Anchor: hc.Anchor, Case: c.SuiteName() + " " + name, Severity: f.Severity.String(),
				Rule: f.Rule, Target: f.Target, Location: f.Location, Message: f.Message}
			p.Findings = append(p.Findings, hf)
			hc.Findings = append(hc.Findings, hf)
		}
		if c.Diff != "" {
			d := sideBySide(c.SuiteName()+" "+name, c.Diff)
			hc.Diff = d
			if c.Status == Passed || c.Status == Skipped {
				// An updated golden file: shown with the diffs, not as a failure.
				p.Diffs = append(p.Diffs, d)
			}
		}
		if c.Status == Failed || c.Status == Error || statusWeight[c.Status] == 0 {
			p.Problems = append(p.Problems, hc)
		}
		p.Cases = append(p.Cases, hc)
		s := suites[hc.Suite]
		if s == nil {
			s = &htmlSuite{Name: hc.Suite}
			suites[hc.Suite] = s
			order = append(order, hc.Suite)
		}
		s.Cases++
		took[hc.Suite] += c.Duration
	}
	var longest time.Duration
	for _, d := range took {
		longest = max(longest, d)
	}
	for _, n := range order {
		s := suites[n]
		s.Time = took[n].Round(time.Millisecond).String()
		if longest > 0 {
			s.Width = int(300 * took[n] / longest)
		}
		p.Suites = append(p.Suites, *s)
	}
	slow := append([]htmlCase(nil), p.Cases...)
	sort.SliceStable(slow, func(i, j int) bool { return slow[i].took > slow[j].took })
	if len(slow) > 10 {
		slow = slow[:10]
	}
	p.Slowest = slow
	if err := htmlTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("render HTML report: %w", err)
	}
	return nil
}

// caseAnchor is the id of case i in the page.
func caseAnchor(i int) string { return "case-" + strconv.Itoa(i+1) }

// sbsRow is one row of a side-by-side diff: a hunk header, or a line of
// each side (either may be empty where the other side has more lines).
type sbsRow struct {
	Hunk           string
	LN, RN         string
	L, R           string
	LClass, RClass string
}

// sideBySide lays a unified diff out in two columns: the golden file's
// lines (---) on the left, the answer's (+++) on the right, deletions and
// insertions of a change paired line by line.
func sideBySide(name, unified string) *htmlDiff {
	d := &htmlDiff{Case: name, Left: "golden", Right: "answer", Lines: diffLines(unified)}
	var dels, adds []string
	ln, rn := 0, 0
	flush := func() {
		for i := 0; i < max(len(dels), len(adds)); i++ {
			row := sbsRow{LClass: "gap", RClass: "gap"}
			if i < len(dels) {
				ln++
				row.L, row.LN, row.LClass = dels[i], strconv.Itoa(ln), "del"
			}
			if i < len(adds) {
				rn++
				row.R, row.RN, row.RClass = adds[i], strconv.Itoa(rn), "add"
			}
			d.Rows = append(d.Rows, row)
		}
		dels, adds = nil, nil
	}
	for _, l := range strings.Split(strings.TrimSuffix(unified, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "--- "):
			d.Left = strings.TrimPrefix(l, "--- ")
		case strings.HasPrefix(l, "+++ "):
			d.Right = strings.TrimPrefix(l, "+++ ")
		case strings.HasPrefix(l, "@@"):
			flush()
			ln, rn = hunkStarts(l)
			d.Rows = append(d.Rows, sbsRow{Hunk: l})
		case strings.HasPrefix(l, "-"):
			dels = append(dels, l[1:])
		case strings.HasPrefix(l, "+"):
			adds = append(adds, l[1:])
		default:
			flush()
			text := strings.TrimPrefix(l, " ")
			ln++
			rn++
			d.Rows = append(d.Rows, sbsRow{L: text, R: text, LN: strconv.Itoa(ln), RN: strconv.Itoa(rn)})
		}
	}
	flush()
	return d
}

// hunkStarts reads "@@ -a[,b] +c[,d] @@" into the line numbers before the
// hunk's first lines (a-1, c-1); 0, 0 when it cannot.
func hunkStarts(h string) (int, int) {
	f := strings.Fields(h)
	if len(f) < 3 {
		return 0, 0
	}
	num := func(s string) int {
		s = strings.TrimLeft(s, "-+")
		if i := strings.IndexByte(s, ','); i >= 0 {
			s = s[:i]
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0
		}
		return n - 1
	}
	return num(f[1]), num(f[2])
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
		anchor string // the first case with the worst status
		counts map[Status]int
	}
	cells := map[key]*agg{}
	versions := map[string]bool{}
	rows := map[[2]string]bool{}
	for i, c := range cs {
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
			a.worst, a.anchor = st, caseAnchor(i)
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
			row.Cells = append(row.Cells, htmlCell{Status: a.worst, Label: label, Title: strings.Join(parts, ", "), Anchor: a.anchor})
		}
		if n := len(m.Rows); n == 0 || m.Rows[n-1].Service != row.Service {
			row.First = true
		}
		m.Rows = append(m.Rows, row)
	}
	// The service cell spans its rows.
	for i := 0; i < len(m.Rows); {
		j := i + 1
		for j < len(m.Rows) && m.Rows[j].Service == m.Rows[i].Service {
			j++
		}
		m.Rows[i].Span = j - i
		i = j
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
