// The console's screens (SPEC §16). Each is {name, title, roles, view(query, {me, go})}: it
// reads its filters, sort and page from the address (query), asks the API, and answers what to
// show; `go(query)` changes the address, which shows the screen again.

import { html } from "./vendor/lit-html.js";
import { call, label, loadLabels, qs } from "./api.js";

const PER_PAGE = 50;

/**
 * A sortable column header: the server sorts (sort=field or -field), the address keeps it.
 * @param {string} title @param {string} field @param {Record<string, any>} query
 * @param {(q: Record<string, any>) => void} go
 */
function sortable(title, field, query, go) {
  const now = query.sort || "";
  const state = now === field ? "ascending" : now === `-${field}` ? "descending" : "none";
  const next = state === "ascending" ? `-${field}` : field;
  return html`<th scope="col" aria-sort=${state}>
    <button type="button" class="sort" @click=${() => go({ ...query, sort: next, page: 1 })}>
      ${title}<span aria-hidden="true">${state === "ascending" ? " ▲" : state === "descending" ? " ▼" : ""}</span>
    </button></th>`;
}

/**
 * The pager under a table. @param {{total: number, page: number, per_page: number}} page
 * @param {Record<string, any>} query @param {(q: Record<string, any>) => void} go
 * @param {string} unit what is counted (户, 人…)
 */
function pager(page, query, go, unit) {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  return html`<nav class="pager" aria-label="翻页">
    <button type="button" ?disabled=${page.page <= 1}
            @click=${() => go({ ...query, page: page.page - 1 })}>上一页</button>
    <span role="status">第 ${page.page} / ${pages} 页，共 ${page.total} ${unit}</span>
    <button type="button" ?disabled=${page.page >= pages}
            @click=${() => go({ ...query, page: page.page + 1 })}>下一页</button>
  </nav>`;
}

/** @param {SubmitEvent} event @returns {Record<string, string>} */
function formValues(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  /** @type {Record<string, string>} */
  const values = {};
  for (const [key, value] of new FormData(form)) values[key] = String(value).trim();
  return values;
}

/** @type {Map<string, Array<{id: number, name: string, township_id: number}>>} */
const villages = new Map();

/** The villages a picker offers: a unit admin's unit's, else the county's (read once).
 * @param {{role: string, unit_id: number | null}} me */
async function villageList(me) {
  const unit = me.role === "unit_admin" ? me.unit_id : null;
  const key = String(unit);
  if (!villages.has(key)) {
    villages.set(key, (await call(`villages${qs({ unit_id: unit, per_page: 500, sort: "name" })}`)).items);
  }
  return villages.get(key) || [];
}

/** 农户: search by village, name or ID-number / phone fragment; a sortable, paged table. */
async function households(/** @type {Record<string, any>} */ query,
                          /** @type {{me: any, go: (q: Record<string, any>) => void}} */ { me, go }) {
  const labels = await loadLabels();
  const [list, page] = await Promise.all([villageList(me), call(`households${qs({
    village_id: query.village_id, q: query.q, difficulty: query.difficulty,
    sort: query.sort, page: query.page || 1, per_page: PER_PAGE })}`)]);
  const search = (/** @type {SubmitEvent} */ event) => go({ ...formValues(event), page: 1 });
  return html`
    <form class="filters" role="search" aria-label="查找农户" @submit=${search}>
      <label>村 <select name="village_id">
        <option value="">全部</option>
        ${list.map((v) => html`<option value=${v.id}
            ?selected=${String(v.id) === query.village_id}>${v.name}</option>`)}
      </select></label>
      <label>困难程度 <select name="difficulty">
        <option value="">全部</option>
        ${Object.entries(labels.difficulty).map(([code, word]) => html`<option value=${code}
            ?selected=${code === query.difficulty}>${word}</option>`)}
      </select></label>
      <label>户主姓名、身份证号或电话 <input name="q" .value=${query.q || ""} maxlength="50"
             type="search"></label>
      <button type="submit">查找</button>
    </form>
    <table class="data">
      <caption class="sr-only">农户列表</caption>
      <thead><tr>
        ${sortable("户主", "head_name", query, go)}
        ${sortable("村", "village_name", query, go)}
        <th scope="col">乡镇</th>
        ${sortable("困难程度", "difficulty", query, go)}
        ${sortable("人口", "members", query, go)}
        <th scope="col">身份证号</th>
        <th scope="col">联系电话</th>
        <th scope="col">包联干部</th>
      </tr></thead>
      <tbody>
        ${page.items.length ? page.items.map((/** @type {any} */ h) => html`<tr>
          <td>${h.head_name}</td><td>${h.village_name}</td><td>${h.township_name}</td>
          <td>${label("difficulty", h.difficulty)}</td><td class="number">${h.members}</td>
          <td>${h.id_number}</td><td>${h.phone || ""}</td>
          <td>${h.cadre_name || html`<span class="warn">未包联</span>`}</td>
        </tr>`) : html`<tr><td colspan="8">没有符合条件的农户。</td></tr>`}
      </tbody>
    </table>
    ${pager(page, query, go, "户")}`;
}

