/**
 * k6/x/fno — a FlexNet Operations client for k6 scripts (fnokit's k6
 * extension). Build a k6 that has it with `make k6` (bin/k6).
 *
 *     import fno from 'k6/x/fno';
 *     const client = new fno.Client({
 *       baseURL: 'http://127.0.0.1:8080',
 *       auth: { basic: { user: 'admin', password: 'admin' } },
 *       versions: { ManageDeviceService: 'v7' },
 *     });
 *     export default function () {
 *       const r = client.call('ManageDeviceService', 'searchDevices', {
 *         queryParams: { deviceId: { value: 'ACME-', searchType: 'STARTS_WITH' } },
 *         batchSize: 50, pageNumber: 1,
 *       });
 *       check(r, { 'status SUCCESS': (x) => x.status === 'SUCCESS' });
 *     }
 *
 * Requests go through k6's HTTP stack: they count in http_req_* (tagged
 * service, version and operation besides k6's own tags) and obey k6's
 * options (TLS, blockHostnames, blacklistIPs, hosts, dns, rps, userAgent,
 * throw, systemTags). The extension adds the metrics
 *
 *   fno_soap_faults         counter  responses that were a SOAP fault
 *   fno_status_failures     counter  statusInfo other than SUCCESS, tagged status
 *   fno_schema_violations   counter  XSD errors in validated responses
 *   fno_callout_duration    trend    Server-Timing `callout;dur=<ms>` of a response
 *   fno_operation_duration  trend    whole call: build, exchange, parse
 *
 * all tagged service, version (SOAP only) and operation.
 */

/** Credentials: exactly one style. */
export type Auth =
  /** HTTP Basic (FNO's default for SOAP and REST). */
  | { basic: { user: string; password: string } }
  /**
   * UserId and Base64 UserPassword in the SOAP header (namespace
   * urn:com.macrovision:flexnet/platform); REST and Data Access requests
   * send the same user and password as HTTP Basic.
   */
  | { soapHeader: { user: string; password: string } }
  /** A personal access token, sent as `Authorization: Bearer`. */
  | { token: string };

/** A duration as k6 writes it ('30s', '1m') or milliseconds. */
export type Duration = string | number;

export interface ClientOptions {
  /** Site root: scheme, host, port and an optional path prefix; no credentials, query or fragment. */
  baseURL: string;
  /** Credentials; none is the emulator's open mode. */
  auth?: Auth;
  /**
   * The version of each SOAP service the client calls, e.g.
   * `{ ManageDeviceService: 'v7', EntitlementOrderService: 'base' }`.
   * A service left out uses the newest version fnokit bundles. Unknown
   * services or versions are refused when the client is made.
   */
  versions?: Record<string, string>;
  /**
   * Validate a share of the SOAP responses against the version's bundled
   * WSDL (libxml2; needs a cgo build of k6, which `make k6` is). sample is
   * 0 (never, the default) to 1 (every response). The schemas of the
   * services named in `versions` compile when the client is made.
   */
  validate?: { sample: number };
  /** Per-request timeout, default 60s (as k6/http), at most 1h. */
  timeout?: Duration;
  /** Tags added to every request's samples. */
  tags?: Record<string, string | number | boolean>;
}

/** The optional last argument of call() and the REST helpers. */
export interface CallParams {
  /** Tags added to this request's samples. */
  tags?: Record<string, string | number | boolean>;
  /** Timeout of this request. */
  timeout?: Duration;
}

export interface SOAPCallParams extends CallParams {
  /** The service version for this call, overriding the client's. */
  version?: string;
  /** true: validate this response whatever the sample; false: do not. */
  validate?: boolean;
}

/** One record of a response's failedData. */
export interface FailedRecord {
  /** Local name of the record element: failedDevice, failedBulkEntitlement, … */
  element: string;
  /** Where it is, e.g. /createDeviceResponse/failedData/failedDevice[2]. */
  path: string;
  /** Why it failed. */
  reason: string;
  /** The record's other children as a plain object (the device, line item … that failed). */
  record: Record<string, any>;
}

export interface Fault {
  /** faultcode as written, e.g. soapenv:Server.userException. */
  code: string;
  /** faultstring. */
  string: string;
  actor: string;
  /** The detail element as a plain object, or null. */
  detail: Record<string, any> | null;
}

export interface Violation {
  /** Contract rule, e.g. xsd-invalid. */
  rule: string;
  /** XPath-like location in the payload. */
  location: string;
  /** What is wrong, never the value. */
  message: string;
  severity: 'error' | 'warning' | 'info';
}

/**
 * What call() returns. Payload objects follow fnokit's mapping: keys are
 * local names, text is a string, an element the schema declares
 * repeatable is always an array, attributes are '@name' keys and mixed
 * text is '#text'.
 */
