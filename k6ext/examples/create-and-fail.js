// Writes over SOAP: a device created twice gives a FAILURE on the second
// call, with the record that failed in failedData; fno_status_failures
// counts it, tagged status:FAILURE. Credentials in the SOAP header.
//
//   bin/k6 run k6ext/examples/create-and-fail.js
import { check } from 'k6';
import exec from 'k6/execution';
import fno from 'k6/x/fno';

const client = new fno.Client({
  baseURL: __ENV.BASE || 'http://127.0.0.1:8080',
  auth: { soapHeader: { user: __ENV.FNO_USER || 'admin', password: __ENV.FNO_PASSWORD || 'admin' } },
  versions: { ManageDeviceService: 'v7' },
});

export const options = {
  iterations: 20,
  vus: 2,
  thresholds: {
    // Every second call is expected to fail: exactly one per iteration.
    'fno_status_failures{status:FAILURE}': ['count==20'],
    fno_soap_faults: ['count==0'],
  },
};

export default function () {
  const id = `K6-EXAMPLE-${exec.scenario.iterationInTest}-${Date.now()}`;
  const device = { device: { deviceIdentifier: { deviceType: 'CLIENT', deviceId: id, deviceIdType: 'STRING' }, alias: 'k6 example' } };
  const first = client.call('ManageDeviceService', 'createDevice', device);
  const again = client.call('ManageDeviceService', 'createDevice', device);
  check(first, { created: (r) => r.status === 'SUCCESS' });
  check(again, {
    'second is a FAILURE': (r) => r.status === 'FAILURE',
    'failedData names the device': (r) => r.failedData.length === 1 && r.failedData[0].record.device.deviceIdentifier.deviceId === id,
  });
}
