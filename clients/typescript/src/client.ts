// A front-end's typed client for the 双包双联 API, the way docs/api.md shows it: the types come
// from the spec (generate.mjs → src/generated/api.ts), the calls go through openapi-fetch, and
// nothing is cast. tsc --strict checks it in CI (tests/api/test_typescript_client.py).
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

/** The bodies this client reads: JSON answers and problem+json refusals. A list's 200 is also
 * listed as an .xlsx (`?format=xlsx`); reading that one takes `parseAs: "blob"`. */
export type JsonMedia = "application/json" | "application/problem+json";
export type ApiClient = Client<paths, JsonMedia>;
export type Problem = components["schemas"]["Problem"];
export type ImportCounts = components["schemas"]["ImportOut"];
export type Household = components["schemas"]["HouseholdOut"];

/** A refusal: the HTTP status and the problem+json the server sent. Branch on `problem.code`
 * (a stable machine key); show `problem.title` and `problem.detail` (Chinese by default). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`${status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }
}

/** A client of the service at `baseUrl` (same origin: ""), asking for problems in `language`
 * ("zh" by default, "en" for English). */
export function connect(baseUrl: string, language: "zh" | "en" = "zh"): ApiClient {
  return createClient<paths, JsonMedia>({ baseUrl, headers: { "Accept-Language": language } });
}

/** Log in; every later request of `client` carries the bearer token. */
export async function logIn(client: ApiClient, username: string, password: string) {
  const { data, error, response } = await client.POST("/api/v1/auth/login", {
    body: { username, password },
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  const token = data.access_token;
  client.use({
    onRequest({ request }) {
      request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  });
  return { token, expiresIn: data.expires_in };
}

/** The multipart form an import takes: the file in field `file`. Returning FormData lets the
 * browser set Content-Type with its boundary (openapi-fetch sends no JSON header then). */
function asForm(body: { file: Blob }): FormData {
  const form = new FormData();
  form.append("file", body.file);
  return form;
}

/** Upload the household roster (.xlsx or .csv); a dry run checks and counts, writing nothing.
 * Bad rows: 422 `import_rows_invalid` with `rows: [{row, column, message}]`. */
export async function importHouseholds(client: ApiClient, file: Blob, dryRun: boolean) {
  const { data, error, response } = await client.POST("/api/v1/imports/households", {
    params: { query: { dry_run: dryRun } },
    body: { file },
    bodySerializer: asForm,
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  const counts: ImportCounts = data;
  return counts;
}

/** Upload the cadre roster, as importHouseholds. */
export async function importCadres(client: ApiClient, file: Blob, dryRun: boolean) {
  const { data, error, response } = await client.POST("/api/v1/imports/cadres", {
    params: { query: { dry_run: dryRun } },
    body: { file },
    bodySerializer: asForm,
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  return data;
}

/** Each bad row of a refused import, as a line to show. */
export function badRows(problem: Problem): string[] {
  return (problem.rows ?? []).map((r) => `第${r.row}行 ${r.column}：${r.message}`);
}

/** The household roster template to fill in (an .xlsx). */
export async function householdTemplate(client: ApiClient): Promise<Blob> {
  const { data, error, response } = await client.GET("/api/v1/imports/households/template", {
    parseAs: "blob",
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  return data;
}

/** Every household the filters keep, as one .xlsx (not a page). */
export async function exportHouseholds(client: ApiClient, villageId: number): Promise<Blob> {
  const { data, error, response } = await client.GET("/api/v1/households", {
    params: { query: { format: "xlsx", village_id: villageId } },
    parseAs: "blob",
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  return data;
}

/** Change a household without losing anyone else's change: read it with its ETag, send the
 * ETag back as If-Match. A stale ETag is 412 `precondition_failed` (GET it again). */
export async function setMembers(client: ApiClient, householdId: number, members: number) {
  const path = { household_id: householdId };
  const read = await client.GET("/api/v1/households/{household_id}", { params: { path } });
  if (read.error !== undefined) throw new ProblemError(read.response.status, read.error);
  const etag = read.response.headers.get("ETag");
  if (etag === null) throw new Error("a household is always sent with its ETag");
  const { data, error, response } = await client.PATCH("/api/v1/households/{household_id}", {
    params: { path, header: { "If-Match": etag } },
    body: { members },
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  const household: Household = data;
  return { household, etag: response.headers.get("ETag") };
}

export type VisitIn = components["schemas"]["VisitIn"];

/** Send visits logged offline, up to 500 a request, each under the phone's UUID: each answers
 * `created`, `duplicate` (sent before: safe to resend) or `rejected` with its problem. */
export async function sendVisits(client: ApiClient, visits: VisitIn[]) {
  const { data, error, response } = await client.POST("/api/v1/visits/batch", {
    body: { visits },
  });
  if (error !== undefined) throw new ProblemError(response.status, error);
  return data.results.map((r) => ({ id: r.id, status: r.status, problem: r.problem ?? null }));
}
