// 包联方案 (SPEC §14, §16): make a plan for the county, a unit, a township or a village; the
// plans made before (paged by the server); one plan with its totals, its proposed pairings and
// the households it leaves uncovered, each with its names and reasons; and applying it, after a
// confirmation that says how many pairings for how many cadres and households. A refusal
// (the records moved since: plan_out_of_date; applied already) is shown in the server's words
// with what to do next.

import { html, render } from "../vendor/lit-html.js";
import { Problem, get, label, loadLabels, post } from "../api.js";
import { PER_PAGE, confirmAction, num, pager, refusal, sortable, when } from "../ui.js";
import { pickers, places, unitName } from "./coverage-places.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"PlanOut">} Plan */
/** @typedef {import("../../../../clients/office/api-types").Schema<"PlanScope">} Scope */
/** @typedef {import("../../../../clients/office/api-types").Schema<"Totals">} Totals */

/** What the last apply on this page did, shown once when the plan shows again.
 * @type {{id: number, text: string} | null} */
let lastApplied = null;

/** 包联方案: the list and the form, or one plan (`?id=`). */
export async function plans(/** @type {Record<string, any>} */ query,
                            /** @type {import("../ui.js").Tools} */ tools) {
  await loadLabels();
  const id = num(query.id);
  return id === undefined ? listing(query, tools) : one(id, query, tools);
}

/** A plan's scope in words: 全县, or its unit, township and village. @param {Scope} scope */
function scopeText(scope) {
  const parts = [scope.unit_name, scope.township_name, scope.village_name].filter(Boolean);
  return parts.length ? parts.join(" · ") : "全县";
}

/** The scope as a plan's body asks for it again (a new plan for the same scope). @param {Scope} scope */
function sameScope(scope) {
  /** @type {{unit_id?: number, township_id?: number, village_id?: number}} */
  const body = {};
  if (scope.unit_id !== undefined) body.unit_id = scope.unit_id;
  if (scope.township_id !== undefined) body.township_id = scope.township_id;
  if (scope.village_id !== undefined) body.village_id = scope.village_id;
  return body;
}

/**
 * Ask the service for a plan, showing progress in `where`; the new plan opens when it comes.
 * @param {{unit_id?: number, township_id?: number, village_id?: number}} body
 * @param {HTMLElement} where @param {HTMLButtonElement | null} button
 * @param {import("../ui.js").Tools} tools
 */
async function makePlan(body, where, button, tools) {
  if (button) button.disabled = true;
  render(html`<p role="status" class="plan-progress"><progress aria-label="正在制定方案"></progress>
    正在制定方案：按名额、包村单位和难度匹配为未包联的农户挑选干部，全县范围可能需要十几秒，请稍候…</p>`, where);
  try {
    const plan = await post("/api/v1/pairing-plans", body);
    render(html`<p role="status">方案 #${plan.id} 已制定。</p>`, where);
    // Opened only if the clerk is still on 包联方案 (else it waits in the list of plans).
    if (location.hash.startsWith("#/plans")) tools.go({ id: plan.id });
  } catch (error) {
    render(refusal(error), where);
  } finally {
    if (button) button.disabled = false;
  }
}

