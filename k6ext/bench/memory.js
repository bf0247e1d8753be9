// Memory of k6 per VU with the extension: VUS VUs, each with its own
// fno.Client, call ManageDeviceService v7 searchDevices (one device) once
// every PAUSE seconds for DURATION. MODE=http does the same with plain
// k6/http and a prebuilt envelope, as the baseline. The script measures
// nothing itself: bench/run.sh reads the k6 process's peak RSS for two VU
// counts and divides the difference by the difference in VUs.
import http from 'k6/http';
import encoding from 'k6/encoding';
import { sleep } from 'k6';
import fno from 'k6/x/fno';

const BASE = __ENV.BASE || 'http://127.0.0.1:18089';
const MODE = __ENV.MODE || 'call';
const DEVICE = __ENV.DEVICE || 'osa-host-umff9nx';
const PAUSE = parseFloat(__ENV.PAUSE || '0.2');
const request = { queryParams: { deviceId: { value: DEVICE, searchType: 'EQUALS' } },
  responseConfig: { name: true, status: true }, pageNumber: 1, batchSize: 10 };

const client = MODE === 'call'
  ? new fno.Client({ baseURL: BASE, auth: { basic: { user: 'admin', password: 'admin' } }, versions: { ManageDeviceService: 'v7' } })
  : null;
const URL = `${BASE}/flexnet/services/v7/ManageDeviceService`;
const envelope = '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:urn="urn:v7.fne.webservices.operations.flexnet.com"><soapenv:Body><urn:searchDevicesRequest><urn:queryParams><urn:deviceId>' +
  `<urn:value>${DEVICE}</urn:value><urn:searchType>EQUALS</urn:searchType></urn:deviceId></urn:queryParams><urn:responseConfig>` +
  '<urn:name>true</urn:name><urn:status>true</urn:status></urn:responseConfig><urn:pageNumber>1</urn:pageNumber><urn:batchSize>10</urn:batchSize>' +
  '</urn:searchDevicesRequest></soapenv:Body></soapenv:Envelope>';
const params = { headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""',
  Authorization: 'Basic ' + encoding.b64encode('admin:admin') } };

export const options = {
  scenarios: { mem: { executor: 'constant-vus', vus: parseInt(__ENV.VUS || '1', 10), duration: __ENV.DURATION || '10s', gracefulStop: '5s' } },
  thresholds: { http_req_failed: ['rate==0'] },
};

export default function () {
  if (client) client.call('ManageDeviceService', 'searchDevices', request);
  else http.post(URL, envelope, params);
  sleep(PAUSE);
}

export function handleSummary() { return {}; }
