package rest

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/suite"
)

// The data extract API (schemas/rest/extracts.yaml, seed 001 lines
// 3252-4105).
const (
	exAPI          = "extracts"
	pathExtracts   = "/flexnet/operations/extracts"
	pathExtractDel = "/flexnet/operations/extracts/delete/"
	// adminExtracts runs an extract on demand: the emulator's stand-in
	// for the Producer Portal's schedule (FNO has no such route).
	adminExtracts = "/fnokit/admin/extracts"
	maxArtifact   = 64 << 20
)

func exLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(exAPI, op, kind, tier)
}

func jobPath(id int64) string     { return pathExtracts + "/" + strconv.FormatInt(id, 10) }
func jobFilePath(id int64) string { return jobPath(id) + "/file" }
func jobDelPath(id int64) string  { return pathExtractDel + strconv.FormatInt(id, 10) }

// runExtract runs one extract on the emulator (Skip on a live target) and
// registers its deletion; it returns the job as the admin route answers.
func runExtract(name string) map[string]any {
	GinkgoHelper()
	requireEmulator("extract jobs run on the Producer Portal's schedule; only the emulator runs them on demand")
	status, body := adminCall(http.MethodPost, adminExtracts, url.Values{"name": {name}})
	Expect(status).To(Equal(http.StatusCreated), "the emulator did not run the extract (HTTP %d)", status)
	var job map[string]any
	Expect(json.Unmarshal(body, &job)).To(Succeed())
	id := jobID(job)
	suite.E().Cleanup("extract job "+strconv.FormatInt(id, 10), func(context.Context) error {
		// Deleted already by the spec (404) is fine.
		if r := call(exAPI, http.MethodPost, jobDelPath(id), nil, nil); r.HTTPStatus >= 300 && r.HTTPStatus != http.StatusNotFound {
			return fmt.Errorf("deleteExtractJob: HTTP %d", r.HTTPStatus)
		}
		return nil
	})
	return job
}

func jobID(job map[string]any) int64 {
	GinkgoHelper()
	n, ok := integer(job["id"])
	Expect(ok).To(BeTrue(), "a job without a numeric id")
	return n
}

// listJobs lists the jobs matching q, valid.
func listJobs(q url.Values) []map[string]any {
	GinkgoHelper()
	r := call(exAPI, http.MethodGet, pathExtracts, q, nil)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	return objects(r.JSON)
}

// csvColumns is one *Csv schema of extracts.yaml: what its header may be
// (x-fnokit-csv-columns) and, inside a zip, the file name it has.
type csvColumns struct {
	schema string
	file   openapi3.RegexMatcher // nil: the extract is a single CSV
	cols   []csvCol
}

type csvCol struct {
	Name     string   `json:"name"`
	Optional bool     `json:"optional"`
	Pattern  string   `json:"pattern"`
	Group    []string `json:"group"`
	res      []openapi3.RegexMatcher
}

// extractFiles reads the CSV descriptions the contract gives an extract.
func extractFiles(name string) []csvColumns {
	GinkgoHelper()
	var out []csvColumns
	for schema, ref := range loadDoc(exAPI).Components.Schemas {
		ext := ref.Value.Extensions
		if x, _ := ext["x-fnokit-extract"].(string); x != name {
			continue
		}
		data, err := json.Marshal(ext["x-fnokit-csv-columns"])
		Expect(err).NotTo(HaveOccurred())
		c := csvColumns{schema: schema}
		Expect(json.Unmarshal(data, &c.cols)).To(Succeed(), "%s: x-fnokit-csv-columns does not read", schema)
		for i := range c.cols {
			for _, p := range append([]string{c.cols[i].Pattern}, c.cols[i].Group...) {
				if p != "" {
					re, err := openapi.CompileECMAScript(p)
					Expect(err).NotTo(HaveOccurred(), "%s: a column pattern does not compile", schema)
					c.cols[i].res = append(c.cols[i].res, re)
				}
			}
		}
		if p, ok := ext["x-fnokit-file-name"].(string); ok {
			re, err := openapi.CompileECMAScript(p)
			Expect(err).NotTo(HaveOccurred(), "%s: the file name pattern does not compile", schema)
			c.file = re
		}
		out = append(out, c)
	}
	Expect(out).NotTo(BeEmpty(), "the contract describes no CSV of the extract")
	return out
}

