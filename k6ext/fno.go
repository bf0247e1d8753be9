// Package fno is the k6 extension k6/x/fno: a FlexNet Operations client for
// k6 scripts. A script creates a Client with a base URL, credentials and a
// version per SOAP service, then calls operations with plain JS objects:
//
//	import fno from 'k6/x/fno';
//	const client = new fno.Client({ baseURL: 'http://127.0.0.1:8080',
//	  auth: { basic: { user: 'admin', password: 'admin' } },
//	  versions: { ManageDeviceService: 'v7' } });
//	export default function () {
//	  const r = client.call('ManageDeviceService', 'searchDevices',
//	    { searchCriteria: { deviceId: { value: 'DEV-*', searchType: 'STARTS_WITH' } } });
//	}
//
// What it does for the script, and where it comes from:
//   - The request envelope is built from the object with the element order of
//     the bundled schemas (internal/soap FromValue with the version's
//     xsdmodel model), in the version's namespace, at the endpoint
//     /flexnet/services/[vN/]<Service> (seed 001, "Web Services Endpoints",
//     table 2-2 for the versions).
//   - Credentials travel as HTTP Basic, as the UserId/UserPassword SOAP
//     header (seed 001, "Passing the SOAP Web Service User"), or as a bearer
//     token.
//   - The response is parsed into status, reason, failedData, fault and the
//     payload as a plain object (internal/soap Parse and ToMap).
//   - Requests go through k6's own HTTP stack (lib/netext/httpext), so they
//     count in http_req_* and obey k6's options: TLS, blocked hosts and IPs,
//     DNS, rps limit, user agent, throw, system tags; each carries the tags
//     service, version and operation.
//   - FNO metrics: fno_soap_faults, fno_status_failures (tagged status),
//     fno_schema_violations, fno_callout_duration (from the emulator's
//     Server-Timing callout;dur header) and fno_operation_duration.
//   - Optional, sampled XSD validation of responses against the version's
//     WSDL with libxml2 (internal/xsd; only in a cgo build).
//   - Helpers for the application REST API (schemas/rest/application.yaml)
//     and the Data Access API with its paging (schemas/rest/data-access.yaml).
//
// There is one RootModule per k6 process, holding what every VU shares
// read-only (schema models, compiled validators), and one ModuleInstance per
// VU, holding that VU's metrics handles and random source. Errors and results
// never carry passwords or tokens.
package fno

import (
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
)

// ImportPath is the name scripts import the extension by.
const ImportPath = "k6/x/fno"

func init() {
	modules.Register(ImportPath, New())
}

// RootModule is the extension's global state, shared by every VU of a run.
type RootModule struct {
	schemas *schemaCache
	valid   *validatorCache
}

// ModuleInstance is the extension as one VU sees it.
type ModuleInstance struct {
	vu      modules.VU
	root    *RootModule
	metrics *fnoMetrics
}

var (
	_ modules.Module   = &RootModule{}
	_ modules.Instance = &ModuleInstance{}
)

// New returns the root module; k6 calls NewModuleInstance on it for every VU.
func New() *RootModule {
	return &RootModule{schemas: newSchemaCache(), valid: newValidatorCache()}
}

// NewModuleInstance registers the FNO metrics in the VU's registry (the
// registry returns the same metric to every VU) and returns the instance.
func (r *RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	env := vu.InitEnv()
	if env == nil {
		common.Throw(vu.Runtime(), errInitOnly)
	}
	m, err := registerMetrics(env.Registry)
	if err != nil {
		common.Throw(vu.Runtime(), err)
	}
	return &ModuleInstance{vu: vu, root: r, metrics: m}
}

// Exports gives scripts the Client constructor as a named export; k6 makes
// the default export an object of the named ones, so both
// `import fno from 'k6/x/fno'` and `import { Client } from 'k6/x/fno'` work.
func (mi *ModuleInstance) Exports() modules.Exports {
	return modules.Exports{Named: map[string]any{"Client": mi.newClient}}
}
