// Side-by-side throughput of ways to call one FNO operation from k6, in one
// run so they share the machine's noise:
//
//   call    — client.call() of k6/x/fno: envelope built in schema order from
//             a JS object, the answer read up to its status (the script
//             checks the status only; the payload is decoded on first use);
//   payload — the same, and the script reads the payload (so the whole
//             answer is decoded into a JS object);
//   http — plain k6/http posting a prebuilt envelope (the floor: no build,
//          no parse beyond k6's own response object);
//   js      — a JS-only client: the envelope built with strings from the
//             same object, the response parsed into an object by a JS XML
//             reader, the status read from it.
//
// Each scenario runs VUS constant VUs for DURATION against the same
// emulator operation (ManageDeviceService v7 searchDevices). WORKLOAD picks
// the answer's size: "one" (EQUALS on the device DEVICE, ~0.7 KB) or "page"
// (the first BATCH devices with name and status, ~0.38 KB each).
// handleSummary prints one line of figures and writes SUMMARY (JSON).
//
//   k6 run -e BASE=http://127.0.0.1:18089 -e WORKLOAD=one bench/soap-clients.js
import http from 'k6/http';
import encoding from 'k6/encoding';
import { Counter } from 'k6/metrics';
import fno from 'k6/x/fno';

const BASE = __ENV.BASE || 'http://127.0.0.1:18089';
const VUS = parseInt(__ENV.VUS || '4', 10);
const DURATION = __ENV.DURATION || '20s';
const WORKLOAD = __ENV.WORKLOAD || 'one';
const BATCH = parseInt(__ENV.BATCH || '50', 10);
const USER = __ENV.FNO_USER || 'admin';
const PASSWORD = __ENV.FNO_PASSWORD || 'admin';

const NS = 'urn:v7.fne.webservices.operations.flexnet.com';
const URL = `${BASE}/flexnet/services/v7/ManageDeviceService`;
const AUTH = 'Basic ' + encoding.b64encode(`${USER}:${PASSWORD}`);

// The request, as a script would write it (schema order, so the JS client
// can serialise it as is).
const request = WORKLOAD === 'page'
  ? { responseConfig: { name: true, status: true }, pageNumber: 1, batchSize: BATCH }
  : { queryParams: { deviceId: { value: __ENV.DEVICE || 'osa-host-umff9nx', searchType: 'EQUALS' } },
      responseConfig: { name: true, status: true }, pageNumber: 1, batchSize: 10 };

const client = new fno.Client({ baseURL: BASE, auth: { basic: { user: USER, password: PASSWORD } },
  versions: { ManageDeviceService: 'v7' } });

const scenario = (fn) => ({ executor: 'constant-vus', vus: VUS, duration: DURATION, exec: fn, gracefulStop: '5s' });
export const options = {
  scenarios: { call: scenario('viaCall'), payload: scenario('viaCallPayload'), http: scenario('viaHTTP'), js: scenario('viaJS') },
  // Thresholds that always pass make k6 keep the per-scenario series in
  // the summary data.
  thresholds: {
    'iterations{scenario:call}': ['count>=0'], 'iterations{scenario:payload}': ['count>=0'],
    'iterations{scenario:http}': ['count>=0'], 'iterations{scenario:js}': ['count>=0'],
  },
  summaryTrendStats: ['med', 'p(95)'],
};

