// device-search: device searches in a mix of search types and page sizes,
// over SOAP (ManageDeviceService v7 searchDevices and getDevicesQuery) and
// the application REST API (POST /flexnet/operations/manageDevice/devices;
// seed 001 lines 4956-5175).
//
// setup() samples existing device IDs (getDevicesQuery pages spread over
// the data set) and derives from each a value per search type, as a user
// would type it: the whole ID (EQUALS), its first, last or middle five
// characters (STARTS_WITH, ENDS_WITH, CONTAINS). Every iteration picks an
// API, a search type and a page size by weight, and checks the answer:
// SUCCESS, no more devices than the page size, every device found matching
// the criterion, and an EQUALS search finding its device.
//
// Data set: the load, stress and soak profiles are meant for the emulator's
// million-device data set (`fnokit bench device-search` starts the emulator
// with --devices 1000000 for them); smoke runs on the default 10 000.
// CONTAINS is a scan of every device, hence its small default weight and
// its own latency limits.
//
// Weights (name:weight, comma-separated):
//   DS_APIS        default searchDevices:40,getDevicesQuery:30,rest:30
//   DS_TYPES       default EQUALS:40,STARTS_WITH:25,ENDS_WITH:25,CONTAINS:10
//   DS_PAGE_SIZES  default 10:50,50:30,200:20
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import {
  PROFILE, env, envInt, newClient, executor, latencyLimits, latency, baseThresholds,
  commonOptions, summary, list, num, outcome, ERROR_RATE,
} from './lib/common.js';

const NAME = 'device-search';
const VERSION = env('DS_VERSION', 'v7');

// weights parses "name:weight,…" into a cumulative table.
function weights(name, def, allowed) {
  const out = [];
  let total = 0;
  for (const part of env(name, def).split(',')) {
    const [k, w] = part.split(':').map((s) => s.trim());
    const n = Number(w);
    if (!k || !Number.isFinite(n) || n < 0 || (allowed && !allowed.includes(k))) {
      throw new Error(`${name}: want name:weight,… with names from ${allowed ? allowed.join(', ') : 'the page sizes'}`);
    }
    if (n === 0) continue;
    total += n;
    out.push({ k, upTo: total });
  }
  if (total === 0) throw new Error(`${name}: every weight is zero`);
  return { out, total };
}

function draw(table) {
  const x = Math.random() * table.total;
  for (const e of table.out) if (x < e.upTo) return e.k;
  return table.out[table.out.length - 1].k;
}

const TYPES = ['EQUALS', 'STARTS_WITH', 'ENDS_WITH', 'CONTAINS'];
const APIS = ['searchDevices', 'getDevicesQuery', 'rest'];
const apiW = weights('DS_APIS', 'searchDevices:40,getDevicesQuery:30,rest:30', APIS);
const typeW = weights('DS_TYPES', 'EQUALS:40,STARTS_WITH:25,ENDS_WITH:25,CONTAINS:10', TYPES);
const sizeW = weights('DS_PAGE_SIZES', '10:50,50:30,200:20');
for (const e of sizeW.out) {
  const n = Number(e.k);
  if (!Number.isInteger(n) || n < 1 || n > 2000) throw new Error('DS_PAGE_SIZES: a page size is 1 to 2000 (FNO reads at most 2000 records)');
}
const SAMPLE_PAGES = Math.max(1, envInt('DS_SAMPLE_PAGES', 5));

const searches = new Counter('fno_searches');
const found = new Counter('fno_devices_found');
const unexpected = new Rate('fno_unexpected');

const lim = latencyLimits({ smoke: [500, 1000], load: [150, 400], stress: [1000, 2000], soak: [150, 400] });
// CONTAINS scans the whole data set: it gets its own, wider limits.
const scanLim = latencyLimits({ smoke: [1000, 2000], load: [1500, 3000], stress: [4000, 8000], soak: [1500, 3000] });
const LATENCY = [
  'fno_operation_duration{operation:searchDevices}',
  'fno_operation_duration{operation:getDevicesQuery}',
  'fno_operation_duration{operation:devices}',
  'fno_operation_duration{search:EQUALS}',
  'fno_operation_duration{search:STARTS_WITH}',
  'fno_operation_duration{search:ENDS_WITH}',
  'fno_operation_duration{search:CONTAINS}',
];
const thresholds = Object.assign(baseThresholds(), {
  fno_unexpected: [`rate<${ERROR_RATE}`],
  fno_searches: ['count>0'],
  // The searches themselves never fail: any FNO status but SUCCESS is one.
  'fno_status_failures{service:ManageDeviceService}': ['count==0'],
});
for (const m of LATENCY) thresholds[m] = latency(m.endsWith('{search:CONTAINS}') ? scanLim : lim);

export const options = commonOptions(NAME, executor(PROFILE, { vus: 8, stressRate: 1500, rate: 200 }), thresholds);

const client = newClient({ ManageDeviceService: VERSION });

