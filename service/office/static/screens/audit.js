// 审计 (SPEC §11, §16): the audit trail, newest first, paged by the server, with its filters —
// the kind of record and its number, the action, who (a county admin types a username; every
// role can click the one in a row), a date range in the county's days, one request's id — all
// in the address (#/audit?record_type=household&record_id=12: a link opens it as it is). A unit
// admin reads what the API scopes to its unit. Each row: when, who, what action on which record
// (named when the caller may read it), and the fields that changed, as the API gives them
// (personal data comes already hidden).

import { html } from "../vendor/lit-html.js";
import { get, label, loadLabels } from "../api.js";
import { PER_PAGE, formValues, num, pager, readable, refusal, said, sortable, when } from "../ui.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"AuditEventOut">} AuditEvent */
/** @typedef {NonNullable<import("../../../../clients/office/api-types").Params<"/api/v1/audit", "get">["query"]>} AuditQuery */

/** The value the API writes instead of personal data (SPEC §11). */
const REDACTED = "[redacted]";
/** How many changed fields a row shows before folding the rest away. */
const SHOWN = 3;
/** A date as the address keeps it. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A message for the next showing of the screen (a username not found). */
let notice = "";

/** The start of a county day (Asia/Shanghai, no daylight saving): "2026-12-01" → its instant.
 * @param {string} day */
function dayStart(day) {
  return DAY.test(day) ? `${day}T00:00:00+08:00` : day;
}

/** The start of the day after (the end of an inclusive "至" date). @param {string} day */
function dayAfter(day) {
  const at = new Date(`${day}T00:00:00Z`);
  if (!DAY.test(day) || Number.isNaN(at.getTime())) return day;
  at.setUTCDate(at.getUTCDate() + 1);
  return dayStart(at.toISOString().slice(0, 10));
}

/** The names of the records on a page that the caller may read, by "type:id" (one request a
 * kind of record; a record since deleted or out of scope keeps its number only).
 * @param {AuditEvent[]} items @param {import("../ui.js").Me} me */
async function recordNames(items, me) {
  /** @type {Record<string, string[]>} */
  const ids = {};
  for (const e of items) {
    if (!e.record_id || !/^[1-9][0-9]{0,9}$/.test(e.record_id)) continue;
    const list = (ids[e.record_type] ||= []);
    if (!list.includes(e.record_id)) list.push(e.record_id);
  }
  /** @type {Map<string, string>} */
  const names = new Map();
  const query = (/** @type {string[]} */ list) => ({ query: { ids: list.join(","), per_page: 500 } });
  /** @type {Array<Promise<void>>} */
  const reads = [];
  const keep = (/** @type {string} */ kind, /** @type {Array<[number, string]>} */ rows) => {
    for (const [id, name] of rows) names.set(`${kind}:${id}`, name);
  };
  if (ids.household) {
    reads.push(get("/api/v1/households", query(ids.household)).then((a) => keep("household",
      a.items.map((h) => [h.id, `${h.head_name}（${h.village_name}）`]))));
  }
  if (ids.cadre) {
    reads.push(get("/api/v1/cadres", query(ids.cadre)).then((a) => keep("cadre",
      a.items.map((c) => [c.id, c.name]))));
  }
  if (ids.village) {
    reads.push(get("/api/v1/villages", query(ids.village)).then((a) => keep("village",
      a.items.map((v) => [v.id, v.name]))));
  }
  if (ids.unit) {
    reads.push(get("/api/v1/units", query(ids.unit)).then((a) => keep("unit",
      a.items.map((u) => [u.id, u.name]))));
  }
  if (ids.user && me.role === "county_admin") {
    reads.push(get("/api/v1/users", query(ids.user)).then((a) => keep("user",
      a.items.map((u) => [u.id, u.username]))));
  }
  await Promise.all(reads);
  return names;
}

/** The label tables a changed field's codes may be in, the record's own first: a task's
 * status is a task_status, a demand's category a demand_category, a task's category a
 * task_kind, a visit's kind a visit_kind; then the field's own name (difficulty, rank, role)
 * and its singular (needs → need). @param {string} record @param {string} field */
