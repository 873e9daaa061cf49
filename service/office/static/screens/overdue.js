// 逾期 (SPEC §16): overdue tasks and demands with the household's head, village, unit, cadre
// and days overdue, by unit — each unit's counts (the overview's), a unit picker kept in the
// address (a unit admin sees its own unit only) and a table sorted and paged on the server,
// the longest overdue first; each row opens the household.

import { html } from "../vendor/lit-html.js";
import { get, label, loadLabels, qs } from "../api.js";
import { PER_PAGE, formValues, months, num, pager, sortable, when } from "../ui.js";
import { remember } from "./household-back.js";

/** @typedef {import("../ui.js").Query} Query */
/** @typedef {import("../ui.js").Tools} Tools */
/** @typedef {import("../../../../clients/office/api-types").Schema<"TaskOut">} Task */
/** @typedef {import("../../../../clients/office/api-types").Schema<"DemandOut">} Demand */
/** @typedef {import("../../../../clients/office/api-types").Schema<"OverviewUnit">} UnitRow */

/** The lists' filter for overdue work only, with a unit's (or every unit's) and a page. The
 * flag is written as a shorthand property. @param {number | undefined} unit_id
 * @param {{sort?: string, page?: number, per_page: number}} page */
function lateOnly(unit_id, page) {
  const overdue = true;
  return { overdue, unit_id, ...page };
}

/** 逾期: overdue tasks and demands by unit, the longest overdue first. */
export async function overdue(/** @type {Query} */ query, /** @type {Tools} */ { me, go }) {
  remember("overdue", query);  // the household page's back link returns to this list
  await loadLabels();
  const own = me.role === "unit_admin" && me.unit_id !== null ? me.unit_id : undefined;
  const unit = own ?? num(query.unit_id);
  const kind = query.kind === "demands" ? "demands" : "tasks";
  const shown = { sort: query.sort || undefined, page: num(query.page) || 1, per_page: PER_PAGE };
  const count = { per_page: 1 };
  const [overview, tasks, demands] = await Promise.all([
    get("/api/v1/reports/overview", { query: { month: months().current, unit_id: own } }),
    get("/api/v1/tasks", { query: lateOnly(unit, kind === "tasks" ? shown : count) }),
    get("/api/v1/demands", { query: lateOnly(unit, kind === "demands" ? shown : count) })]);
  const units = overview.units;
  const chosen = units.find((u) => u.unit_id === unit);
  const pick = (/** @type {SubmitEvent} */ event) => {
    const { unit_id } = formValues(event);
    go({ ...query, unit_id, page: 1 });
  };
  const tab = (/** @type {"tasks" | "demands"} */ which, /** @type {number} */ total,
               /** @type {string} */ title) => html`<a href="#/overdue${qs({
      unit_id: query.unit_id, kind: which === "tasks" ? undefined : which })}"
      aria-current=${kind === which ? "page" : "false"}>${title}（${total}）</a>`;
  return html`
    ${own === undefined ? summary(units, query) : ""}
    <h2 id="list-title">${chosen ? chosen.unit_name : "全部单位"}的逾期事项</h2>
    ${own === undefined ? html`<form class="filters" role="search" aria-label="按单位查看"
        @submit=${pick}>
      <label>单位 <select name="unit_id">
        <option value="">全部单位</option>
        ${units.map((u) => html`<option value=${u.unit_id}
            ?selected=${u.unit_id === unit}>${u.unit_name}</option>`)}
      </select></label>
      <button type="submit">查看</button>
    </form>` : ""}
    <nav class="tabs" aria-label="逾期类别">
      ${tab("tasks", tasks.total, "逾期任务")}${tab("demands", demands.total, "逾期诉求")}
    </nav>
    ${kind === "tasks" ? taskTable(tasks, chosen, query, go) : demandTable(demands, chosen, query, go)}`;
}

/** Each unit's overdue counts today (units with none are left out); a unit's name shows its
 * overdue work. @param {UnitRow[]} units @param {Query} query */
