// callout-latency: what the capability request callout costs a capability
// request (seed 001 chapter 5, "Capability Request Callout": FNO calls the
// producer's /finalizeHost, /checkAccess and /finalizeResponse in the middle
// of generateCapabilityResponse).
//
// CL_MODE=emulator (default): generateCapabilityResponse against an FNO
// (the emulator) whose callout is switched on, e.g.
//   fnokit callout serve --latency 5ms &
//   fnokit serve --callout-url http://127.0.0.1:8090
// or simply `fnokit bench callout-latency --callout-latency 5ms`, which
// starts both in process. Each VU keeps a few devices with one add-on
// mapped (the copy is taken once; later requests keep the count), so every
// request passes every trigger point switched on. Per request the callout
// share is fno_callout_duration (the emulator's Server-Timing callout;dur,
// the HTTP exchanges with the callout) over the request's duration; it is
// the Trend fno_callout_share (per cent), and the summary adds the share of
// the means.
//
// CL_MODE=direct: load-tests a producer's callout at CALLOUT_URL (loopback
// unless FNO_ALLOW_REMOTE=true) with the documented request messages
// (lib/callout-samples.json, generated from internal/callout: every trigger
// point with and without host and add-on details), checking that each
// answer is 200 JSON with only the actions its trigger point allows. The
// full contract test of a callout is `fnokit callout check`; this is its
// latency under load.
import http from 'k6/http';
import { check } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import {
  PROFILE, env, envInt, newClient, executor, latencyLimits, latency, baseThresholds,
  commonOptions, summary, list, num, outcome, isLoopback, requireWrites, ERROR_RATE,
} from './lib/common.js';

const MODE = env('CL_MODE', 'emulator');
if (MODE !== 'emulator' && MODE !== 'direct') throw new Error('CL_MODE must be emulator or direct');
const DIRECT = MODE === 'direct';
// The two modes measure different things: each has its own report and
// baseline (reports/bench/callout-latency.json, callout-latency-direct.json).
const NAME = DIRECT ? 'callout-latency-direct' : 'callout-latency';
const CALLOUT_URL = env('CALLOUT_URL', 'http://127.0.0.1:8090').replace(/\/+$/, '');
if (DIRECT && !isLoopback(CALLOUT_URL) && env('FNO_ALLOW_REMOTE', 'false') !== 'true') {
  throw new Error('CALLOUT_URL is not loopback: set FNO_ALLOW_REMOTE=true to load another host');
}
if (!DIRECT) requireWrites(NAME);
const DEVICES_PER_VU = Math.max(1, envInt('CL_DEVICES_PER_VU', 4));

const requests = new Counter('fno_callout_requests');
const share = new Trend('fno_callout_share'); // per cent of a request's time spent in the callout
const unexpected = new Rate('fno_unexpected');

// The callout's latency (CALLOUT_LATENCY_MS, what `fnokit bench` set) is
// part of every request: the limits are on top of it.
const extra = Number(env('CALLOUT_LATENCY_MS', '0')) * (DIRECT ? 1 : 3);
const base = latencyLimits({ smoke: [500, 1000], load: [100, 250], stress: [1000, 2000], soak: [100, 250] });
const lim = { p95: base.p95 + extra, p99: base.p99 + extra };

const LATENCY = DIRECT
  ? ['http_req_duration{trigger:finalizeHost}', 'http_req_duration{trigger:checkAccess}', 'http_req_duration{trigger:finalizeResponse}']
  : ['fno_operation_duration{operation:generateCapabilityResponse}', 'fno_callout_duration'];

const thresholds = Object.assign(DIRECT ? {
  http_req_failed: [`rate<${ERROR_RATE}`],
  checks: [`rate>${1 - ERROR_RATE}`],
} : baseThresholds(), {
  fno_unexpected: [`rate<${ERROR_RATE}`],
  fno_callout_requests: ['count>0'],
});
for (const m of LATENCY) thresholds[m] = latency(lim);

export const options = commonOptions(NAME, executor(PROFILE, { vus: 8, stressRate: 600, rate: 100 }), thresholds);

// The documented messages, read once in the init context.
const SAMPLES = DIRECT ? JSON.parse(open('./lib/callout-samples.json')) : [];

const client = DIRECT ? null : newClient();

// Actions each trigger point may ask for (seed 001 Table 5-2), as far as
// this latency test checks them: the root keys, and the flags and
// settings that belong to one trigger point.
function allowed(trigger, body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  for (const k of Object.keys(body)) {
    if (!['responseActions', 'hostActions', 'addOnActions'].includes(k)) return false;
  }
  const h = body.hostActions || {};
  const r = body.responseActions || {};
  if (h.denyCreate === true && trigger !== 'finalizeHost') return false;
  if (h.denyAccess === true && trigger !== 'checkAccess') return false;
  if (h.hostType && trigger !== 'finalizeHost') return false;
  if ((r.lifetime !== undefined && r.lifetime !== null) && trigger !== 'finalizeResponse') return false;
  if (r.vendorDictionary && trigger !== 'finalizeResponse') return false;
  if (list(body.addOnActions).length > 0 && trigger !== 'finalizeResponse') return false;
  return true;
}

