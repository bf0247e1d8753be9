// The REST helpers: application REST device search and count, and a Data
// Access report followed through its pages with a JWT.
//
//   bin/k6 run k6ext/examples/rest-and-data.js
import { check } from 'k6';
import fno from 'k6/x/fno';

const client = new fno.Client({
  baseURL: __ENV.BASE || 'http://127.0.0.1:8080',
  auth: { basic: { user: __ENV.FNO_USER || 'admin', password: __ENV.FNO_PASSWORD || 'admin' } },
});

export const options = {
  iterations: 5,
  thresholds: {
    'fno_operation_duration{service:application}': ['p(95)<500'],
    'fno_operation_duration{operation:getDeviceReport}': ['p(95)<2000'],
    fno_status_failures: ['count==0'],
  },
};

export function setup() {
  // One JWT per VU is kept by its client; setup only checks the route.
  check(client.data.authenticate(), { 'data access authenticates': (r) => r.ok });
}

export default function () {
  const query = { queryParams: { deviceId: { value: 'osa-', searchType: 'STARTS_WITH' } } };
  const page = client.rest.searchDevices({ ...query, batchSize: 100 });
  const count = client.rest.devicesCount(query);
  check(page, { 'REST devices SUCCESS': (r) => r.status === 'SUCCESS' });
  check(count, { 'count covers the page': (r) => r.body.responseData.count >= (page.body.responseData.device || []).length });

  client.data.authenticate();
  const report = client.data.report('device', { pastDays: 30, limitRecords: 500, mode: 'INTERACTIVE', maxPages: 20, keep: false });
  check(report, {
    'report read': (r) => r.error === '' && r.httpStatus === 200,
    'all pages read': (r) => r.truncated || r.recordCount === r.totalRecords,
  });
}
