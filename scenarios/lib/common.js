// Shared pieces of the fnokit scenarios: settings from the environment,
// the FNO client, load profiles, thresholds and the summary that
// `fnokit bench` compares with a baseline. See scenarios/README.md.
//
// Everything comes from environment variables, never from flags: a
// password given with `k6 run -e` shows in `ps`.
import fno from 'k6/x/fno';

// env returns the variable or the default; an empty value is the default.
export function env(name, def) {
  const v = __ENV[name];
  return v === undefined || v === '' ? def : v;
}

export function envInt(name, def) {
  const v = env(name, undefined);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a whole number of 0 or more`);
  }
  return n;
}

export function envNum(name, def) {
  const v = env(name, undefined);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number of 0 or more`);
  return n;
}

export const PROFILES = ['smoke', 'load', 'stress', 'soak'];

export const PROFILE = env('PROFILE', 'smoke');
if (!PROFILES.includes(PROFILE)) {
  throw new Error(`PROFILE must be one of ${PROFILES.join(', ')}`);
}

export const BASE_URL = env('FNO_BASE_URL', 'http://127.0.0.1:8080').replace(/\/+$/, '');

// isLoopback is true for URLs whose host is localhost or a loopback
// address: the scenarios only write to such targets unless told.
export function isLoopback(url) {
  const m = /^https?:\/\/(\[[^\]]+\]|[^/:]+)/i.exec(url);
  if (!m) return false;
  const host = m[1].toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// requireWrites refuses a scenario that changes data on a target that is
// not loopback, unless FNO_ALLOW_WRITES=true: live tenants are read-only
// unless writes are explicitly allowed.
export function requireWrites(what) {
  if (!isLoopback(BASE_URL) && env('FNO_ALLOW_WRITES', 'false') !== 'true') {
    throw new Error(`${what} writes to the target (fulfilments, device mappings); ` +
      'the target is not loopback: set FNO_ALLOW_WRITES=true to allow it on a test tenant');
  }
}

// auth reads the credentials: FNO_TOKEN (bearer), or FNO_USER and
// FNO_PASSWORD sent as HTTP Basic or, with FNO_AUTH=soapHeader, as the
// SOAP UserId/UserPassword header. The emulator's defaults are admin/admin.
function auth() {
  const token = env('FNO_TOKEN', '');
  if (token !== '') return { token };
  const style = env('FNO_AUTH', 'basic');
  if (style !== 'basic' && style !== 'soapHeader') {
    throw new Error('FNO_AUTH must be basic or soapHeader');
  }
  return { [style]: { user: env('FNO_USER', 'admin'), password: env('FNO_PASSWORD', 'admin') } };
}

// newClient makes the VU's FNO client; versions pins service versions.
export function newClient(versions) {
  const opts = { baseURL: BASE_URL, auth: auth(), timeout: env('FNO_TIMEOUT', '30s') };
  if (versions) opts.versions = versions;
  const sample = envNum('FNO_VALIDATE_SAMPLE', 0);
  if (sample > 0) opts.validate = { sample };
  return new fno.Client(opts);
}

// executor is the k6 scenario of a profile. Every profile is bounded in
// time and in requests: shared-iterations stops at its iteration count or
// maxDuration, whichever comes first; the arrival-rate executors start at
// most rate x duration iterations. BENCH_* variables tune them.
export function executor(profile, defaults) {
  const d = Object.assign({ vus: 8, rate: 200, stressRate: 1000 }, defaults || {});
  switch (profile) {
    case 'smoke':
      // A few requests a second for ten seconds: enough to see every
      // check and a dashboard, at most rate x duration iterations.
      return {
        executor: 'constant-arrival-rate',
        rate: envInt('BENCH_RATE', d.smokeRate || 20),
        timeUnit: '1s',
        duration: env('BENCH_DURATION', '10s'),
        preAllocatedVUs: envInt('BENCH_VUS', 2),
        maxVUs: envInt('BENCH_MAX_VUS', 4),
      };
    case 'load':
      // A closed model: BENCH_VUS users as fast as the target answers, so
      // the iteration rate is the sustained throughput.
      return {
        executor: 'shared-iterations',
        vus: envInt('BENCH_VUS', d.vus),
        iterations: envInt('BENCH_ITERATIONS', 5000000),
        maxDuration: env('BENCH_DURATION', '45s'),
      };
    case 'stress': {
      const top = envInt('BENCH_RATE', d.stressRate);
      return {
        executor: 'ramping-arrival-rate',
        startRate: Math.max(1, Math.floor(top / 20)),
        timeUnit: '1s',
        preAllocatedVUs: envInt('BENCH_VUS', 2 * d.vus),
        maxVUs: envInt('BENCH_MAX_VUS', 8 * d.vus),
        stages: [
          { target: top, duration: '30s' },
          { target: top, duration: '20s' },
          { target: 0, duration: '5s' },
        ],
      };
    }
    case 'soak':
      return {
        executor: 'constant-arrival-rate',
        rate: envInt('BENCH_RATE', d.rate),
        timeUnit: '1s',
        duration: env('BENCH_DURATION', '30m'),
        preAllocatedVUs: envInt('BENCH_VUS', d.vus),
        maxVUs: envInt('BENCH_MAX_VUS', 4 * d.vus),
      };
  }
  throw new Error(`unknown profile ${profile}`);
}