// fits reports whether a header row is one the columns allow: the names in
// order (optional ones may be missing), each repeated pattern or group
// taking zero or more columns.
func (c csvColumns) fits(header []string) bool {
	var from func(ci, hi int) bool
	from = func(ci, hi int) bool {
		if ci == len(c.cols) {
			return hi == len(header)
		}
		col := c.cols[ci]
		if col.Name != "" {
			if hi < len(header) && header[hi] == col.Name && from(ci+1, hi+1) {
				return true
			}
			return col.Optional && from(ci+1, hi)
		}
		for k := hi; k <= len(header); k += len(col.res) {
			if from(ci+1, k) {
				return true
			}
			if k+len(col.res) > len(header) {
				return false
			}
			for g, re := range col.res {
				if !re.MatchString(header[k+g]) {
					return false
				}
			}
		}
		return false
	}
	return from(0, 0)
}

// checkArtifact reads a downloaded artifact (a CSV or a zip of CSVs) and
// checks each file's header against the extract's description.
func checkArtifact(name, contentType string, data []byte) {
	GinkgoHelper()
	specs := extractFiles(name)
	header := func(b []byte) []string {
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		Expect(err).NotTo(HaveOccurred(), "a CSV of the artifact does not parse")
		Expect(rows).NotTo(BeEmpty(), "a CSV of the artifact has no header row")
		return rows[0]
	}
	switch {
	case strings.HasPrefix(contentType, "text/csv"):
		Expect(len(specs)).To(Equal(1), "a single CSV for an extract the contract describes as a zip")
		Expect(specs[0].fits(header(data))).To(BeTrue(), "the CSV header is not the one %s describes", specs[0].schema)
	case strings.HasPrefix(contentType, "application/zip"):
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		Expect(err).NotTo(HaveOccurred(), "the zip artifact does not open")
		Expect(len(zr.File)).To(Equal(len(specs)), "the zip holds another number of files than the contract describes")
		for _, f := range zr.File {
			var spec *csvColumns
			for i := range specs {
				if specs[i].file != nil && specs[i].file.MatchString(f.Name) {
					spec = &specs[i]
				}
			}
			Expect(spec).NotTo(BeNil(), "a file of the zip has a name no CSV description of the extract has")
			rc, err := f.Open()
			Expect(err).NotTo(HaveOccurred())
			b, err := io.ReadAll(io.LimitReader(rc, maxArtifact))
			rc.Close()
			Expect(err).NotTo(HaveOccurred())
			Expect(spec.fits(header(b))).To(BeTrue(), "the header of a zipped CSV is not the one %s describes", spec.schema)
		}
	default:
		// application/octet-stream is declared too; its content is
		// checked by size and checksum only.
	}
}

// download fetches a complete job's artifact and checks it against the
// job: size and SHA-256 of exactly the bytes served (seed 001 lines
// 3355-3362), and the headers of its CSVs.
func download(job map[string]any) {
	GinkgoHelper()
	id := jobID(job)
	r := call(exAPI, http.MethodGet, jobFilePath(id), nil, nil)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	Expect(strconv.Itoa(len(r.Body))).To(Equal(text(job["filesize"])), "the artifact's size differs from the job's filesize")
	sum := sha256.Sum256(r.Body)
	Expect(strings.EqualFold(hex.EncodeToString(sum[:]), text(job["checksum"]))).To(BeTrue(), "the artifact's SHA-256 differs from the job's checksum")
	checkArtifact(text(job["jobName"]), r.Header.Get("Content-Type"), r.Body)
}

