// The outbox and the two conversations with the service: sending saved visits
// (POST /api/v1/visits/batch) and fetching the cadre's households (GET /api/v1/sync).
// A visit is written here before anything else happens to it; it leaves only when the
// server has it (created, or a duplicate of what it already has) or the cadre discards it.

import * as store from './store.js';

const API = '/api/v1';
const BATCH_ITEMS = 500; // the batch endpoint's limit
const BATCH_BYTES = 6 * 1024 * 1024; // under its 8 MiB body limit

/** Thrown when the token is missing, expired or revoked: the cadre logs in again. */
export class NeedsLogin extends Error {}
/** Thrown when the account may not do this (403): not a cadre's account. */
export class Refused extends Error {}
/** Thrown when the service cannot be reached or cannot answer now: try again later. */
export class Unreachable extends Error {
  constructor(message, status) { super(message); this.status = status || 0; }
}
/** How far the phone's clock is from the server's (ms, server minus phone), from the last
 * answer's X-Server-Time (the service's clock, to the millisecond) or else its `Date`; kept, so that the app offline still knows (SPEC §17 "the phone's clock"). */
export const clock = { offset: 0 };
const SKEW_MS = 5 * 60 * 1000;

function heard(date, sentAt) {
  const server = Date.parse(date || '');
  if (Number.isNaN(server)) return;
  // Within ten seconds (a Date has whole seconds, a request takes time) the phone is right.
  const offset = server - (sentAt + Date.now()) / 2;
  clock.offset = Math.abs(offset) < 10000 ? 0 : offset;
  store.put('kv', clock.offset, 'clock_offset').catch(() => {});
}

/** Whether the phone's clock is more than five minutes off the server's. */
export const clockWrong = () => Math.abs(clock.offset) > SKEW_MS;

/** The time now as the server has it (the phone's own when it is right). */
export const serverNow = () => new Date(Date.now() + (clockWrong() ? clock.offset : 0));

/** The offset kept from the last answer (at start, before any answer). */
export async function keptClock() {
  clock.offset = (await store.get('kv', 'clock_offset')) || 0;
}

/** Thrown when the body is too large for one request (413). */
class TooLarge extends Error {}

/** The longest a request may take (SPEC §17 "never stuck"): a hung connection is given up
 * after it, so it never holds the outbox's lock, later sends or the 同步 button. */
export const TIMEOUT_MS = 20000;

/** fetch, given up after TIMEOUT_MS: a request that never answers throws Unreachable with
 * `timedOut`. */
export async function timedFetch(url, init = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  try {
    const sentAt = Date.now();
    const response = await fetch(url, { ...init, signal: controller.signal });
    heard(response.headers.get('X-Server-Time') || response.headers.get('Date'), sentAt);
    return response;
  } catch (error) {
    const failure = new Unreachable(String(error));
    failure.timedOut = controller.signal.aborted;
    throw failure;
  } finally {
    clearTimeout(timer);
  }
}

export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Every item of this cadre's outbox, oldest first. */
export async function items(owner) {
  const mine = (await store.all('outbox')).filter((item) => item.owner === owner);
  return mine.sort((a, b) => a.saved_at - b.saved_at);
}

/** Keep a visit (with its own UUID) until the server has it. `replaces` is the id of the
 * rejected item it corrects, removed in the same transaction. */
export async function keep(owner, visit, replaces) {
  await store.write('outbox', (s) => {
    if (replaces) s.delete(replaces);
    s.put({ id: visit.id, owner, visit, state: 'pending', problem: null, saved_at: Date.now() });
  });
}

export const discard = (id) => store.remove('outbox', id);

// The app speaks Chinese (SPEC §12) whatever the phone's own language: so do the server's words.
export const LANGUAGE = { 'Accept-Language': 'zh-CN' };

async function call(token, method, path, body) {
  const response = await timedFetch(API + path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...LANGUAGE,
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
    cache: 'no-store',
  });
  if (response.status === 401) throw new NeedsLogin('401');
  if (response.status === 403) throw new Refused('403');
  if (response.status === 413) throw new TooLarge('413');
  if (!response.ok) throw new Unreachable(`HTTP ${response.status}`, response.status);
  return response.json();
}