// latencyLimits are the p95/p99 thresholds (ms) of a profile, from the
// scenario's defaults for the emulator on loopback; BENCH_P95_MS and
// BENCH_P99_MS replace them (a live tenant is slower).
export function latencyLimits(defaults) {
  const d = defaults[PROFILE] || defaults.load;
  return { p95: envNum('BENCH_P95_MS', d[0]), p99: envNum('BENCH_P99_MS', d[1]) };
}

// latency is the threshold list of a Trend.
export function latency(lim) {
  return [`p(95)<${lim.p95}`, `p(99)<${lim.p99}`];
}

export const ERROR_RATE = envNum('BENCH_ERROR_RATE', 0.01);

// baseThresholds hold in every scenario: k6's own failed requests and
// checks, and the extension's faults and schema violations.
export function baseThresholds() {
  return {
    http_req_failed: [`rate<${ERROR_RATE}`],
    checks: [`rate>${1 - ERROR_RATE}`],
    fno_soap_faults: ['count==0'],
    fno_schema_violations: ['count==0'],
  };
}

// commonOptions are the k6 options every scenario shares.
export function commonOptions(name, scenario, thresholds) {
  return {
    scenarios: { [name]: scenario },
    thresholds,
    // p(99) is compared with the baseline, so the summary must have it.
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    setupTimeout: env('BENCH_SETUP_TIMEOUT', '120s'),
    teardownTimeout: env('BENCH_TEARDOWN_TIMEOUT', '120s'),
    discardResponseBodies: true, // k6/http only; the fno client reads its own
  };
}

// list turns an element that may be absent, one value or several into an
// array (a SOAP payload has a list only when the schema says so).
export function list(v) {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

// num reads an xs:integer the SOAP payload carries as text.
export function num(v) {
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

export function pick(arr) {
  return arr[Math.floor(Math.random() * arr.length)];
}

// outcome describes a result for logs without its payload: no element
// values leave the scenario.
export function outcome(r) {
  if (r.error) return `error (${r.errorCode || 'no code'})`;
  if (r.fault) return 'SOAP fault';
  return `HTTP ${r.httpStatus} ${r.status || 'no status'}`;
}

// summary returns the handleSummary of a scenario: it writes the k6
// summary with the scenario's meta data to FNO_REPORT (default
// reports/bench/<name>.json; the directory must exist) and a short text
// to stdout. meta: {latency: [...], throughput, errors: [...], bounds:
// fn(data) -> [...], notes: fn(data) -> {...}}.
export function summary(name, meta) {
  return function (data) {
    const bounds = meta.bounds ? meta.bounds(data) : [];
    const notes = meta.notes ? meta.notes(data) : {};
    const report = {
      fnokit: {
        scenario: name,
        profile: PROFILE,
        segment: env('FNO_SEGMENT', ''),
        target: env('FNO_TARGET', isLoopback(BASE_URL) ? 'loopback' : 'remote'),
        devices: envInt('FNO_DEVICES', 0),
        latency: meta.latency,
        throughput: meta.throughput,
        errors: meta.errors,
        bounds,
        notes,
      },
      state: { testRunDurationMs: data.state.testRunDurationMs },
      metrics: data.metrics,
    };
    const path = env('FNO_REPORT', `reports/bench/${name}.json`);
    const out = { [path]: JSON.stringify(report, null, 1) + '\n' };
    // fnokit bench prints its own account of the run.
    if (env('FNO_SUMMARY_STDOUT', 'true') !== 'false') out.stdout = text(report, data);
    return out;
  };
}

// text is the short end-of-test summary on stdout.
function text(report, data) {
  const m = data.metrics;
  const lines = [`${report.fnokit.scenario} (${report.fnokit.profile}) in ${(data.state.testRunDurationMs / 1000).toFixed(1)}s`];
  const tp = m[report.fnokit.throughput];
  if (tp) lines.push(`  throughput ${report.fnokit.throughput}: ${tp.values.rate.toFixed(1)}/s (${tp.values.count} in all)`);
  for (const k of report.fnokit.latency) {
    const t = m[k];
    if (t) lines.push(`  ${k}: p95 ${t.values['p(95)'].toFixed(2)}ms p99 ${t.values['p(99)'].toFixed(2)}ms (${t.values.count})`);
  }
  for (const k of report.fnokit.errors) {
    const r = m[k];
    if (r) lines.push(`  ${k}: ${(100 * r.values.rate).toFixed(3)}%`);
  }
  for (const [k, v] of Object.entries(report.fnokit.notes)) lines.push(`  ${k}: ${v}`);
  const failed = [];
  for (const [k, v] of Object.entries(m)) {
    for (const [expr, t] of Object.entries(v.thresholds || {})) if (!t.ok) failed.push(`${k}: ${expr}`);
  }
  lines.push(failed.length ? `  thresholds crossed: ${failed.join('; ')}` : '  every threshold held');
  for (const b of report.fnokit.bounds) {
    const c = m[b.metric] ? m[b.metric].values.count : 0;
    if (c > b.max) lines.push(`  OVERSOLD: ${b.what}: ${c} taken, ${b.max} available`);
  }
  return lines.join('\n') + '\n';
}
