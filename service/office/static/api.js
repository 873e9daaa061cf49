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
 * One call to the API. A 401 with a token asks for the password (session.expired) and sends
 * the request again; any other refusal is thrown as a Problem.
 * @param {string} path e.g. "households?page=2"
 * @param {{method?: string, body?: any, headers?: Record<string, string>, retried?: boolean}} [options]
 * @returns {Promise<any>}
 */
export async function call(path, options = {}) {
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
    return call(path, { ...options, retried: true });
  }
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    throw new Problem(response.status, typeof body === "object" ? body : { detail: body });
  }
  const etag = response.headers.get("ETag");
  if (etag && body && typeof body === "object") Object.defineProperty(body, "etag", { value: etag });
  return body;
}

/** @param {string} username @param {string} password */
export async function logIn(username, password) {
  const answer = await call("auth/login", { method: "POST", body: { username, password } });
  session.token = answer.access_token;
  return call("me");
}

export async function logOut() {
  try { await call("auth/logout", { method: "POST" }); } catch { /* gone already */ }
  session.token = null;
}

/** @type {Record<string, Record<string, string>> | null} */
let labels = null;

/** The labels table, read once a session. */
export async function loadLabels() {
  if (!labels) labels = await call("labels");
  return labels;
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