/** The form for a new plan and the plans made before. */
async function listing(/** @type {Record<string, any>} */ query,
                       /** @type {import("../ui.js").Tools} */ tools) {
  const { me, go } = tools;
  const unitAdmin = me.role === "unit_admin";
  const state = query.applied === "true" ? true : query.applied === "false" ? false : undefined;
  const [where, page] = await Promise.all([places(me), get("/api/v1/pairing-plans", { query: {
    unit_id: unitAdmin ? undefined : num(query.unit), applied: state,
    sort: query.sort || undefined, page: num(query.page) || 1, per_page: PER_PAGE } })]);
  const make = (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const data = new FormData(form);
    /** @type {{unit_id?: number, township_id?: number, village_id?: number}} */
    const body = {};
    for (const key of /** @type {const} */ (["unit_id", "township_id", "village_id"])) {
      const value = num(data.get(key));
      if (value !== undefined) body[key] = value;
    }
    makePlan(body, /** @type {HTMLElement} */ (form.querySelector(".plan-result")),
             form.querySelector("button[type=submit]"), tools);
  };
  const filter = (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (event.currentTarget));
    go({ applied: String(data.get("applied") ?? ""), unit: String(data.get("unit") ?? ""),
         sort: query.sort, page: 1 });
  };
  return html`
    <section aria-labelledby="plan-new" class="plan-new">
      <h2 id="plan-new">制定新方案</h2>
      <p class="plan-hint">为范围内有帮扶需求、尚无包联干部的农户，从包村单位有空余名额、职级与困难程度相符的干部中挑选；
        先求覆盖最多，再求干部特长对上需求，再让一名干部的联系户集中在一个村。方案只是建议，应用之后才新建联户。</p>
      <form class="filters" aria-label="方案范围" @submit=${make}>
        ${unitAdmin ? html`<p class="coverage-unit">单位：<strong>${unitName(where, me.unit_id)}</strong></p>` : ""}
        ${pickers(where, query, me, unitAdmin ? "不限" : "不限（全县）")}
        <button type="submit">制定方案</button>
        <div class="plan-result"></div>
      </form>
    </section>
    <section aria-labelledby="plan-list">
      <h2 id="plan-list">已制定的方案</h2>
      <form class="filters" role="search" aria-label="筛选方案" @submit=${filter}>
        <label>状态 <select name="applied">
          <option value="">全部</option>
          <option value="false" ?selected=${state === false}>未应用</option>
          <option value="true" ?selected=${state === true}>已应用</option>
        </select></label>
        ${unitAdmin ? "" : html`<label>单位 <select name="unit">
          <option value="">全部</option>
          ${where.units.map((u) => html`<option value=${u.id} ?selected=${String(u.id) === query.unit}>${u.name}</option>`)}
        </select></label>`}
        <button type="submit">查看</button>
      </form>
      <table class="data">
        <caption class="sr-only">已制定的包联方案</caption>
        <thead><tr>
          <th scope="col">编号</th>
          ${sortable("制定时间", "created_at", query, go)}
          <th scope="col">范围</th>
          <th scope="col">需包联农户</th><th scope="col">可包联</th><th scope="col">无法包联</th>
          <th scope="col">涉及干部</th>
          ${sortable("应用时间", "applied_at", query, go)}
        </tr></thead>
        <tbody>${page.items.length ? page.items.map((p) => html`<tr>
          <td><a href=${`#/plans?id=${p.id}`}>方案 #${p.id}</a></td>
          <td>${when(p.created_at)}</td><td>${scopeText(p.scope)}</td>
          <td class="number">${p.totals.households}</td><td class="number">${p.totals.covered}</td>
          <td class="number">${p.totals.uncovered}</td><td class="number">${p.totals.cadres}</td>
          <td>${p.applied_at ? when(p.applied_at) : html`<span class="warn">未应用</span>`}</td>
        </tr>`) : html`<tr><td colspan="8">还没有方案。</td></tr>`}</tbody>
      </table>
      ${pager(page, query, go, "个方案")}
    </section>`;
}

/**
 * A pager over rows the page already holds (a plan's pairings come in one answer), keeping
 * its page in the address under `key`.
 * @param {number} total @param {number} at @param {string} key @param {string} what
 * @param {Record<string, any>} query @param {import("../ui.js").Go} go
 */
function rowsPager(total, at, key, what, query, go) {
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  if (pages === 1) return "";
  return html`<nav class="pager" aria-label=${`${what}翻页`}>
    <button type="button" ?disabled=${at <= 1} @click=${() => go({ ...query, [key]: at - 1 })}>上一页</button>
    <span role="status">第 ${at} / ${pages} 页，共 ${total} 条</span>
    <button type="button" ?disabled=${at >= pages} @click=${() => go({ ...query, [key]: at + 1 })}>下一页</button>
  </nav>`;
}

/** The page of rows `key` in the address points at. @template T
 * @param {T[]} rows @param {Record<string, any>} query @param {string} key */
function pageOf(rows, query, key) {
  const pages = Math.max(1, Math.ceil(rows.length / PER_PAGE));
  const at = Math.min(Math.max(1, num(query[key]) || 1), pages);
  return { at, rows: rows.slice((at - 1) * PER_PAGE, at * PER_PAGE) };
}

