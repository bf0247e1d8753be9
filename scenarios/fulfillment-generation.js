// fulfillment-generation: licences generated against activatable line
// items, by LicenseService createLicense (a FlexNet licence file per
// fulfilment) and ManageDeviceService generateCapabilityResponse (add-on
// copies mapped to a device and a signed capability response), checking
// that no line item is ever oversold.
//
// setup() finds activatable line items with EntitlementOrderService
// getActivatableItemsQuery (restrictToItemsWithCount, seed 001 "Entitlement
// Order Service" getActivatableItemsQuery) and picks two pools:
//   - hot items (FG_HOT, default 4): the ones with the fewest copies left,
//     which a share of the iterations (FG_HOT_SHARE, default 0.1) races
//     for until they are gone. Copies taken from them are counted per item
//     (fno_copies_taken{item:N}) and must never be more than the item had
//     left when the test began: handleSummary reports those bounds and
//     `fnokit bench` fails a run that crossed one.
//   - bulk items (FG_BULK, default 64): the ones with the most copies left,
//     which carry the sustained load. createLicense fulfilments are
//     returned (returnLicense) once a VU holds FG_KEEP of them, and devices
//     map and unmap copies, so the pool does not run dry in a long run.
// Every answer is checked: SUCCESS with its fulfilment, or FAILURE for
// "not enough remaining copies" (the documented refusal when a line item
// is used up); anything else counts in fno_unexpected. After a success on a
// hot item (and a share FG_VERIFY_SHARE of bulk successes) the line item is
// read back: fulfilled must be at most entitled, and remaining the
// difference. teardown() reads every pool item back once more.
//
// The scenario writes: it refuses a target that is not loopback unless
// FNO_ALLOW_WRITES=true. Run it through `fnokit bench fulfillment-generation`.
import { check } from 'k6';
import { Counter, Rate } from 'k6/metrics';
import {
  PROFILE, env, envInt, envNum, newClient, requireWrites, executor, latencyLimits, latency,
  baseThresholds, commonOptions, summary, list, num, pick, outcome, ERROR_RATE,
} from './lib/common.js';

const NAME = 'fulfillment-generation';
requireWrites(NAME);

const HOT = envInt('FG_HOT', 4);
const BULK = Math.max(1, envInt('FG_BULK', 64));
const HOT_SHARE = envNum('FG_HOT_SHARE', 0.1);
const LICENSE_SHARE = envNum('FG_LICENSE_SHARE', 0.5); // of the bulk iterations; the rest are capability requests
const KEEP = Math.max(1, envInt('FG_KEEP', 16));
const VERIFY_SHARE = envNum('FG_VERIFY_SHARE', PROFILE === 'smoke' ? 1 : 0.02);
const DEVICES_PER_VU = Math.max(1, envInt('FG_DEVICES_PER_VU', 4));
const MAX_PAGES = Math.max(1, envInt('FG_MAX_PAGES', 5));

const fulfilments = new Counter('fno_fulfilments');
const copiesTaken = new Counter('fno_copies_taken');
const refused = new Counter('fno_refused_no_copies');
const oversold = new Counter('fno_oversold');
const unexpected = new Rate('fno_unexpected');

const lim = latencyLimits({ smoke: [500, 1000], load: [100, 250], stress: [1000, 2000], soak: [100, 250] });
const LATENCY = [
  'fno_operation_duration{operation:createLicense}',
  'fno_operation_duration{operation:generateCapabilityResponse}',
  'http_req_duration',
];

const thresholds = Object.assign(baseThresholds(), {
  fno_unexpected: [`rate<${ERROR_RATE}`],
  fno_oversold: ['count==0'],
  fno_fulfilments: ['count>0'],
});
for (const m of LATENCY) thresholds[m] = latency(lim);
// k6 keeps a submetric's figures only when a threshold names it: these
// always hold; they are here so the per-item counts reach handleSummary,
// which checks them against each item's copies (the bounds).
for (let i = 0; i < HOT; i++) thresholds[`fno_copies_taken{item:${i}}`] = ['count>=0'];

export const options = commonOptions(NAME, executor(PROFILE, { vus: 8, stressRate: 800, rate: 100 }), thresholds);

const client = newClient();

