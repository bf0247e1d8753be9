package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The JUnit XML shape CI systems read (Jenkins, GitLab, GitHub actions,
// Azure DevOps): <testsuites> holding one <testsuite> per suite name, each
// <testcase> with at most one <failure>, <error> or <skipped>, times in
// seconds.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Stamp    string       `xml:"timestamp,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Stamp      string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string          `xml:"name,attr"`
	Classname string          `xml:"classname,attr"`
	Time      string          `xml:"time,attr"`
	File      string          `xml:"file,attr,omitempty"`
	Line      string          `xml:"line,attr,omitempty"`
	Props     []junitProperty `xml:"properties>property,omitempty"`
	Failure   *junitProblem   `xml:"failure,omitempty"`
	Error     *junitProblem   `xml:"error,omitempty"`
	Skipped   *junitSkipped   `xml:"skipped,omitempty"`
	SystemOut string          `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// WriteJUnit writes the redacted report as JUnit XML.
func WriteJUnit(w io.Writer, r *Report) error {
	r = r.Redacted()
	t := r.Totals()
	out := junitSuites{
		Name: toolName(r), Tests: t.Cases, Failures: t.Failed, Errors: t.Errors, Skipped: t.Skipped,
		Time: seconds(r.Duration), Stamp: stamp(r.StartedAt),
	}
	for _, g := range groupSuites(r.Cases) {
		st := totals(g.cases)
		s := junitSuite{
			Name: g.name, Tests: st.Cases, Failures: st.Failed, Errors: st.Errors, Skipped: st.Skipped,
			Stamp: stamp(r.StartedAt),
			Properties: []junitProperty{
				{"target", r.Target},
				{"tool", toolName(r)},
				{"tool.version", r.ToolVersion},
			},
		}
		var sum time.Duration
		for _, c := range g.cases {
			sum += c.Duration
			s.Cases = append(s.Cases, junitTestCase(g.name, c))
		}
		s.Time = seconds(sum)
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(out); err != nil {
		return fmt.Errorf("encode JUnit report: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitTestCase(suite string, c Case) junitCase {
	jc := junitCase{Name: caseName(c), Classname: suite, Time: seconds(c.Duration), SystemOut: c.Diff}
	if c.Source != "" {
		// file and line, as GitLab and the GitHub test reporters read them.
		jc.File, jc.Line = c.Source, ""
		if i := strings.LastIndexByte(c.Source, ':'); i > 0 {
			jc.File, jc.Line = c.Source[:i], c.Source[i+1:]
		}
	}
	for _, l := range c.Labels {
		k, v, _ := strings.Cut(l, ":")
		jc.Props = append(jc.Props, junitProperty{Name: "label." + k, Value: v})
	}
	switch c.Status {
	case Passed:
	case Skipped:
		jc.Skipped = &junitSkipped{Message: c.Message}
	case Failed:
		jc.Failure = &junitProblem{Message: problemMessage(c), Type: problemType(c, "failure"), Body: problemBody(c)}
	default:
		jc.Error = &junitProblem{Message: problemMessage(c), Type: problemType(c, "error"), Body: problemBody(c)}
	}
	return jc
}

func caseName(c Case) string {
	if c.Name != "" {
		return c.Name
	}
	if c.Operation != "" {
		return c.Operation
	}
	return "unnamed"
}

// problemMessage is one line: the case message, else the first finding and
// how many more there are.
func problemMessage(c Case) string {
	if c.Message != "" {
		return firstLine(c.Message)
	}
	if len(c.Findings) == 0 {
		return string(c.Status)
	}
	m := c.Findings[0].String()
	if n := len(c.Findings) - 1; n > 0 {
		m += fmt.Sprintf(" (and %d more)", n)
	}
	return firstLine(m)
}

// problemType is the rule of the first finding, the common CI convention
// for grouping failures.
func problemType(c Case, fallback string) string {
	if len(c.Findings) > 0 {
		return c.Findings[0].Rule
	}
	return fallback
}

func problemBody(c Case) string {
	var b strings.Builder
	if c.Message != "" {
		b.WriteString(c.Message)
		b.WriteString("\n")
	}
	for _, f := range c.Findings {
		b.WriteString(f.String())
		b.WriteString("\n")
	}
	return b.String()
}

func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

func toolName(r *Report) string {
	if r.Tool != "" {
		return r.Tool
	}
	return "fnokit"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

type suiteGroup struct {
	name  string
	cases []Case
}

// groupSuites groups cases by suite name in order of first appearance, so
// reports follow the order the checks ran in.
func groupSuites(cs []Case) []suiteGroup {
	var out []suiteGroup
	idx := map[string]int{}
	for _, c := range cs {
		n := c.SuiteName()
		i, ok := idx[n]
		if !ok {
			i = len(out)
			idx[n] = i
			out = append(out, suiteGroup{name: n})
		}
		out[i].cases = append(out[i].cases, c)
	}
	return out
}
