// The console's calls, typed from the service's OpenAPI document: generated/api.d.ts is made
// from openapi.yaml by openapi-typescript (`npm run check` makes it, then type-checks the
// console's modules with tsc --checkJs --strict). service/office/static/api.js names these
// types in its JSDoc; nothing here reaches the browser.
import type { paths } from "./generated/api";

export type Method = "get" | "post" | "patch" | "delete";

/** The addresses that answer a method, e.g. PathsWith<"post"> includes "/api/v1/pairings". */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined ? never : P;
}[keyof paths];

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type Parameters<P extends keyof paths, M extends Method> = Operation<P, M> extends {
  parameters: infer Q;
} ? Q : never;

/** A call's path and query parameters, as the spec names and types them. */
export type Params<P extends keyof paths, M extends Method> = {
  path?: Parameters<P, M> extends { path?: infer V } ? V : never;
  query?: Parameters<P, M> extends { query?: infer V } ? V : never;
};

type Json<R> = R extends { content: { "application/json": infer B } } ? B : null;

/** What a call answers when it succeeds (200, 201 or 202; null for 204). */
export type Answer<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { responses: infer R }
    ? 200 extends keyof R ? Json<R[200]>
    : 201 extends keyof R ? Json<R[201]>
    : 202 extends keyof R ? Json<R[202]>
    : null
    : never;

/** What a call sends: its JSON body, or FormData for an upload. */
export type Body<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: infer B }
    ? NonNullable<B> extends { content: { "application/json": infer J } } ? J
    : NonNullable<B> extends { content: { "multipart/form-data": unknown } } ? FormData
    : never
    : never;

/** A schema of the spec by name, e.g. Schema<"HouseholdOut">. */
export type Schema<N extends keyof import("./generated/api").components["schemas"]> =
  import("./generated/api").components["schemas"][N];