function direct() {
  const s = SAMPLES[Math.floor(Math.random() * SAMPLES.length)];
  const res = http.post(`${CALLOUT_URL}/${s.trigger}`, JSON.stringify(s.body), {
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    tags: { trigger: s.trigger, details: s.details, name: `${CALLOUT_URL}/${s.trigger}` },
    responseType: 'text',
    timeout: env('FNO_TIMEOUT', '30s'),
  });
  let body;
  try { body = JSON.parse(res.body); } catch (e) { body = undefined; }
  const ok = res.status === 200 && /json/i.test(res.headers['Content-Type'] || '') && allowed(s.trigger, body);
  check(res, {
    'callout: 200 with JSON': () => res.status === 200 && /json/i.test(res.headers['Content-Type'] || ''),
    'callout: only the actions its trigger point allows': () => allowed(s.trigger, body),
  });
  unexpected.add(!ok, { trigger: s.trigger });
  requests.add(1, { trigger: s.trigger });
}

export function setup() {
  if (DIRECT) return { run: '', items: [] };
  // Line items to map: any with copies left, deployed, not about to expire.
  const r = client.call('EntitlementOrderService', 'getActivatableItemsQuery',
    { activatableItemSearchCriteria: { restrictToItemsWithCount: true }, batchSize: 500, pageNumber: 1 });
  if (r.status !== 'SUCCESS') throw new Error(`getActivatableItemsQuery: ${outcome(r)}`);
  const today = new Date().toISOString().slice(0, 10);
  const items = [];
  for (const a of list(r.payload && r.payload.activatableItem)) {
    const d = a.activatableItemData || {};
    const aid = d.activationId && (d.activationId.id || d.activationId);
    const live = d.isPermanent === 'true' || (d.expirationDate || '') > today;
    if (aid && d.state === 'DEPLOYED' && live && num(d.numberOfRemainingCopies) >= 100) items.push(aid);
  }
  if (items.length === 0) throw new Error('no activatable line item with 100 copies left to map');
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { run, items: items.slice(0, 32) };
}

export default function (data) {
  if (DIRECT) {
    direct();
    return;
  }
  const d = Math.floor(Math.random() * DEVICES_PER_VU);
  const aid = data.items[(__VU * DEVICES_PER_VU + d) % data.items.length];
  const t0 = Date.now();
  const r = client.call('ManageDeviceService', 'generateCapabilityResponse', {
    device: [{
      deviceIdentifier: { deviceType: 'CLIENT', deviceId: `K6-CL-${data.run}-${__VU}-${d}`, deviceIdType: 'STRING' },
      lineItem: [{ lineItemIdentifier: { activationId: aid, count: 1 } }],
    }],
  });
  const elapsed = typeof r.duration === 'number' ? r.duration : Date.now() - t0;
  const dev = list(r.payload && r.payload.responseData && r.payload.responseData.device)[0];
  const ok = r.status === 'SUCCESS' && !!(dev && dev.addonLicense);
  const called = typeof r.calloutDuration === 'number';
  check(r, {
    'capability response: SUCCESS with its licence': () => ok,
    'the callout was called (Server-Timing callout;dur)': () => called,
  });
  unexpected.add(!(ok && called));
  if (!ok && __ITER < 3) console.warn(`generateCapabilityResponse: ${outcome(r)}`);
  requests.add(1);
  if (called && elapsed > 0) share.add(Math.min(100, (100 * r.calloutDuration) / elapsed));
}

export const handleSummary = summary(NAME, {
  latency: LATENCY,
  throughput: 'fno_callout_requests',
  errors: ['fno_unexpected', 'http_req_failed'],
  notes: (data) => {
    const m = data.metrics;
    const out = { 'callout latency set (ms)': Number(env('CALLOUT_LATENCY_MS', '0')) };
    const op = m['fno_operation_duration{operation:generateCapabilityResponse}'];
    const co = m.fno_callout_duration;
    if (op && co && op.values.avg > 0) {
      out['callout share of the mean request (%)'] = Math.round(10000 * co.values.avg / op.values.avg) / 100;
    }
    const s = m.fno_callout_share;
    if (s) {
      out['callout share per request, median (%)'] = Math.round(100 * s.values.med) / 100;
      out['callout share per request, p95 (%)'] = Math.round(100 * s.values['p(95)']) / 100;
    }
    return out;
  },
});
