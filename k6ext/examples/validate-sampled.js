// Sampled XSD validation inside the load test: 5% of the responses are
// validated against the bundled ManageDeviceService v7 WSDL with libxml2,
// and any violation fails the run. Start the emulator with contract drift
// to see it fire:
//
//   bin/fnokit serve -fault-scope ManageDeviceService/v7/searchDevices -drift extra-element -drift-rate 0.2 &
//   bin/k6 run k6ext/examples/validate-sampled.js
import { check } from 'k6';
import fno from 'k6/x/fno';

const client = new fno.Client({
  baseURL: __ENV.BASE || 'http://127.0.0.1:8080',
  auth: { basic: { user: __ENV.FNO_USER || 'admin', password: __ENV.FNO_PASSWORD || 'admin' } },
  versions: { ManageDeviceService: 'v7' },
  validate: { sample: parseFloat(__ENV.SAMPLE || '0.05') },
});

export const options = {
  vus: 2,
  duration: '10s',
  thresholds: { fno_schema_violations: ['count==0'] },
};

let told = false; // one warning per VU is enough

export default function () {
  const r = client.call('ManageDeviceService', 'searchDevices', { pageNumber: 1, batchSize: 10 });
  check(r, { 'status SUCCESS': (x) => x.status === 'SUCCESS' });
  if (!told && r.violations && r.violations.length > 0) {
    told = true;
    // Locations and messages never quote values.
    console.warn(`${r.violations.length} violation(s), first at ${r.violations[0].location}: ${r.violations[0].message}`);
  }
}