const FIVE = 5;
function criterion(id, type) {
  if (id.length <= FIVE) return id;
  switch (type) {
    case 'STARTS_WITH': return id.slice(0, FIVE);
    case 'ENDS_WITH': return id.slice(-FIVE);
    case 'CONTAINS': { const m = Math.floor(id.length / 2) - Math.floor(FIVE / 2); return id.slice(m, m + FIVE); }
  }
  return id;
}

function matches(id, value, type) {
  const s = String(id).toLowerCase();
  const v = value.toLowerCase();
  switch (type) {
    case 'EQUALS': return s === v;
    case 'STARTS_WITH': return s.startsWith(v);
    case 'ENDS_WITH': return s.endsWith(v);
    case 'CONTAINS': return s.includes(v);
  }
  return false;
}

export function setup() {
  const c = client.call('ManageDeviceService', 'getDeviceCount', {});
  if (c.status !== 'SUCCESS') throw new Error(`getDeviceCount: ${outcome(c)}`);
  const total = num(c.payload && c.payload.responseData && c.payload.responseData.count);
  const pages = Math.max(1, Math.floor((Number.isFinite(total) ? total : 100) / 100));
  const ids = new Set();
  for (let i = 0; i < SAMPLE_PAGES; i++) {
    const page = i === 0 ? 1 : 1 + Math.floor(Math.random() * Math.min(pages, 10000));
    const r = client.call('ManageDeviceService', 'getDevicesQuery', { pageNumber: page, batchSize: 100 });
    if (r.status !== 'SUCCESS') throw new Error(`getDevicesQuery: ${outcome(r)}`);
    for (const d of list(r.payload && r.payload.responseData && r.payload.responseData.device)) {
      const id = d.deviceIdentifier && d.deviceIdentifier.deviceId;
      if (id) ids.add(id);
    }
  }
  if (ids.size === 0) throw new Error('the target has no devices with a device ID to search for');
  return { ids: Array.from(ids), devices: total };
}

// devicesOf lists the device IDs of an answer and whether it succeeded.
function run(api, value, type, size) {
  const tags = { tags: { search: type, page: String(size) } };
  const crit = { deviceId: { value, searchType: type } };
  if (api === 'rest') {
    const r = client.rest.searchDevices({ queryParams: crit, batchSize: size, pageNumber: 1 }, tags);
    const devs = list(r.body && r.body.responseData && r.body.responseData.device);
    return { r, ok: r.httpStatus === 200 && r.status === 'SUCCESS', ids: devs.map((d) => d.deviceIdentifier && d.deviceIdentifier.deviceId) };
  }
  if (api === 'searchDevices') {
    const r = client.call('ManageDeviceService', 'searchDevices',
      { queryParams: crit, responseConfig: { name: true, status: true, soldTo: true }, pageNumber: 1, batchSize: size }, tags);
    const devs = list(r.payload && r.payload.devices && r.payload.devices.device);
    return { r, ok: r.status === 'SUCCESS', ids: devs.map((d) => d.deviceId && d.deviceId.id) };
  }
  const r = client.call('ManageDeviceService', 'getDevicesQuery', { queryParams: crit, pageNumber: 1, batchSize: size }, tags);
  const devs = list(r.payload && r.payload.responseData && r.payload.responseData.device);
  return { r, ok: r.status === 'SUCCESS', ids: devs.map((d) => d.deviceIdentifier && d.deviceIdentifier.deviceId) };
}

export default function (data) {
  const api = draw(apiW);
  const type = draw(typeW);
  const size = Number(draw(sizeW));
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const value = criterion(id, type);
  const { r, ok, ids } = run(api, value, type, size);
  const named = ids.filter((x) => x);
  const fine = ok && ids.length <= size && named.every((x) => matches(x, value, type)) &&
    (type !== 'EQUALS' || named.some((x) => matches(x, id, 'EQUALS')));
  check(r, {
    'search: SUCCESS': () => ok,
    'search: at most a page of devices': () => ids.length <= size,
    'search: every device found matches the criterion': () => named.every((x) => matches(x, value, type)),
    'search: EQUALS finds its device': () => type !== 'EQUALS' || named.some((x) => matches(x, id, 'EQUALS')),
  });
  unexpected.add(!fine, { api, search: type });
  if (!ok && __ITER < 3) console.warn(`${api} ${type}: ${outcome(r)}`);
  searches.add(1, { api, search: type });
  found.add(ids.length, { api });
}

export const handleSummary = summary(NAME, {
  latency: LATENCY,
  throughput: 'fno_searches',
  errors: ['fno_unexpected', 'http_req_failed'],
  notes: (data) => {
    const out = {};
    if (data.setup_data && data.setup_data.devices) out['devices in the data set'] = data.setup_data.devices;
    const f = data.metrics.fno_devices_found;
    const s = data.metrics.fno_searches;
    if (f && s && s.values.count > 0) out['devices per answer (mean)'] = Math.round(100 * f.values.count / s.values.count) / 100;
    return out;
  },
});