// NO_COPIES matches the reason FNO gives when a line item has no copies
// left for the request (seed 001: the line item's remaining count).
const NO_COPIES = /remaining copies|not enough|no copies|insufficient/i;

// lineItems reads line items with getActivatableItemsQuery.
function lineItems(criteria, batchSize, pageNumber) {
  const r = client.call('EntitlementOrderService', 'getActivatableItemsQuery',
    { activatableItemSearchCriteria: criteria, batchSize, pageNumber });
  if (r.status !== 'SUCCESS') throw new Error(`getActivatableItemsQuery: ${outcome(r)}`);
  return list(r.payload && r.payload.activatableItem).map((a) => {
    const d = a.activatableItemData || {};
    return {
      aid: d.activationId && (d.activationId.id || d.activationId),
      type: a.activatableItemType,
      state: d.state,
      permanent: d.isPermanent === 'true',
      expires: d.expirationDate || '',
      copies: num(d.numberOfCopies),
      remaining: num(d.numberOfRemainingCopies),
      fulfilled: num(d.fulfilledCount),
    };
  });
}

// byIDs reads the given line items back.
function byIDs(aids) {
  const out = {};
  for (let i = 0; i < aids.length; i += 200) {
    const part = aids.slice(i, i + 200);
    const crit = { activationIds: { activationId: part.map((value) => ({ value, searchType: 'EQUALS' })) } };
    for (const it of lineItems(crit, part.length, 1)) out[it.aid] = it;
  }
  return out;
}

// consistent is the oversell check of one line item read back.
function consistent(it) {
  return it && it.fulfilled >= 0 && it.fulfilled <= it.copies && it.remaining >= 0 && it.remaining === it.copies - it.fulfilled;
}

export function setup() {
  const today = new Date().toISOString().slice(0, 10);
  const usable = [];
  for (let p = 1; p <= MAX_PAGES; p++) {
    const page = lineItems({ restrictToItemsWithCount: true }, 2000, p);
    for (const it of page) {
      // An item that expires today or tomorrow may expire during the run.
      const live = it.permanent || (it.expires !== '' && it.expires > today);
      if (it.aid && it.state === 'DEPLOYED' && live && it.remaining > 0 && it.remaining === it.copies - it.fulfilled) {
        usable.push(it);
      }
    }
    if (page.length < 2000) break;
  }
  if (usable.length < HOT + 1) {
    throw new Error(`only ${usable.length} activatable line items with copies left; need at least ${HOT + 1}`);
  }
  usable.sort((a, b) => a.remaining - b.remaining);
  const hot = usable.slice(0, HOT);
  const bulk = usable.slice(HOT).reverse().slice(0, BULK);
  // A run ID keeps this run's devices apart from earlier runs' and from
  // the other processes of a segmented run.
  const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return { run, hot, bulk };
}

// Per-VU state: copies this VU took from each hot item, its devices and
// what each has mapped, and its bulk fulfilments still held.
const mine = { hotTaken: [], mapped: [], held: [], fresh: 0 };

function host(data) {
  return `K6-${data.run}-${__VU}`;
}

// judge checks one answer and counts it; it returns true for a success.
function judge(r, op, proof) {
  const refusal = r.status === 'FAILURE' && list(r.failedData).length > 0 &&
    list(r.failedData).every((f) => NO_COPIES.test(f.reason || ''));
  const success = r.status === 'SUCCESS' && proof(r.payload || {});
  check(r, {
    [`${op}: SUCCESS with its fulfilment, or the documented refusal`]: () => success || refusal,
  });
  unexpected.add(!(success || refusal), { op });
  if (refusal) refused.add(1, { op });
  if (!success && !refusal && __ITER < 3) console.warn(`${op}: unexpected answer: ${outcome(r)}`);
  return success;
}

function verify(aid, op) {
  const it = byIDs([aid])[aid];
  const ok = consistent(it);
  check(it, { [`line item read back after ${op}: fulfilled <= entitled, remaining = entitled - fulfilled`]: () => ok });
  if (!ok) oversold.add(1, { op });
}

function createLicense(data, aid) {
  const r = client.call('LicenseService', 'createLicense',
    { fulfillment: [{ activationId: aid, fulfillCount: 1, nodeIds: { nodeId: [host(data)] } }] });
  let id = '';
  const ok = judge(r, 'createLicense', (p) => {
    const c = list(p.responseData && p.responseData.createdFulfillment)[0];
    id = (c && c.fulfillmentId) || '';
    return id !== '';
  });
  if (ok) fulfilments.add(1, { op: 'createLicense' });
  return ok ? id : '';
}

