// 两个全覆盖 (SPEC §16, doc 003 lines 110–114: every cadre has households, every household knows
// its cadre): the gaps of GET /api/v1/coverage, each section with its full count and a table,
// filtered by unit, township and village in the address; a household opens its page, a
// village its households, a cadre its pairings (交接) and a unit's gaps its 包联方案.

import { html } from "../vendor/lit-html.js";
import { get, label, loadLabels } from "../api.js";
import { num } from "../ui.js";
import { pickers, places, unitName } from "./coverage-places.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"CoverageOut">} Report */
/** @typedef {import("../../../../clients/office/api-types").Schema<"CadreGap">} CadreRow */

/** Rows listed per section unless the address asks for more (the counts are always full). */
const LISTED = 100;
const ALL_LISTED = 1000;

/** The sections in the order the page shows them, with their headings.
 * @type {Array<[Exclude<keyof Report, "summary">, string]>} */
const SECTIONS = [
  ["households_with_needs_without_cadre", "有帮扶需求但没有包联干部的农户"],
  ["cadres_without_pairing", "没有联系户的干部"],
  ["cadres_below_quota", "联系户未满额的干部"],
  ["villages_without_unit", "没有包村单位的村"],
  ["units_without_head", "没有一把手（组长）的单位"],
  ["leaders_missing_contact_points", "缺少党建联系点的领导干部"],
  ["difficulty_overrides", "难度匹配例外的联户"],
];

/** 两个全覆盖: the gaps in the caller's scope, with drill-down. */
export async function coverage(/** @type {Record<string, any>} */ query,
                               /** @type {import("../ui.js").Tools} */ { me, go }) {
  const admin = me.role === "county_admin" || me.role === "unit_admin";
  const limit = num(query.limit) === ALL_LISTED ? ALL_LISTED : LISTED;
  const [, where, report] = await Promise.all([loadLabels(), places(me), get("/api/v1/coverage", {
    query: {
      unit_id: me.role === "unit_admin" ? undefined : num(query.unit_id),
      township_id: num(query.township_id), village_id: num(query.village_id), limit,
    } })]);
  const filter = (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (event.currentTarget));
    /** @type {Record<string, string>} */
    const next = {};
    for (const key of ["unit_id", "township_id", "village_id"]) next[key] = String(form.get(key) ?? "");
    go(next);
  };
  const total = SECTIONS.reduce((sum, [key]) => sum + report[key].count, 0);
  const jump = (/** @type {string} */ key) => {
    const heading = document.getElementById(`gap-${key}`);
    heading?.scrollIntoView({ block: "start" });
    heading?.focus();
  };
  /** The section's body: its table, or a line saying there is no gap. */
  const body = (/** @type {Exclude<keyof Report, "summary">} */ key) => {
    const section = report[key];
    if (!section.count) return html`<p class="coverage-none">没有缺口。</p>`;
    const more = section.count > section.items.length;
    return html`${table(key, report, { admin, unitAdmin: me.role === "unit_admin" })}
      ${more ? html`<p class="coverage-more">仅列出前 ${section.items.length} 条，共 ${section.count} 条。
        ${limit < ALL_LISTED ? html`<button type="button"
          @click=${() => go({ ...query, limit: ALL_LISTED })}>列出更多（至多 ${ALL_LISTED} 条）</button>` : ""}</p>` : ""}`;
  };
  return html`
    <form class="filters" role="search" aria-label="筛选范围" @submit=${filter}>
      ${me.role === "unit_admin" ? html`<p class="coverage-unit">本单位：<strong>${unitName(where, me.unit_id)}</strong></p>` : ""}
      ${pickers(where, query, me)}
      <button type="submit">查看</button>
    </form>
    <section aria-labelledby="coverage-summary" class="coverage-summary">
      <h2 id="coverage-summary">缺口概况：${total ? `共 ${total} 项` : "已全覆盖"}</h2>
      <ul>${SECTIONS.map(([key, title]) => html`<li class=${report[key].count ? "gap" : "none"}>
        <button type="button" @click=${() => jump(key)}>
          <span class="count">${report[key].count}</span><span class="what">${title}</span>
        </button></li>`)}</ul>
    </section>
    ${SECTIONS.map(([key, title]) => html`
      <section aria-labelledby=${`gap-${key}`} class="coverage-section">
        <h2 id=${`gap-${key}`} tabindex="-1">${title}：${report[key].count}</h2>
        ${body(key)}
      </section>`)}`;
}

/** A village's households (the household list filtered by the village). @param {number} id */
const villageHouseholds = (id) => `#/households?village_id=${id}`;

/**
 * One section's table.
 * @param {Exclude<keyof Report, "summary">} key @param {Report} report
 * @param {{admin: boolean, unitAdmin: boolean}} who
 */