function kindsOf(record, field) {
  return [`${record}_${field}`, ...(field === "category" ? [`${record}_kind`] : []), field,
    field.replace(/s$/, "")];
}

/** A value of a change as a clerk reads it: the server's label for a code it labels, lists
 * joined, personal data said to be hidden.
 * @param {string} record @param {string} field @param {unknown} value */
function shown(record, field, value) {
  if (value === null || value === undefined || value === "") return html`<span class="hint">空</span>`;
  if (value === REDACTED) return html`<span class="hint">（已隐去）</span>`;
  const word = (/** @type {unknown} */ v) => readable(v, (code) => {
    const kind = kindsOf(record, field).find((k) => label(k, code) !== code);
    return kind ? label(kind, code) : code;
  });
  return Array.isArray(value) ? value.map(word).join("、") || "（无）" : word(value);
}

/** What changed, folded past a few fields. @param {AuditEvent} event */
function changes(event) {
  const all = /** @type {Array<[string, unknown[]]>} */ (Object.entries(event.changes));
  if (!all.length) return html`<span class="hint">—</span>`;
  const line = (/** @type {[string, unknown[]]} */ [field, [before, after]]) =>
    before === null || before === undefined
      ? html`<li><span class="field" title=${field}>${label("field", field)}</span>：${shown(event.record_type, field, after)}</li>`
      : html`<li><span class="field" title=${field}>${label("field", field)}</span>：${shown(event.record_type, field, before)} →
          ${shown(event.record_type, field, after)}</li>`;
  const rest = all.slice(SHOWN);
  return html`<ul class="changes">${all.slice(0, SHOWN).map(line)}</ul>
    ${rest.length ? html`<details><summary>其余 ${rest.length} 项</summary>
      <ul class="changes">${rest.map(line)}</ul></details>` : ""}`;
}

