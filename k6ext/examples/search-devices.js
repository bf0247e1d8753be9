// Device search over SOAP with k6/x/fno, with thresholds on the FNO metrics.
//
//   make k6 && bin/fnokit serve &        # the emulator on 127.0.0.1:8080
//   bin/k6 run k6ext/examples/search-devices.js
//   bin/k6 run -e BASE=https://<site>.flexnetoperations.com -e FNO_USER=… -e FNO_PASSWORD=… k6ext/examples/search-devices.js
import { check } from 'k6';
import fno from 'k6/x/fno';

const client = new fno.Client({
  baseURL: __ENV.BASE || 'http://127.0.0.1:8080',
  auth: { basic: { user: __ENV.FNO_USER || 'admin', password: __ENV.FNO_PASSWORD || 'admin' } },
  versions: { ManageDeviceService: 'v7' },
});

export const options = {
  vus: 4,
  duration: '15s',
  thresholds: {
    'http_req_duration{operation:searchDevices}': ['p(95)<200'],
    fno_soap_faults: ['count==0'],
    fno_status_failures: ['count==0'],
    'fno_operation_duration{operation:searchDevices}': ['p(99)<300'],
  },
};

export default function () {
  const r = client.call('ManageDeviceService', 'searchDevices', {
    queryParams: { deviceId: { value: 'osa-', searchType: 'STARTS_WITH' } },
    responseConfig: { name: true, status: true, soldTo: true },
    pageNumber: 1,
    batchSize: 25,
  });
  check(r, {
    'status SUCCESS': (x) => x.status === 'SUCCESS',
    // device is always an array: the schema declares it repeatable.
    'devices listed': (x) => x.payload !== null && (x.payload.devices ? x.payload.devices.device.length : 0) <= 25,
  });
}