export interface CallResult {
  /** HTTP status; 0 when no response came (see error). */
  httpStatus: number;
  /** statusInfo/status: SUCCESS, FAILURE, PARTIAL_FAILURE, NOT_SUPPORTED; '' when absent. */
  status: string;
  /** statusInfo/reason; '' when absent. */
  reason: string;
  /**
   * The records of failedData, in order; [] when none. For a SUCCESS
   * answer this and payload are decoded on first read (call() reads the
   * answer only up to its statusInfo, so a script that checks the status
   * alone does not pay for decoding the payload).
   */
  failedData: FailedRecord[];
  /** The SOAP fault, or null. */
  fault: Fault | null;
  /** Bytes of the response body. */
  bodySize: number;
  /** The response element's content as a plain object; null for a fault or an unreadable body. */
  payload: Record<string, any> | null;
  /**
   * Why there is no usable answer: k6's request error (refused, timed out,
   * blocked host…), an HTTP error page, or a body that is not SOAP. ''
   * when the answer was read. A SUCCESS body that breaks after its
   * statusInfo is found when payload is first read: error is set then and
   * payload is null.
   */
  error: string;
  /** k6's error code (1000+; 1xxx for HTTP statuses ≥ 400), 0 when none. */
  errorCode: number;
  /** Server-Timing callout duration in ms, or null when the header has none. */
  calloutDuration: number | null;
  /** XSD findings when this response was validated, else null. */
  violations: Violation[] | null;
  /** Time of the call in ms, envelope build to parsed head: the fno_operation_duration sample. */
  duration: number;
}

/** What the application REST helpers return. */
export interface RESTResult {
  httpStatus: number;
  /** body.statusInfo.status, '' when absent. */
  status: string;
  reason: string;
  /** body.failedData as sent, or null. */
  failedData: any;
  /** The JSON body (a string when the body is not JSON). */
  body: any;
  bodySize: number;
  error: string;
  errorCode: number;
}

/** The application REST API (schemas/rest/application.yaml). */
export interface REST {
  /** POST /flexnet/operations/manageDevice/devices (operation tag `devices`). */
  searchDevices(body: Record<string, any>, params?: CallParams): RESTResult;
  /** POST /flexnet/operations/manageDevice/devicesCount. */
  devicesCount(body: Record<string, any>, params?: CallParams): RESTResult;
  /** POST /flexnet/operations/entitlementOrders. */
  entitlementOrders(body: Record<string, any>, params?: CallParams): RESTResult;
  /** POST /flexnet/operations/entitlementOrders/count. */
  entitlementOrdersCount(body: Record<string, any>, params?: CallParams): RESTResult;
  /** GET /flexnet/operations/consumption?accountId=… */
  consumption(accountId: string, params?: CallParams): RESTResult;
}

export type ReportGroup = 'account' | 'user' | 'entitlement' | 'device' | 'served-device' | 'product-feature' | 'fulfillment';

/** Condition on one group filter. */
export type Condition = { $eq: string } | { $sw: string } | { $ew: string } | { $con: string } | { $in: string[] };

export interface ReportParams extends CallParams {
  dateFrom?: string;
  dateTo?: string;
  limitRecords?: number;
  mode?: 'BATCH' | 'INTERACTIVE';
  pastDays?: number;
  pageNumber?: number;
  /** Group filters, sent as the URL-encoded JSON `query` parameter. */
  query?: Record<string, Condition>;
  /** Pages followed at most (default 100, at most 10000). */
  maxPages?: number;
  /** false: count the records without keeping them (saves memory). Default true. */
  keep?: boolean;
  /** Only 'json': the paging header is in the JSON pages. */
  format?: 'json';
}

export interface ReportResult {
  /** HTTP status of the last page read. */
  httpStatus: number;
  /** Pages read. */
  pages: number;
  /** Records read over every page. */
  recordCount: number;
  /** The records of every page in order; null with keep: false. */
  records: Record<string, any>[] | null;
  /** header.recordCount of the first page (-1 in BATCH mode), or null. */
  totalRecords: number | null;
  /** header.totalPages of the first page (-1 in BATCH mode), or null. */
  totalPages: number | null;
  bodySize: number;
  /** true when maxPages stopped the paging before the last page. */
  truncated: boolean;
  error: string;
  errorCode: number;
}

/** The Data Access API (schemas/rest/data-access.yaml). */
export interface DataAccess {
  /**
   * GET /data/api/v1/authenticate with the client's user and password; the
   * client keeps the JWT (never returned) for later reports, and renews it
   * after 55 minutes. Needs basic or soapHeader credentials.
   */
  authenticate(params?: CallParams): { httpStatus: number; ok: boolean; bodySize: number; error: string; errorCode: number };
  /**
   * GET /data/api/v1/report/<group>, following the header's nextPageURL
   * (only its query; paging stays on baseURL) up to maxPages. Every page is
   * one request (name tag: the report's path); fno_operation_duration
   * covers the whole report.
   */
  report(group: ReportGroup, params?: ReportParams): ReportResult;
}

export declare class Client {
  constructor(options: ClientOptions);
  /**
   * Calls a SOAP operation. payload is the content of the request element
   * as a plain object (written in the schema's element order, in the
   * version's namespace; a key the schema does not declare throws), a
   * string of XML sent verbatim inside the Body, or null for an empty
   * request element. Throws for script mistakes (unknown service,
   * operation or key) and, with k6's throw option, for failed requests;
   * every answer, faults included, is returned.
   */
  call(service: string, operation: string, payload?: Record<string, any> | string | null, params?: SOAPCallParams): CallResult;
  rest: REST;
  data: DataAccess;
}

declare const fno: { Client: typeof Client };
export default fno;