/** This month and the last in the county (Asia/Shanghai), as YYYY-MM. */
function months() {
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
  const [year, month] = today.split("-").map(Number);
  const last = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
  return { current: today.slice(0, 7), last };
}

/** The overview's figures, in the order a table shows them. */
const FIGURES = [
  ["needy_households", "有帮扶需求的农户"], ["paired_households", "已包联"],
  ["unpaired_households", "未包联"], ["cadres", "干部"],
  ["cadres_without_households", "未包联农户的干部"], ["cadres_below_quota", "包联未满额的干部"],
  ["pairings", "联户"], ["pairings_with_direct_visit", "当月有直接走访的联户"],
  ["overdue_tasks", "逾期任务"], ["overdue_demands", "逾期诉求"], ["villages", "村"],
  ["villages_published", "当月已公示的村"],
];

/** 首页: the overview of this month and the last, the villages the last month still lacks,
 * and the last bulletin's first and last units. */
async function home(/** @type {Record<string, any>} */ _query, /** @type {{me: any}} */ { me }) {
  const { current, last } = months();
  const unit = me.role === "unit_admin" ? me.unit_id : undefined;
  const [now, before, status, bulletin] = await Promise.all([
    call(`reports/overview${qs({ month: current, unit_id: unit })}`),
    call(`reports/overview${qs({ month: last, unit_id: unit })}`),
    call(`disclosures/months/${last}`),
    call(`reports/bulletin${qs({ month: last })}`)]);
  const waiting = status.villages.filter((/** @type {any} */ v) => v.status === "unpublished");
  const units = bulletin.units;
  const ends = units.length > 6 ? [...units.slice(0, 3), null, ...units.slice(-3)] : units;
  return html`
    <section aria-labelledby="figures-title">
      <h2 id="figures-title">概况</h2>
      <table class="data figures">
        <thead><tr><th scope="col">项目</th><th scope="col">本月（${current}）</th>
          <th scope="col">上月（${last}）</th></tr></thead>
        <tbody>${FIGURES.map(([key, title]) => html`<tr><th scope="row">${title}</th>
          <td class="number">${now.totals[key]}</td>
          <td class="number">${before.totals[key]}</td></tr>`)}</tbody>
      </table>
    </section>
    <section aria-labelledby="waiting-title">
      <h2 id="waiting-title">上月尚未公示的村：${waiting.length} 个</h2>
      ${waiting.length ? html`<p>${waiting.map((/** @type {any} */ v) =>
          `${v.township_name}${v.village_name}`).join("、")}</p>` : html`<p>上月各村均已公示。</p>`}
    </section>
    <section aria-labelledby="bulletin-title">
      <h2 id="bulletin-title">上月情况通报（${last}）：前三名与后三名</h2>
      <table class="data figures">
        <thead><tr><th scope="col">名次</th><th scope="col">单位</th>
          <th scope="col">联户</th><th scope="col">有直接走访</th></tr></thead>
        <tbody>${ends.map((/** @type {any} */ u) => u ? html`<tr><td class="number">${u.rank}</td>
          <td>${u.unit}</td><td class="number">${u.pairings}</td>
          <td class="number">${u.pairings_visited}</td></tr>`
          : html`<tr><td colspan="4">…</td></tr>`)}</tbody>
      </table>
    </section>`;
}

/** Every screen, with the roles that may use it (the API still refuses the rest). */
export const SCREENS = [
  { name: "home", title: "首页", roles: ["county_admin", "unit_admin", "inspector"], view: home },
  { name: "households", title: "农户", roles: ["county_admin", "unit_admin", "inspector"],
    view: households },
];