function returnLicense(id) {
  const r = client.call('LicenseService', 'returnLicense',
    { fulfillment: [{ fulfillmentIdentifier: { primaryKeys: { fulfillmentId: id } } }] });
  const ok = r.status === 'SUCCESS';
  check(r, { 'returnLicense: SUCCESS': () => ok });
  unexpected.add(!ok, { op: 'returnLicense' });
}

// capability asks for count copies of aid on device id (0 unmaps).
function capability(id, aid, count) {
  const r = client.call('ManageDeviceService', 'generateCapabilityResponse', {
    device: [{
      deviceIdentifier: { deviceType: 'CLIENT', deviceId: id, deviceIdType: 'STRING' },
      lineItem: [{ lineItemIdentifier: { activationId: aid, count } }],
    }],
  });
  const ok = judge(r, 'generateCapabilityResponse', (p) => {
    const d = list(p.responseData && p.responseData.device)[0];
    return !!(d && d.addonLicense);
  });
  if (ok && count > 0) fulfilments.add(1, { op: 'generateCapabilityResponse' });
  return ok;
}

function hotIteration(data) {
  const i = Math.floor(Math.random() * data.hot.length);
  const it = data.hot[i];
  let ok;
  if (Math.random() < 0.5) {
    ok = createLicense(data, it.aid) !== '';
  } else {
    // A new device each time: its copy is never given back, so the count
    // of copies taken only grows.
    ok = capability(`${host(data)}-h${mine.fresh++}`, it.aid, 1);
  }
  if (!ok) return;
  copiesTaken.add(1, { item: String(i) });
  mine.hotTaken[i] = (mine.hotTaken[i] || 0) + 1;
  const within = mine.hotTaken[i] <= it.remaining;
  check(null, { 'a VU never gets more copies of a line item than it had': () => within });
  if (!within) oversold.add(1, { op: 'hot' });
  verify(it.aid, 'a hot item');
}

function bulkIteration(data) {
  if (Math.random() < LICENSE_SHARE) {
    if (mine.held.length >= KEEP) {
      returnLicense(mine.held.shift());
      return;
    }
    const it = pick(data.bulk);
    const id = createLicense(data, it.aid);
    if (id === '') return;
    mine.held.push(id);
    if (Math.random() < VERIFY_SHARE) verify(it.aid, 'createLicense');
    return;
  }
  const d = Math.floor(Math.random() * DEVICES_PER_VU);
  const dev = `${host(data)}-d${d}`;
  const current = mine.mapped[d];
  if (current) {
    if (capability(dev, current, 0)) mine.mapped[d] = '';
    return;
  }
  const it = pick(data.bulk);
  if (capability(dev, it.aid, 1)) {
    mine.mapped[d] = it.aid;
    if (Math.random() < VERIFY_SHARE) verify(it.aid, 'generateCapabilityResponse');
  }
}

export default function (data) {
  if (data.hot.length > 0 && Math.random() < HOT_SHARE) {
    hotIteration(data);
  } else {
    bulkIteration(data);
  }
}

export function teardown(data) {
  const all = data.hot.concat(data.bulk);
  const now = byIDs(all.map((it) => it.aid));
  let bad = 0;
  for (const it of all) {
    const after = now[it.aid];
    if (!consistent(after) || after.copies !== it.copies) bad++;
  }
  check(null, { 'teardown: no line item oversold (every pool item read back)': () => bad === 0 });
  if (bad > 0) oversold.add(bad, { op: 'teardown' });
}

export const handleSummary = summary(NAME, {
  latency: LATENCY,
  throughput: 'fno_fulfilments',
  errors: ['fno_unexpected', 'http_req_failed'],
  bounds: (data) => (data.setup_data ? data.setup_data.hot : []).map((it, i) => ({
    metric: `fno_copies_taken{item:${i}}`, max: it.remaining, what: `hot line item ${i}`,
  })),
  notes: (data) => {
    const m = data.metrics;
    const out = {};
    if (m.fno_refused_no_copies) out['refusals (no copies left)'] = m.fno_refused_no_copies.values.count;
    return out;
  },
});