// --- the JS-only client ------------------------------------------------
function esc(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function xml(name, v) {
  if (Array.isArray(v)) return v.map((x) => xml(name, x)).join('');
  if (v !== null && typeof v === 'object') {
    let s = '';
    for (const k of Object.keys(v)) s += xml(k, v[k]);
    return `<urn:${name}>${s}</urn:${name}>`;
  }
  return `<urn:${name}>${esc(v)}</urn:${name}>`;
}
function envelope(op, payload) {
  return '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="${NS}">` +
    `<soapenv:Body>${xml(op + 'Request', payload)}</soapenv:Body></soapenv:Envelope>`;
}
const ENT = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
function unesc(s) {
  return s.indexOf('&') < 0 ? s : s.replace(/&(lt|gt|amp|quot|apos);/g, (m) => ENT[m]);
}
// parseXML reads elements and text into nested objects keyed by local
// name (attributes ignored); a name seen twice under one parent becomes an
// array.
function parseXML(text) {
  const root = { kids: {}, lists: {} };
  const stack = [root];
  const re = /<\?[^>]*\?>|<(\/?)(?:[\w.-]+:)?([\w.-]+)[^>]*?(\/?)>|([^<]+)/g;
  const add = (parent, name, value) => {
    if (!(name in parent.kids)) parent.kids[name] = value;
    else if (parent.lists[name]) parent.kids[name].push(value);
    else { parent.kids[name] = [parent.kids[name], value]; parent.lists[name] = true; }
  };
  let m;
  while ((m = re.exec(text)) !== null) {
    const top = stack[stack.length - 1];
    if (m[4] !== undefined) { top.text = (top.text || '') + m[4]; continue; }
    if (m[2] === undefined) continue; // the XML declaration
    if (m[3]) { add(top, m[2], ''); continue; } // <empty/>
    if (!m[1]) { stack.push({ name: m[2], kids: {}, lists: {} }); continue; }
    const done = stack.pop();
    const value = Object.keys(done.kids).length ? done.kids : unesc((done.text || '').trim());
    add(stack[stack.length - 1], done.name, value);
  }
  return root.kids;
}
function jsCall(op, payload) {
  const res = http.post(URL, envelope(op, payload), { headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', Authorization: AUTH } });
  const env = parseXML(res.body || '');
  const body = (env.Envelope || {}).Body || {};
  const fault = body.Fault || null;
  const payloadOut = fault ? null : body[op + 'Response'] || null;
  const info = (payloadOut && payloadOut.statusInfo) || {};
  return { httpStatus: res.status, status: info.status || '', reason: info.reason || '', fault, payload: payloadOut, bodySize: (res.body || '').length };
}

// --- the three scenarios -----------------------------------------------
const prebuilt = envelope('searchDevices', request);
const params = { headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""', Authorization: AUTH } };
// wrong counts iterations whose answer was not the expected one; it is
// only added to when something is wrong, so it costs the scenarios nothing.
const wrong = new Counter('bench_wrong');

export function viaCall() {
  const r = client.call('ManageDeviceService', 'searchDevices', request);
  if (r.status !== 'SUCCESS') wrong.add(1, { scenario: 'call' });
}

// The payload scenario reads what a script checking the devices would.
const wanted = WORKLOAD === 'page' ? BATCH : 1;
export function viaCallPayload() {
  const r = client.call('ManageDeviceService', 'searchDevices', request);
  if (r.status !== 'SUCCESS' || r.payload.devices.device.length !== wanted) wrong.add(1, { scenario: 'payload' });
}

export function viaHTTP() {
  const r = http.post(URL, prebuilt, params);
  if (r.status !== 200) wrong.add(1, { scenario: 'http' });
}

export function viaJS() {
  const r = jsCall('searchDevices', request);
  if (r.status !== 'SUCCESS') wrong.add(1, { scenario: 'js' });
  // (r.payload is the whole answer as an object already.)
}

export function handleSummary(data) {
  const m = data.metrics;
  const it = (s) => ((m[`iterations{scenario:${s}}`] || {}).values || {}).count || 0;
  const secs = data.state.testRunDurationMs / 1000;
  const c = it('call'), p = it('payload'), h = it('http'), j = it('js');
  const out = {
    workload: WORKLOAD, vus: VUS, duration: DURATION, batch: WORKLOAD === 'page' ? BATCH : 10,
    rps: { call: c / secs, payload: p / secs, http: h / secs, js: j / secs },
    ratio: { callOverHTTP: h ? c / h : 0, callOverJS: j ? c / j : 0, payloadOverHTTP: h ? p / h : 0, payloadOverJS: j ? p / j : 0 },
    failedRequests: ((m.http_req_failed || {}).values || {}).passes || 0,
    wrongAnswers: ((m.bench_wrong || {}).values || {}).count || 0,
  };
  const f = (x) => x.toFixed(3);
  const line = `workload=${WORKLOAD} rps call=${out.rps.call.toFixed(0)} payload=${out.rps.payload.toFixed(0)} http=${out.rps.http.toFixed(0)} js=${out.rps.js.toFixed(0)} | ` +
    `call/http=${f(out.ratio.callOverHTTP)} call/js=${f(out.ratio.callOverJS)} payload/http=${f(out.ratio.payloadOverHTTP)} payload/js=${f(out.ratio.payloadOverJS)} ` +
    `failed=${out.failedRequests} wrong=${out.wrongAnswers}\n`;
  const files = { stdout: line };
  if (__ENV.SUMMARY) files[__ENV.SUMMARY] = JSON.stringify(out, null, 2) + '\n';
  return files;
}