/** 审计: the trail with its filters, newest first. */
export async function audit(/** @type {Record<string, any>} */ query,
                            /** @type {import("../ui.js").Tools} */ { me, go, refresh }) {
  const labels = await loadLabels();
  const county = me.role === "county_admin";
  const userId = num(query.user_id);
  /** @type {AuditQuery} */
  const asked = {
    record_type: /** @type {AuditQuery["record_type"]} */ (query.record_type || undefined),
    record_id: query.record_id || undefined, user_id: userId,
    action: /** @type {AuditQuery["action"]} */ (query.action || undefined),
    request_id: query.request_id || undefined,
    since: query.since ? dayStart(query.since) : undefined,
    until: query.until ? dayAfter(query.until) : undefined,
    sort: query.sort || undefined, page: num(query.page) || 1, per_page: PER_PAGE,
  };
  /** @type {{items: AuditEvent[], total: number, page: number, per_page: number} | null} */
  let page = null;
  /** @type {unknown} */
  let failed = null;
  /** @type {Map<string, string>} */
  let names = new Map();
  /** @type {string} */
  let actor = "";
  try {
    const [answer, account] = await Promise.all([
      get("/api/v1/audit", { query: asked }),
      county && userId ? get("/api/v1/users/{user_id}", { path: { user_id: userId } }) : null]);
    page = answer;
    names = await recordNames(answer.items, me);
    if (userId) actor = account ? account.username : answer.items[0]?.actor || `#${userId}`;
  } catch (error) {
    failed = error;
  }
  const told = notice;
  notice = "";
  const base = { ...query, page: 1 };

  const search = async (/** @type {SubmitEvent} */ event) => {
    const { actor: typed, ...values } = formValues(event);
    let user_id = query.user_id;
    if (typed !== undefined && typed !== actor) {
      user_id = undefined;
      if (typed) {
        try {
          const found = await get("/api/v1/users", { query: { q: typed, per_page: 50 } });
          const exact = found.items.find((u) => u.username.toLowerCase() === typed.toLowerCase());
          if (!exact) {
            notice = `没有用户名为“${typed}”的账号。`;
            refresh();
            return;
          }
          user_id = exact.id;
        } catch (error) {
          notice = said(error);
          refresh();
          return;
        }
      }
    }
    go({ ...values, user_id, sort: query.sort, page: 1 });
  };

  const filters = html`
    <form class="filters audit-filters" role="search" aria-label="筛选审计记录" @submit=${search}>
      <label>记录类型 <select name="record_type">
        <option value="">全部</option>
        ${Object.entries(labels.record_type || {}).map(([code, word]) => html`<option value=${code}
            ?selected=${code === query.record_type}>${word}</option>`)}
      </select></label>
      <label>记录编号 <input name="record_id" size="10" maxlength="36" .value=${query.record_id || ""}></label>
      <label>操作 <select name="action">
        <option value="">全部</option>
        ${Object.entries(labels.audit_action || {}).map(([code, word]) => html`<option value=${code}
            ?selected=${code === query.action}>${word}</option>`)}
      </select></label>
      ${county ? html`<label>操作人（用户名）<input name="actor" size="12" maxlength="50"
          .value=${userId ? actor : ""}></label>` : ""}
      <label>自 <input type="date" name="since" .value=${query.since || ""}></label>
      <label>至 <input type="date" name="until" .value=${query.until || ""}></label>
      <label>请求编号 <input name="request_id" size="14" maxlength="64" .value=${query.request_id || ""}></label>
      <button type="submit">查找</button>
      <button type="button" @click=${() => go({})}>清除条件</button>
    </form>
    ${told ? html`<p class="error" role="alert">${told}</p>` : ""}
    ${!county && userId ? html`<p class="audit-chip">只看操作人：<strong>${actor}</strong>
      <button type="button" class="link" @click=${() => go({ ...base, user_id: undefined })}>
        看全部操作人</button></p>` : ""}`;

  if (!page) return html`<div class="screen-audit">${filters}${refusal(failed, refresh)}</div>`;

  const record = (/** @type {AuditEvent} */ e) => {
    const kind = label("record_type", e.record_type);
    if (!e.record_id) return html`${kind}<span class="hint">（整批）</span>`;
    const name = names.get(`${e.record_type}:${e.record_id}`);
    const title = html`${kind} ${name ? html`${name} ` : ""}<span class="hint">#${e.record_id}</span>`;
    const only = query.record_type === e.record_type && query.record_id === e.record_id;
    return html`${e.record_type === "household"
        ? html`<a href="#/household?id=${e.record_id}">${title}</a>` : title}
      ${only ? "" : html`<br><button type="button" class="link small"
          @click=${() => go({ ...base, record_type: e.record_type, record_id: e.record_id })}>
          只看此记录<span class="sr-only">（${kind} #${e.record_id}）的变更</span></button>`}`;
  };

  const who = (/** @type {AuditEvent} */ e) => e.user_id === null || String(e.user_id) === query.user_id
    ? html`${e.actor}`
    : html`<button type="button" class="link" aria-label=${`只看 ${e.actor} 的操作`}
        @click=${() => go({ ...base, user_id: e.user_id })}>${e.actor}</button>`;

  const request = (/** @type {AuditEvent} */ e) => !e.request_id ? ""
    : e.request_id === query.request_id ? html`<code>${e.request_id.slice(0, 8)}</code>`
    : html`<button type="button" class="link small" title=${e.request_id}
        @click=${() => go({ ...base, request_id: e.request_id })}><code>${e.request_id.slice(0, 8)}</code><span
        class="sr-only">：只看请求 ${e.request_id} 的变更</span></button>`;

  return html`<div class="screen-audit">${filters}
    <table class="data audit">
      <caption class="sr-only">审计记录，默认最新的在前</caption>
      <thead><tr>
        ${sortable("时间", "at", query, go)}
        <th scope="col">操作人</th>
        ${sortable("操作", "action", query, go)}
        ${sortable("记录", "record_type", query, go)}
        <th scope="col">变更内容</th>
        <th scope="col">请求</th>
      </tr></thead>
      <tbody>
        ${page.items.length ? page.items.map((e) => html`<tr>
          <td class="nowrap">${when(e.at)}</td>
          <td>${who(e)}</td>
          <td>${label("audit_action", e.action)}</td>
          <td>${record(e)}</td>
          <td>${changes(e)}</td>
          <td>${request(e)}</td>
        </tr>`) : html`<tr><td colspan="6">没有符合条件的记录。</td></tr>`}
      </tbody>
    </table>
    ${pager(page, query, go, "条")}</div>`;
}
