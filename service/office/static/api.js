// The console's one way to the service: the public API (/api/v1/…), with the session's token,
// problems as the server words them (Chinese), and the labels table (GET /api/v1/labels).
// Nothing here translates anything: every word a user reads comes from the server.

const BASE = new URL("../api/v1/", import.meta.url).href;
const TOKEN_KEY = "office.token";

/** A refusal from the service: its problem document, kept whole. */
export class Problem extends Error {
  /** @param {number} status @param {Record<string, any>} body */
  constructor(status, body) {
    super(String(body.detail || body.title || status));
    this.status = status;
    this.body = body;
    /** @type {string} */
    this.code = body.code || "error";
  }
}

export const session = {
  /** @returns {string | null} */
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  /** @param {string | null} value */
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
  /** Called when the service answers 401 to a request made with a token: the app asks for
   * the password again and then retries, keeping the page. @type {() => Promise<void>} */
  expired: async () => { throw new Error("no login prompt"); },
};

/**
 * The service's answer to one request, with the token. A 401 to a request made with a token
 * asks for the password (session.expired) and sends the request again; any other refusal is
 * thrown as a Problem (the server's words).
 * @param {string} path e.g. "households?page=2"
 * @param {{method?: string, body?: any, headers?: Record<string, string>, retried?: boolean}} [options]
 * @returns {Promise<Response>}
 */
export async function fetchWithToken(path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { "Accept-Language": "zh-CN", ...(options.headers || {}) };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  /** @type {RequestInit} */
  const init = { method: options.method || "GET", headers };
  if (options.body !== undefined) {
    if (options.body instanceof FormData) init.body = options.body;
    else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch {
    throw new Problem(0, { code: "network", detail: "无法连接服务器，请检查网络后重试。" });
  }
  if (response.status === 401 && session.token && !options.retried) {
    await session.expired();
    return fetchWithToken(path, { ...options, retried: true });
  }
  if (!response.ok) {
    const type = response.headers.get("Content-Type") || "";
    // A problem from the service is JSON; anything else (a proxy's 502 or 504 page) is not
    // shown as it is: the clerk reads what happened in Chinese, with its status.
    const body = type.includes("json") ? await response.json().catch(() => null) : null;
    throw new Problem(response.status, body && typeof body === "object" ? body : {
      code: "http_error",
      detail: `服务器暂时无法处理这个请求（HTTP ${response.status}），请稍后重试。` });
  }
  return response;
}

/**
 * One call to the API, its JSON answer (null for 204). A record read carries its ETag as
 * `etag` (not enumerable), for the If-Match of an edit.
 * @param {string} path e.g. "households?page=2"
 * @param {{method?: string, body?: any, headers?: Record<string, string>}} [options]
 * @returns {Promise<any>}
 */
export async function call(path, options = {}) {
  const response = await fetchWithToken(path, options);
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  const etag = response.headers.get("ETag");
  if (etag && body && typeof body === "object") Object.defineProperty(body, "etag", { value: etag });
  return body;
}

/** @typedef {import("../../../clients/office/api-types").Method} Method */
/**
 * The address of a call: the spec's path template with its path parameters filled in and its
 * query appended, relative to /api/v1/.
 * @param {string} template e.g. "/api/v1/households/{household_id}"
 * @param {{path?: Record<string, any>, query?: Record<string, any>}} [params]
 */
function address(template, params = {}) {
  let path = template.replace(/^\/api\/v1\//, "");
  for (const [name, value] of Object.entries(params.path || {})) {
    path = path.replace(`{${name}}`, encodeURIComponent(String(value)));
  }
  return path + qs(params.query || {});
}

/**
 * GET, typed by the spec: the path is one of its addresses, the query its parameters, the
 * answer its 200 body.
 * @template {import("../../../clients/office/api-types").PathsWith<"get">} P
 * @param {P} path
 * @param {import("../../../clients/office/api-types").Params<P, "get">} [params]
 * @returns {Promise<import("../../../clients/office/api-types").Answer<P, "get"> & {etag?: string}>}
 */
export function get(path, params) {
  return call(address(path, /** @type {any} */ (params)));
}

/**
 * POST, typed by the spec (body: its JSON, or FormData for an upload).
 * @template {import("../../../clients/office/api-types").PathsWith<"post">} P
 * @param {P} path
 * @param {import("../../../clients/office/api-types").Body<P, "post">} body
 * @param {import("../../../clients/office/api-types").Params<P, "post"> & {headers?: Record<string, string>}} [params]
 * @returns {Promise<import("../../../clients/office/api-types").Answer<P, "post">>}
 */
export function post(path, body, params) {
  return call(address(path, /** @type {any} */ (params)), { method: "POST", body, headers: params?.headers });
}

/**
 * PATCH a record read with its ETag (If-Match): a 412 says someone changed it since.
 * @template {import("../../../clients/office/api-types").PathsWith<"patch">} P
 * @param {P} path
 * @param {import("../../../clients/office/api-types").Body<P, "patch">} body
 * @param {import("../../../clients/office/api-types").Params<P, "patch"> & {etag: string}} params
 * @returns {Promise<import("../../../clients/office/api-types").Answer<P, "patch"> & {etag?: string}>}
 */
export function patch(path, body, params) {
  return call(address(path, /** @type {any} */ (params)), { method: "PATCH", body, headers: { "If-Match": params.etag } });
}

/**
 * DELETE a record read with its ETag (If-Match).
 * @template {import("../../../clients/office/api-types").PathsWith<"delete">} P
 * @param {P} path
 * @param {import("../../../clients/office/api-types").Params<P, "delete"> & {etag: string}} params
 * @returns {Promise<null>}
 */
export function remove(path, params) {
  return call(address(path, /** @type {any} */ (params)), { method: "DELETE", headers: { "If-Match": params.etag } });
}

/** @param {string} username @param {string} password */
export async function logIn(username, password) {
  const answer = await call("auth/login", { method: "POST", body: { username, password } });
  session.token = answer.access_token;
  return call("me");
}

export async function logOut() {
  // Sent once: a token that has run out needs no password to be given up.
  try { await fetchWithToken("auth/logout", { method: "POST", retried: true }); } catch { /* gone already */ }
  session.token = null;
}

/** @type {Record<string, Record<string, string>> | null} */
let labels = null;

/** The labels table, read once a session.
 * @returns {Promise<Record<string, Record<string, string>>>} */
export async function loadLabels() {
  if (!labels) labels = await call("labels");
  return /** @type {Record<string, Record<string, string>>} */ (labels);
}

/** A code's label (the code itself if the table has none). @param {string} kind @param {string | null | undefined} code */
export function label(kind, code) {
  if (code == null) return "";
  return (labels && labels[kind] && labels[kind][code]) || code;
}

/** A query string from an object, leaving out empty values. @param {Record<string, any>} query */
export function qs(query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}