/** One plan: totals, pairings, uncovered households, and apply. */
async function one(/** @type {number} */ id, /** @type {Record<string, any>} */ query,
                   /** @type {import("../ui.js").Tools} */ tools) {
  const { go } = tools;
  const plan = await get("/api/v1/pairing-plans/{plan_id}", { path: { plan_id: id } });
  const t = plan.totals;
  const cadres = new Set(plan.pairings.map((p) => p.cadre_id)).size;
  const households = new Set(plan.pairings.map((p) => p.household_id)).size;
  const done = lastApplied && lastApplied.id === plan.id ? lastApplied.text : "";
  lastApplied = null;
  const pairings = pageOf(plan.pairings, query, "pp");
  const uncovered = pageOf(plan.uncovered, query, "up");

  const apply = async (/** @type {Event} */ event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    const where = /** @type {HTMLElement} */ (document.getElementById("plan-apply-result"));
    render(html``, where);
    const sure = await confirmAction({
      title: `应用方案 #${plan.id}（${scopeText(plan.scope)}）`,
      lines: [
        `将新建 ${plan.pairings.length} 条联户：${cadres} 名干部包联 ${households} 户农户。`,
        "应用时重新核对全部规则（名额、一户一名干部、包村单位、难度匹配）；只要有一条不再相符，一条也不建。",
        ...(t.uncovered ? [`方案未能包联的 ${t.uncovered} 户农户不受影响，仍需另行安排。`] : []),
      ],
      confirm: `新建 ${plan.pairings.length} 条联户`,
    });
    if (!sure) {
      render(html`<p role="status">已取消，没有新建任何联户。</p>`, where);
      button.focus();
      return;
    }
    button.disabled = true;
    render(html`<p role="status" class="plan-progress"><progress aria-label="正在应用方案"></progress>
      正在应用方案：核对规则并新建 ${plan.pairings.length} 条联户，请稍候…</p>`, where);
    try {
      const answer = await post("/api/v1/pairing-plans/{plan_id}/apply", undefined, { path: { plan_id: plan.id } });
      lastApplied = { id: plan.id, text: `方案已应用：新建 ${answer.pairings.length} 条联户，${cadres} 名干部包联 ${households} 户农户。` };
      tools.refresh();
    } catch (error) {
      button.disabled = false;
      render(explained(error, plan, tools), where);
    }
  };

  return html`
    <p class="plan-back"><a href="#/plans">← 全部方案</a></p>
    <section aria-labelledby="plan-title">
      <h2 id="plan-title">方案 #${plan.id}：${scopeText(plan.scope)}</h2>
      <p>制定于 ${when(plan.created_at)}；${plan.applied_at
        ? html`<strong class="plan-applied">已于 ${when(plan.applied_at)} 应用</strong>`
        : html`<strong class="warn">尚未应用</strong>`}</p>
      ${done ? html`<p role="status" class="plan-done">${done}
        <a href="#/coverage">查看两个全覆盖的缺口</a></p>` : ""}
      ${totals(t)}
      ${plan.applied_at ? "" : html`<div class="plan-apply">
        <button type="button" class="danger" @click=${apply} ?disabled=${!plan.pairings.length}>应用方案</button>
        <span class="plan-hint">${plan.pairings.length
          ? `应用后一次新建 ${plan.pairings.length} 条联户（${cadres} 名干部、${households} 户农户）。`
          : "这个方案没有可新建的联户。"}</span>
        <div id="plan-apply-result"></div>
      </div>`}
    </section>
    <section aria-labelledby="plan-pairings">
      <h3 id="plan-pairings">${plan.applied_at ? "已新建的联户" : "拟建联户"}：${plan.pairings.length} 条</h3>
      ${plan.pairings.length ? html`<table class="data">
        <caption class="sr-only">方案拟建的联户</caption>
        <thead><tr><th scope="col">干部</th><th scope="col">职级</th><th scope="col">单位</th>
          <th scope="col">农户</th><th scope="col">村</th><th scope="col">困难程度</th>
          <th scope="col">特长对上的需求</th></tr></thead>
        <tbody>${pairings.rows.map((p) => html`<tr>
          <td>${p.cadre_name}</td><td>${label("rank", p.why.rank)}</td><td>${p.unit_name}</td>
          <td><a href=${`#/household?id=${p.household_id}`}>${p.household_head_name}</a></td>
          <td>${p.village_name}</td><td>${label("difficulty", p.why.difficulty)}</td>
          <td>${p.why.needs_met.length ? p.why.needs_met.map((n) => label("need", n)).join("、") : "—"}</td>
        </tr>`)}</tbody>
      </table>
      ${rowsPager(plan.pairings.length, pairings.at, "pp", "拟建联户", query, go)}` : html`<p>没有拟建的联户。</p>`}
    </section>
    <section aria-labelledby="plan-uncovered">
      <h3 id="plan-uncovered">未能包联的农户：${plan.uncovered.length} 户</h3>
      ${plan.uncovered.length ? html`<ul class="plan-reasons">${reasons(plan).map(([reason, n]) =>
        html`<li>${label("uncovered_reason", reason)}：<strong>${n}</strong> 户</li>`)}</ul>
      <table class="data">
        <caption class="sr-only">方案未能包联的农户及原因</caption>
        <thead><tr><th scope="col">农户</th><th scope="col">村</th><th scope="col">原因</th></tr></thead>
        <tbody>${uncovered.rows.map((u) => html`<tr>
          <td><a href=${`#/household?id=${u.household_id}`}>${u.household_head_name}</a></td>
          <td>${u.village_name}</td><td>${label("uncovered_reason", u.reason)}</td>
        </tr>`)}</tbody>
      </table>
      ${rowsPager(plan.uncovered.length, uncovered.at, "up", "未能包联的农户", query, go)}` : html`<p>范围内有帮扶需求的农户都能包联。</p>`}
    </section>`;
}

/** How many households are left uncovered for each reason, most first.
 * @param {Plan} plan @returns {Array<[string, number]>} */
function reasons(plan) {
  /** @type {Map<string, number>} */
  const counted = new Map();
  for (const u of plan.uncovered) counted.set(u.reason, (counted.get(u.reason) || 0) + 1);
  return [...counted].sort((a, b) => b[1] - a[1]);
}

/** A plan's totals. @param {Totals} t */
function totals(t) {
  /** @type {Array<[string, number | string]>} */
  const rows = [
    ["范围内有帮扶需求、尚无包联干部的农户", t.households], ["方案可包联", t.covered],
    ["无法包联", t.uncovered], ["干部特长对上的需求", t.needs_met], ["涉及干部", t.cadres],
    ["联系户都在一个村的干部", t.cadres_in_one_village],
  ];
  return html`<table class="data figures plan-totals">
    <caption class="sr-only">方案合计</caption>
    <tbody>${rows.map(([what, n]) => html`<tr><th scope="row">${what}</th><td class="number">${n}</td></tr>`)}</tbody>
  </table>
  ${t.optimal ? "" : html`<p class="plan-hint">在限定时间内未能证明“干部集中在一个村”已是最优；覆盖户数和对上的需求已是最多。</p>`}`;
}

/**
 * A refusal to apply, in the server's words, with what to do: a plan whose records moved is
 * made again for the same scope; a plan applied already is reloaded.
 * @param {unknown} error @param {Plan} plan @param {import("../ui.js").Tools} tools
 */
function explained(error, plan, tools) {
  if (error instanceof Problem && error.code === "plan_out_of_date") {
    const again = (/** @type {Event} */ event) => makePlan(sameScope(plan.scope),
      /** @type {HTMLElement} */ (document.getElementById("plan-apply-result")),
      /** @type {HTMLButtonElement} */ (event.currentTarget), tools);
    return html`<div class="error" role="alert">
      <p>${error.message}</p>
      <p class="detail">方案制定之后，其中的干部或农户记录有了变动（新的联户、名额或农户信息变化等），这个方案已不能应用，也没有新建任何联户。
        请按同样的范围制定新方案，核对后再应用。</p>
      <button type="button" @click=${again}>按同样范围制定新方案</button>
    </div>`;
  }
  if (error instanceof Problem && error.code === "plan_already_applied") {
    return html`<div class="error" role="alert">
      <p>${error.message}</p>
      <p class="detail">这个方案已经应用过，不能重复应用；这次没有新建任何联户。</p>
      <button type="button" @click=${() => tools.refresh()}>重新加载</button>
    </div>`;
  }
  return refusal(error, () => tools.refresh());
}