function summary(units, query) {
  const late = units.filter((u) => u.overdue_tasks + u.overdue_demands > 0);
  return html`<section aria-labelledby="by-unit-title">
    <h2 id="by-unit-title">各单位逾期情况</h2>
    ${late.length ? html`<table class="data figures by-unit">
      <caption class="sr-only">各单位今天逾期的任务和诉求</caption>
      <thead><tr><th scope="col">单位</th><th scope="col" class="number">逾期任务</th>
        <th scope="col" class="number">逾期诉求</th></tr></thead>
      <tbody>${late.map((u) => html`<tr>
        <th scope="row"><a href="#/overdue${qs({ unit_id: u.unit_id, kind: query.kind })}"
            aria-current=${String(u.unit_id) === query.unit_id ? "true" : "false"}>${u.unit_name}</a></th>
        <td class="number">${u.overdue_tasks}</td><td class="number">${u.overdue_demands}</td>
      </tr>`)}</tbody>
    </table>` : html`<p>各单位目前都没有逾期的任务和诉求。</p>`}
  </section>`;
}

/** A household's head as a link to its page. @param {number} id @param {string} name */
function head(id, name) {
  return html`<a href="#/household?id=${id}&from=overdue">${name}</a>`;
}

/** Days overdue as a table cell shows them. @param {number | null} count */
function days(count) {
  return html`<td class="number"><span class="warn">${count ?? ""} 天</span></td>`;
}

/** The caption of a list: what, whose. @param {string} what @param {UnitRow | undefined} unit */
function caption(what, unit) {
  return `${unit ? unit.unit_name : "全部单位"}的${what}，默认逾期最久的在前`;
}

/** @param {{items: Task[], total: number, page: number, per_page: number}} page
 * @param {UnitRow | undefined} unit @param {Query} query @param {import("../ui.js").Go} go */
function taskTable(page, unit, query, go) {
  return html`<table class="data overdue">
      <caption class="sr-only">${caption("逾期任务", unit)}</caption>
      <thead><tr>
        ${sortable("户主", "household_head_name", query, go)}
        <th scope="col">村</th>
        ${sortable("单位", "unit_name", query, go)}
        <th scope="col">包联干部</th><th scope="col">任务</th><th scope="col">状态</th>
        ${sortable("到期日", "due_on", query, go)}
        <th scope="col" class="number">逾期天数</th>
      </tr></thead>
      <tbody>${page.items.length ? page.items.map((t) => html`<tr>
          <td>${head(t.household_id, t.household_head_name)}</td><td>${t.village_name}</td>
          <td>${t.unit_name || html`<span class="muted">无包村单位</span>`}</td>
          <td>${t.cadre_name || html`<span class="warn">未包联</span>`}</td>
          <td>${label("task_kind", t.category)}</td><td>${label("task_status", t.status)}</td>
          <td>${t.due_on}</td>${days(t.days_overdue)}</tr>`)
        : html`<tr><td colspan="8">没有逾期的任务。</td></tr>`}</tbody>
    </table>
    ${pager(page, query, go, "项")}`;
}

/** @param {{items: Demand[], total: number, page: number, per_page: number}} page
 * @param {UnitRow | undefined} unit @param {Query} query @param {import("../ui.js").Go} go */
function demandTable(page, unit, query, go) {
  return html`<table class="data overdue">
      <caption class="sr-only">${caption("逾期诉求", unit)}</caption>
      <thead><tr>
        ${sortable("户主", "household_head_name", query, go)}
        <th scope="col">村</th>
        ${sortable("单位", "unit_name", query, go)}
        <th scope="col">受理干部</th><th scope="col">诉求</th><th scope="col">状态</th>
        ${sortable("提出时间", "opened_at", query, go)}
        <th scope="col" class="number">逾期天数</th>
      </tr></thead>
      <tbody>${page.items.length ? page.items.map((d) => html`<tr>
          <td>${head(d.household_id, d.household_head_name)}</td><td>${d.village_name}</td>
          <td>${d.unit_name || html`<span class="muted">无包村单位</span>`}</td>
          <td>${d.cadre_name || ""}</td>
          <td>${label("demand_category", d.category)}<br>
            <span class="muted">${d.description}</span></td>
          <td>${label("demand_status", d.status)}</td>
          <td>${when(d.opened_at)}</td>${days(d.days_overdue)}</tr>`)
        : html`<tr><td colspan="8">没有逾期的诉求。</td></tr>`}</tbody>
    </table>
    ${pager(page, query, go, "项")}`;
}