var _ = Describe("data extracts", func() {
	It("lists a job, reads it, downloads its checked artifact, deletes it and forgets it", exLabels("deleteExtractJob", suite.Write, suite.Smoke), func() {
		suite.E().RequireWrites()
		job := runExtract("DEVICE")
		id := jobID(job)

		var listed map[string]any
		for _, j := range listJobs(url.Values{"name": {"DEVICE"}}) {
			if n, _ := integer(j["id"]); n == id {
				listed = j
			}
		}
		Expect(listed).NotTo(BeNil(), "the job is not listed")

		one := call(exAPI, http.MethodGet, jobPath(id), nil, nil)
		one.ExpectStatus(http.StatusOK)
		one.ExpectValid()
		Expect(one.JSON).To(Equal(any(listed)), "the job reads otherwise than the list shows it")
		Expect(text(at(one.JSON, "status"))).To(Equal("C"), "a job run on demand is not complete")
		download(obj(one.JSON))

		del := call(exAPI, http.MethodPost, jobDelPath(id), nil, nil)
		Expect(del.HTTPStatus).To(BeElementOf(http.StatusOK, http.StatusNoContent), "delete answered HTTP %d", del.HTTPStatus)
		del.ExpectValid()
		for _, path := range []string{jobPath(id), jobFilePath(id)} {
			gone := call(exAPI, http.MethodGet, path, nil, nil)
			gone.ExpectStatus(http.StatusNotFound)
			gone.ExpectValid()
		}
		for _, j := range listJobs(nil) {
			n, _ := integer(j["id"])
			Expect(n).NotTo(Equal(id), "a deleted job is still listed")
		}
		again := call(exAPI, http.MethodPost, jobDelPath(id), nil, nil)
		again.ExpectStatus(http.StatusNotFound)
		again.ExpectValid()
	})

	for _, name := range []string{"ACCOUNT", "DEVICE", "DEVICEUPDATES", "ENTITLEMENT", "FULFILLMENT", "PRODUCTS", "SERVEDDEVICE", "UPDATES", "USAGE", "USER"} {
		It("produces the "+name+" extract with the columns the contract lists", exLabels("getExtractJobFile", suite.Write, suite.Full), func() {
			suite.E().RequireWrites()
			job := runExtract(name)
			one := call(exAPI, http.MethodGet, jobPath(jobID(job)), nil, nil)
			one.ExpectStatus(http.StatusOK)
			one.ExpectValid()
			Expect(text(at(one.JSON, "jobName"))).To(Equal(name))
			download(obj(one.JSON))
		})
	}

	It("filters the job list by name, status and artifact", exLabels("listExtractJobs", suite.Read, suite.Smoke), func() {
		if suite.E().Emulator() != nil {
			runExtract("USER") // something to list; emulator only
		}
		all := listJobs(nil)
		if len(all) == 0 {
			Skip("the target has no extract jobs to filter")
		}
		ids := map[int64]bool{}
		for _, j := range all {
			ids[jobID(j)] = true
		}
		for _, tc := range []struct {
			q    url.Values
			keep func(map[string]any) bool
		}{
			{url.Values{"name": {text(all[0]["jobName"])}}, func(j map[string]any) bool { return j["jobName"] == all[0]["jobName"] }},
			{url.Values{"status": {"C"}}, func(j map[string]any) bool { return j["status"] == "C" }},
			{url.Values{"artifactAvailable": {"true"}}, func(j map[string]any) bool { return j["artifactAvailable"] == true }},
			{url.Values{"artifactAvailable": {"false"}}, func(j map[string]any) bool { return j["artifactAvailable"] == false }},
			{url.Values{"name": {text(all[0]["jobName"])}, "status": {"C"}}, func(j map[string]any) bool {
				return j["jobName"] == all[0]["jobName"] && j["status"] == "C"
			}},
		} {
			want := 0
			for _, j := range all {
				if tc.keep(j) {
					want++
				}
			}
			got := listJobs(tc.q)
			for _, j := range got {
				Expect(tc.keep(j)).To(BeTrue(), "a job not matching %v is listed", tc.q)
				Expect(ids).To(HaveKey(jobID(j)), "a filtered list names a job the whole list does not")
			}
			Expect(len(got)).To(Equal(want), "the filter %v keeps another number of jobs than the whole list has", tc.q)
		}
		// A date window that holds every job start keeps them all.
		first, last := "9999-12-31", "0000-01-01"
		for _, j := range all {
			d := text(j["startTime"])[:10]
			first, last = min(first, d), max(last, d)
		}
		Expect(len(listJobs(url.Values{"beginDate": {first}, "endDate": {last}}))).To(Equal(len(all)), "a window around every start leaves jobs out")
	})

	It("serves the artifact of a complete job, matching its size and checksum", exLabels("getExtractJobFile", suite.Read, suite.Smoke), func() {
		if suite.E().Emulator() != nil {
			runExtract("ACCOUNT")
		}
		jobs := listJobs(url.Values{"status": {"C"}, "artifactAvailable": {"true"}})
		if len(jobs) == 0 {
			Skip("the target has no complete job with an artifact")
		}
		one := call(exAPI, http.MethodGet, jobPath(jobID(jobs[0])), nil, nil)
		one.ExpectStatus(http.StatusOK)
		one.ExpectValid()
		download(obj(one.JSON))
	})

	It("answers malformed job IDs and filters with 400 and unknown jobs with 404", exLabels("getExtractJob", suite.Read, suite.Full), func() {
		for _, tc := range []struct {
			method, path string
			q            url.Values
			status       int
		}{
			{http.MethodGet, pathExtracts + "/0", nil, http.StatusBadRequest},
			{http.MethodGet, pathExtracts + "/not-a-number", nil, http.StatusBadRequest},
			{http.MethodGet, pathExtracts + "/0/file", nil, http.StatusBadRequest},
			{http.MethodPost, pathExtractDel + "not-a-number", nil, http.StatusBadRequest},
			{http.MethodGet, jobPath(1 << 40), nil, http.StatusNotFound},
			{http.MethodGet, jobFilePath(1 << 40), nil, http.StatusNotFound},
			{http.MethodPost, jobDelPath(1 << 40), nil, http.StatusNotFound},
			{http.MethodGet, pathExtracts, url.Values{"status": {"X"}}, http.StatusBadRequest},
			{http.MethodGet, pathExtracts, url.Values{"name": {"NOSUCHEXTRACT"}}, http.StatusBadRequest},
			{http.MethodGet, pathExtracts, url.Values{"beginDate": {"2025-13-01"}}, http.StatusBadRequest},
			{http.MethodGet, pathExtracts, url.Values{"artifactAvailable": {"maybe"}}, http.StatusBadRequest},
			{http.MethodGet, pathExtracts, url.Values{"beginDate": {"2025-06-02"}, "endDate": {"2025-06-01"}}, http.StatusBadRequest},
		} {
			By(tc.method + " " + tc.path + " " + tc.q.Encode())
			r := call(exAPI, tc.method, tc.path, tc.q, nil)
			Expect(r.HTTPStatus).To(Equal(tc.status), "%s %s answered HTTP %d", tc.method, tc.path, r.HTTPStatus)
			r.ExpectValid()
		}
	})

	for _, route := range []struct{ op, method, path string }{
		{"listExtractJobs", http.MethodGet, pathExtracts},
		{"getExtractJob", http.MethodGet, jobPath(1)},
		{"getExtractJobFile", http.MethodGet, jobFilePath(1)},
		{"deleteExtractJob", http.MethodPost, jobDelPath(1)},
	} {
		It("refuses an anonymous "+route.method+" "+route.path, exLabels(route.op, suite.Read, suite.Smoke), func() {
			expectRefused(anonymous(exAPI, route.method, route.path, nil, nil))
		})
	}
})