function batches(pending) {
  const out = [];
  let batch = [];
  let bytes = 0;
  for (const item of pending) {
    const size = JSON.stringify(item.visit).length * 3; // UTF-8 at most 3 bytes a character
    if (batch.length && (batch.length === BATCH_ITEMS || bytes + size > BATCH_BYTES)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) out.push(batch);
  return out;
}

// A visit the server could not take now but will on a resend (two tabs sending the same
// visit at once): it stays pending, and the resend answers `duplicate`.
const RESEND = new Set(['id_conflict']);

async function post(token, batch, counts) {
  let answer;
  try {
    answer = await call(token, 'POST', '/visits/batch', { visits: batch.map((i) => i.visit) });
  } catch (error) {
    if (!(error instanceof TooLarge)) throw error;
    if (batch.length > 1) { // halve it and send each half
      const half = Math.ceil(batch.length / 2);
      await post(token, batch.slice(0, half), counts);
      await post(token, batch.slice(half), counts);
      return;
    }
    answer = { results: [{ id: batch[0].id, status: 'rejected',
      problem: { code: 'payload_too_large',
        detail: '这条记录太大，发送不了：请缩短民情日记后重新保存' } }] };
  }
  counts.requests += 1;
  const byId = new Map(batch.map((item) => [item.id, item]));
  await store.write('outbox', (s) => {
    for (const result of answer.results) {
      const item = byId.get(result.id);
      if (!item) continue;
      const resend = result.status === 'rejected' && RESEND.has(result.problem?.code);
      counts[resend ? 'later' : result.status] += 1;
      if (resend) continue;
      if (result.status !== 'rejected') { s.delete(item.id); continue; }
      // Only if it is still here (another tab may have sent it meanwhile).
      const stored = s.get(item.id);
      stored.onsuccess = () => {
        if (stored.result) s.put({ ...stored.result, state: 'rejected', problem: result.problem || null });
      };
    }
  });
}

/** Send every pending visit of this cadre: one request per 500 (the whole outbox of a
 * normal week is one request), one tab of the phone at a time. Created and duplicate items
 * leave the outbox; rejected ones stay with the server's problem. Returns the counts. */
export async function send(owner, token) {
  const run = async () => {
    const counts = { created: 0, duplicate: 0, rejected: 0, later: 0, requests: 0 };
    const pending = (await items(owner)).filter((item) => item.state === 'pending');
    for (const batch of batches(pending)) await post(token, batch, counts);
    return counts;
  };
  return navigator.locks ? navigator.locks.request('shuangbao-outbox', run) : run();
}

/** Fetch what changed since the last sync into IndexedDB (and the names of new villages).
 * `current()` says whether the login that asked is still the phone's: after a logout, what
 * arrives for the previous cadre is dropped. */
export async function pull(token, current = () => true) {
  const cursor = await store.get('kv', 'cursor');
  const query = cursor ? `?since=${encodeURIComponent(cursor)}` : '';
  const body = await call(token, 'GET', `/sync${query}`);
  if (!current()) return;
  const gone = new Set(body.removed_household_ids);
  await store.write('households', (s) => {
    for (const household of body.households) s.put(household);
    for (const id of body.removed_household_ids) s.delete(id);
  });
  if (!current()) return;
  await store.write('tasks', (s) => { for (const task of body.tasks) s.put(task); });
  await store.write('demands', (s) => { for (const demand of body.demands) s.put(demand); });
  await store.write('visits', (s) => { for (const visit of body.visits || []) s.put(visit); });
  if (gone.size) { // a household no longer this cadre's takes its tasks, demands, visits along
    for (const name of ['tasks', 'demands', 'visits']) {
      const stale = (await store.all(name)).filter((x) => gone.has(x.household_id));
      await store.write(name, (s) => { for (const x of stale) s.delete(x.id); });
    }
  }
  const known = new Set((await store.all('villages')).map((v) => v.id));
  for (const id of new Set((await store.all('households')).map((h) => h.village_id))) {
    if (known.has(id)) continue;
    try {
      const village = await call(token, 'GET', `/villages/${id}`);
      if (!current()) return;
      await store.put('villages', { id: village.id, name: village.name });
    } catch (error) {
      if (error instanceof NeedsLogin) throw error; // else the name comes next time
    }
  }
  if (!current()) return;
  await store.put('kv', body.cursor, 'cursor');
  await store.put('kv', Date.now(), 'synced_at');
}

/** The one table of labels (GET /api/v1/labels, public, SPEC §15): kept in IndexedDB so the
 * app shows it offline, asked again with its ETag (unchanged, the answer is an empty 304).
 * Resolves to the table, fresh or kept ({} before the first answer). */
export async function labels() {
  const kept = await store.get('kv', 'labels');
  let response;
  try {
    response = await timedFetch(`${API}/labels`, {
      headers: { ...LANGUAGE, ...(kept?.etag ? { 'If-None-Match': kept.etag } : {}) },
      cache: 'no-store',
    });
  } catch {
    return kept?.table || {};
  }
  if (response.status !== 200) return kept?.table || {};
  const table = await response.json();
  await store.put('kv', { etag: response.headers.get('ETag'), table }, 'labels');
  return table;
}

/** The labels kept from the last answer, for a start with no signal. */
export async function keptLabels() {
  return (await store.get('kv', 'labels'))?.table || {};
}

/** Forget the previous cadre's copy of the server (never the outbox: each item names its
 * owner and is sent only under that cadre's login). */
export async function forgetCopies() {
  for (const name of ['households', 'tasks', 'demands', 'villages', 'visits']) {
    await store.clear(name);
  }
  await store.remove('kv', 'cursor');
  await store.remove('kv', 'synced_at');
}