function table(key, report, who) {
  const caption = (/** @type {string} */ text) => html`<caption class="sr-only">${text}</caption>`;
  const plan = (/** @type {number} */ unit) => who.admin
    ? html`<a href=${`#/plans?unit_id=${unit}`}>为本单位制定包联方案</a>` : "";
  const cadreName = (/** @type {number} */ id, /** @type {string} */ name) => who.admin
    ? html`<a href=${`#/handover?cadre_id=${id}`} title="查看联户、交接">${name}</a>` : name;
  const cadres = (/** @type {CadreRow[]} */ items, /** @type {string} */ title, linked = false) => html`
    <table class="data">${caption(title)}
      <thead><tr><th scope="col">干部</th><th scope="col">单位</th><th scope="col">职级</th>
        <th scope="col">联系户 / 名额</th>${who.admin ? html`<th scope="col">处理</th>` : ""}</tr></thead>
      <tbody>${items.map((c) => html`<tr>
        <td>${linked ? cadreName(c.id, c.name) : c.name}</td><td>${c.unit_name}</td>
        <td>${label("rank", c.rank)}</td><td class="number">${c.active} / ${c.quota}</td>
        ${who.admin ? html`<td>${plan(c.unit_id)}</td>` : ""}</tr>`)}</tbody>
    </table>`;
  switch (key) {
    case "households_with_needs_without_cadre": return html`
      <table class="data">${caption("有帮扶需求但没有包联干部的农户")}
        <thead><tr><th scope="col">户主</th><th scope="col">村</th><th scope="col">乡镇</th>
          <th scope="col">困难程度</th><th scope="col">帮扶需求</th></tr></thead>
        <tbody>${report[key].items.map((h) => html`<tr>
          <td><a href=${`#/household?id=${h.id}`}>${h.head_name}</a></td>
          <td><a href=${villageHouseholds(h.village_id)} title="该村全部农户">${h.village_name}</a></td>
          <td>${h.township_name}</td><td>${label("difficulty", h.difficulty)}</td>
          <td>${h.needs.map((n) => label("need", n)).join("、")}</td></tr>`)}</tbody>
      </table>`;
    case "cadres_without_pairing": return cadres(report[key].items, "没有联系户的干部");
    case "cadres_below_quota": return cadres(report[key].items, "联系户未满额的干部", true);
    case "villages_without_unit": return html`
      <table class="data">${caption("没有包村单位的村")}
        <thead><tr><th scope="col">村</th><th scope="col">乡镇</th><th scope="col">区划代码</th></tr></thead>
        <tbody>${report[key].items.map((v) => html`<tr>
          <td><a href=${villageHouseholds(v.id)} title="该村全部农户">${v.name}</a></td>
          <td>${v.township_name}</td><td>${v.code}</td></tr>`)}</tbody>
      </table>`;
    case "units_without_head": return html`
      <table class="data">${caption("没有一把手（组长）的单位")}
        <thead><tr><th scope="col">单位</th>${who.unitAdmin ? "" : html`<th scope="col">查看</th>`}</tr></thead>
        <tbody>${report[key].items.map((u) => html`<tr><td>${u.name}</td>
          ${who.unitAdmin ? "" : html`<td><a href=${`#/coverage?unit_id=${u.id}`}>本单位的缺口</a></td>`}</tr>`)}</tbody>
      </table>`;
    case "leaders_missing_contact_points": return html`
      <table class="data">${caption("缺少党建联系点的领导干部")}
        <thead><tr><th scope="col">干部</th><th scope="col">单位</th><th scope="col">职级</th>
          <th scope="col">缺少的联系点</th></tr></thead>
        <tbody>${report[key].items.map((c) => html`<tr><td>${c.name}</td><td>${c.unit_name}</td>
          <td>${label("rank", c.rank)}</td>
          <td>${c.missing.map((m) => label("contact_point_gap", m)).join("、")}</td></tr>`)}</tbody>
      </table>`;
    case "difficulty_overrides": return html`
      <table class="data">${caption("难度匹配例外的联户")}
        <thead><tr><th scope="col">干部</th><th scope="col">职级</th><th scope="col">农户</th>
          <th scope="col">村</th><th scope="col">困难程度</th><th scope="col">例外理由</th>
          <th scope="col">开始日期</th></tr></thead>
        <tbody>${report[key].items.map((o) => html`<tr>
          <td>${cadreName(o.cadre_id, o.cadre_name)}</td><td>${label("rank", o.cadre_rank)}</td>
          <td><a href=${`#/household?id=${o.household_id}`}>${o.household_head_name}</a></td>
          <td><a href=${villageHouseholds(o.village_id)} title="该村全部农户">${o.village_name}</a></td>
          <td>${label("difficulty", o.difficulty)}</td><td>${o.override_reason}</td>
          <td>${o.started_on}</td></tr>`)}</tbody>
      </table>`;
    default: return "";
  }
}
