// 农户详情 (SPEC §16): one household — its facts as the caller's role reads them, its cadre
// (an admin may end the pairing, after a confirmation that says what follows), its tasks and
// demands (the overdue ones marked), its visits and its timeline, each paged in the address.
// An admin edits it with the ETag it read (If-Match): a 412 says someone changed it since,
// with a button that reads it again.

import { html, render } from "../vendor/lit-html.js";
import { get, label, loadLabels, patch, post } from "../api.js";
import { confirmAction, formValues, num, readable, refusal, villageList, when } from "../ui.js";
import { backLink } from "./household-back.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"HouseholdOut">} Household */
/** @typedef {import("../../../../clients/office/api-types").Schema<"PairingOut">} Pairing */
/** @typedef {import("../../../../clients/office/api-types").Schema<"TaskOut">} Task */
/** @typedef {import("../../../../clients/office/api-types").Schema<"DemandOut">} Demand */
/** @typedef {import("../../../../clients/office/api-types").Schema<"VisitPage">} VisitPage */
/** @typedef {import("../../../../clients/office/api-types").Schema<"AuditPage">} AuditPage */
/** @typedef {import("../../../../clients/office/api-types").Schema<"AuditEventOut">} Event */
/** @typedef {NonNullable<import("../../../../clients/office/api-types").Body<"/api/v1/households/{household_id}", "patch">>} Changes */
/** @typedef {import("../ui.js").Query} Query */
/** @typedef {import("../ui.js").Tools} Tools */
/**
 * What the parts of the page share: the household as read (with its ETag), the address's
 * query, the shell's tools and the labels table.
 * @typedef {{h: Household & {etag?: string}, query: Query, tools: Tools,
 *            labels: Record<string, Record<string, string>>}} Page
 */

const VISITS_PER_PAGE = 10;
const EVENTS_PER_PAGE = 20;
const ADMINS = ["county_admin", "unit_admin"];

/** What the page says once after a save or an end, on its next showing. */
let notice = "";

/** 农户详情: one household with its cadre, tasks, demands, visits and timeline. */
export async function household(/** @type {Query} */ query, /** @type {Tools} */ tools) {
  const id = num(query.id);
  const back = backLink(query.from === "overdue" ? "overdue" : "households");
  if (!id) return html`${back}<p class="error" role="alert">没有指定农户。</p>`;
  const labels = await loadLabels();
  const path = { household_id: id };
  const [h, pairings, tasks, demands, visits, events] = await Promise.all([
    get("/api/v1/households/{household_id}", { path }),
    get("/api/v1/pairings", { query: { household_id: id, sort: "-started_on", per_page: 50 } }),
    get("/api/v1/tasks", { query: { household_id: id, sort: "due_on", per_page: 200 } }),
    get("/api/v1/demands", { query: { household_id: id, sort: "-opened_at", per_page: 200 } }),
    get("/api/v1/visits", { query: { household_id: id, sort: "-visited_at",
                                     page: num(query.vpage) || 1, per_page: VISITS_PER_PAGE } }),
    get("/api/v1/households/{household_id}/timeline", { path, query: {
      sort: "-at", page: num(query.tpage) || 1, per_page: EVENTS_PER_PAGE } })]);
  const admin = ADMINS.includes(tools.me.role);
  const editing = admin && query.edit === "1";
  const villages = editing ? await villageList(tools.me) : [];
  const told = notice;
  notice = "";
  /** @type {Page} */
  const page = { h, query, tools, labels };
  return html`
    ${back}
    <h2 class="household-title">${h.head_name}
      <span class="where">${h.township_name} · ${h.village_name}</span></h2>
    ${told ? html`<p class="notice" role="status">${told}</p>` : ""}
    <div class="household-top">
      ${editing ? editForm(page, villages) : facts(page, admin)}
      ${cadre(page, pairings.items, admin)}
    </div>
    ${taskTable(tasks.items)}
    ${demandTable(demands.items)}
    ${visitTable(visits, query, tools)}
    ${timeline(events, query, tools)}`;
}

/** Give the focus to an element once the page shows it (a keyboard user starts on the form
 * the button opened). @param {string} selector */
function focusWhenShown(selector) {
  let tries = 0;
  const look = () => {
    const element = /** @type {HTMLElement | null} */ (document.querySelector(selector));
    if (element) element.focus();
    else if (++tries < 120) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

/** The query without the edit mode. @param {Query} query */
function viewing(query) {
  const { edit: _edit, ...rest } = query;
  return rest;
}

/** The household's facts, as the role reads them. @param {Page} page @param {boolean} admin */
function facts({ h, query, tools }, admin) {
  const needs = h.needs.map((n) => label("need", n)).join("、");
  return html`<section class="facts" aria-labelledby="facts-title">
    <h3 id="facts-title">基本情况</h3>
    <dl>
      <dt>户主</dt><dd>${h.head_name}</dd>
      <dt>乡镇</dt><dd>${h.township_name}</dd>
      <dt>村</dt><dd>${h.village_name}</dd>
      <dt>身份证号</dt><dd>${h.id_number}</dd>
      <dt>联系电话</dt><dd>${h.phone || "—"}</dd>
      <dt>家庭人口</dt><dd>${h.members} 人</dd>
      <dt>困难程度</dt><dd>${label("difficulty", h.difficulty)}</dd>
      <dt>帮扶需求</dt><dd>${needs || "—"}</dd>
      <dt>人均年收入</dt>
      <dd>${h.income_per_capita == null ? "—" : `${h.income_per_capita} 元`}</dd>
      ${h.card_code ? html`<dt>连心卡编号</dt><dd>${h.card_code}</dd>` : ""}
    </dl>
    ${admin ? html`<button type="button"
        @click=${() => {
          tools.go({ ...viewing(query), edit: "1" });
          focusWhenShown("form.household-edit input");
        }}>修改信息</button>` : ""}
  </section>`;
}

/**
 * What the form changes, field by field (only what differs from the household as read; a
 * masked field is never sent).
 * @param {Household} h @param {FormData} data @returns {Changes}
 */
function changed(h, data) {
  /** @type {Changes} */
  const changes = {};
  const text = (/** @type {string} */ name) => String(data.get(name) ?? "").trim();
  if (text("head_name") !== h.head_name) changes.head_name = text("head_name");
  if (data.has("village_id") && Number(text("village_id")) !== h.village_id) {
    changes.village_id = Number(text("village_id"));
  }
  if (data.has("id_number") && text("id_number").toUpperCase() !== h.id_number) {
    changes.id_number = text("id_number").toUpperCase();
  }
  if (data.has("phone") && (text("phone") || null) !== h.phone) changes.phone = text("phone") || null;
  if (text("members") !== String(h.members)) changes.members = Number(text("members"));
  const difficulty = /** @type {Household["difficulty"]} */ (text("difficulty"));
  if (difficulty !== h.difficulty) changes.difficulty = difficulty;
  if (data.has("income_per_capita")) {
    const income = text("income_per_capita") === "" ? null : Number(text("income_per_capita"));
    if (income !== h.income_per_capita) changes.income_per_capita = income;
  }
  const needs = /** @type {Household["needs"]} */ (data.getAll("needs").map(String));
  if (needs.length !== h.needs.length || !needs.every((n) => h.needs.includes(n))) {
    changes.needs = needs;
  }
  return changes;
}

/**
 * The edit form: each field the API lets an admin change (a field masked for the role is not
 * offered). Values are bound as the inputs' defaults and the reload after a conflict resets
 * the form before reading the household again, so the form shows what the service holds now
 * even where the shell keeps the same form on the page.
 * @param {Page} page @param {Array<{id: number, name: string}>} villages
 */
function editForm({ h, query, tools, labels }, villages) {
  const masked = new Set(h.masked);
  /** @param {SubmitEvent} event */
  const save = async (event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const out = /** @type {HTMLElement} */ (form.querySelector(".result"));
    const changes = changed(h, new FormData(form));
    if (!Object.keys(changes).length) {
      render(html`<p class="notice" role="status">没有需要保存的修改。</p>`, out);
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    render(html`<p class="loading" role="status">正在保存…</p>`, out);
    try {
      await patch("/api/v1/households/{household_id}", changes,
                  { path: { household_id: h.id }, etag: h.etag || "" });
      notice = "已保存。";
      tools.go(viewing(query));
    } catch (error) {
      render(refusal(error, () => {
        render(html``, out);
        form.reset();
        tools.refresh();
        focusWhenShown("form.household-edit input");
      }), out);
    } finally {
      button.disabled = false;
    }
  };
  const options = (/** @type {string} */ kind) => Object.entries(labels[kind] || {});
  return html`<section class="facts" aria-labelledby="edit-title">
    <h3 id="edit-title">修改基本情况</h3>
    <form class="household-edit" @submit=${save} novalidate>
      <label>户主姓名 <input name="head_name" value=${h.head_name} maxlength="50"></label>
      <label>村 <select name="village_id">
        ${villages.map((v) => html`<option value=${v.id}
            ?selected=${v.id === h.village_id}>${v.name}</option>`)}
      </select></label>
      ${masked.has("id_number") ? "" : html`<label>身份证号 <input name="id_number"
          value=${h.id_number} maxlength="18" autocomplete="off"></label>`}
      ${masked.has("phone") ? "" : html`<label>联系电话 <input name="phone"
          value=${h.phone || ""} maxlength="11" inputmode="numeric" autocomplete="off"></label>`}
      <label>家庭人口 <input name="members" type="number" min="1" max="30"
          value=${h.members}></label>
      <label>困难程度 <select name="difficulty">
        ${options("difficulty").map(([code, word]) => html`<option value=${code}
            ?selected=${code === h.difficulty}>${word}</option>`)}
      </select></label>
      ${masked.has("income_per_capita") ? "" : html`<label>人均年收入（元） <input
          name="income_per_capita" type="number" min="0" step="0.01"
          value=${h.income_per_capita == null ? "" : h.income_per_capita}></label>`}
      <fieldset class="needs"><legend>帮扶需求</legend>
        ${options("need").map(([code, word]) => html`<label class="check"><input
            type="checkbox" name="needs" value=${code}
            ?checked=${h.needs.some((n) => n === code)}> ${word}</label>`)}
      </fieldset>
      <div class="actions">
        <button type="submit">保存</button>
        <button type="button" @click=${() => tools.go(viewing(query))}>取消</button>
      </div>
      <div class="result"></div>
    </form>
  </section>`;
}

/**
 * The household's cadre now (an admin may end the pairing) and the cadres it had before.
 * @param {Page} page @param {Pairing[]} pairings @param {boolean} admin
 */
function cadre({ h, tools }, pairings, admin) {
  const active = pairings.find((p) => p.active);
  const before = pairings.filter((p) => !p.active);
  /** @param {SubmitEvent} event */
  const end = async (event) => {
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const out = /** @type {HTMLElement} */ (form.querySelector(".result"));
    const { reason } = formValues(event);
    if (!active) return;
    if (!reason) {
      render(html`<p class="error" role="alert">请填写结束包联的原因。</p>`, out);
      /** @type {HTMLInputElement} */ (form.querySelector("input[name=reason]")).focus();
      return;
    }
    render(html``, out);
    const sure = await confirmAction({
      title: "结束包联",
      lines: [`干部：${active.cadre_name}（${active.unit_name}，${label("rank", active.cadre_rank)}）`,
              `农户：${h.head_name}（${h.township_name}${h.village_name}）`,
              `包联自 ${active.started_on} 起，今天结束；结束后该户成为未包联农户，需另行安排干部。`,
              `原因：${reason}`],
      confirm: "结束包联",
    });
    if (!sure) return;
    try {
      await post("/api/v1/pairings/{pairing_id}/end", { reason },
                 { path: { pairing_id: active.id } });
      notice = `已结束 ${active.cadre_name} 与本户的包联。`;
      tools.refresh();
    } catch (error) {
      render(refusal(error), out);
    }
  };
  return html`<section class="cadre" aria-labelledby="cadre-title">
    <h3 id="cadre-title">包联干部</h3>
    ${active ? html`<dl>
        <dt>干部</dt><dd>${active.cadre_name}（${label("rank", active.cadre_rank)}）</dd>
        <dt>单位</dt><dd>${active.unit_name}</dd>
        <dt>包联起始</dt><dd>${active.started_on}</dd>
        ${active.override_reason ? html`<dt>难度匹配例外</dt>
          <dd>${active.override_reason}</dd>` : ""}
      </dl>
      ${admin ? html`<form class="end-pairing" @submit=${end} novalidate>
        <label>结束原因 <input name="reason" maxlength="200" autocomplete="off"></label>
        <button type="submit" class="danger">结束包联</button>
        <div class="result"></div>
      </form>` : ""}`
    : html`<p class="uncovered"><strong class="warn">未包联</strong>：本户目前没有包联干部。</p>`}
    ${before.length ? html`<h4>以往包联</h4>
      <ul class="past">${before.map((p) => html`<li>${p.cadre_name}（${p.unit_name}）
        ${p.started_on} 至 ${p.ended_on}${p.end_reason ? `，${p.end_reason}` : ""}</li>`)}</ul>`
      : ""}
  </section>`;
}

/** Days overdue as a table cell shows them. @param {number | null} days */
function late(days) {
  return days == null ? "" : html`<span class="warn">逾期 ${days} 天</span>`;
}

/** The household's tasks, soonest due first. @param {Task[]} tasks */
function taskTable(tasks) {
  return html`<section aria-labelledby="tasks-title">
    <h3 id="tasks-title">包扶任务（${tasks.length}）</h3>
    <table class="data">
      <caption class="sr-only">本户的包扶任务</caption>
      <thead><tr><th scope="col">任务</th><th scope="col">说明</th><th scope="col">目标</th>
        <th scope="col">状态</th><th scope="col">到期日</th><th scope="col">逾期</th></tr></thead>
      <tbody>${tasks.length ? tasks.map((t) => html`<tr class=${t.days_overdue ? "late" : ""}>
          <td>${label("task_kind", t.category)}</td><td>${t.description}</td>
          <td>${t.target || ""}</td>
          <td>${label("task_status", t.status)}${t.closed_on
            ? html`<br><span class="muted">${t.closed_on} 关闭：${t.closed_reason}</span>` : ""}</td>
          <td>${t.due_on}</td><td>${late(t.days_overdue)}</td></tr>`)
        : html`<tr><td colspan="6">本户没有包扶任务。</td></tr>`}</tbody>
    </table>
  </section>`;
}

/** The household's demands, newest first. @param {Demand[]} demands */
function demandTable(demands) {
  return html`<section aria-labelledby="demands-title">
    <h3 id="demands-title">诉求（${demands.length}）</h3>
    <table class="data">
      <caption class="sr-only">本户的诉求</caption>
      <thead><tr><th scope="col">提出时间</th><th scope="col">类别</th><th scope="col">内容</th>
        <th scope="col">状态</th><th scope="col">受理干部</th><th scope="col">逾期</th></tr></thead>
      <tbody>${demands.length ? demands.map((d) => html`<tr class=${d.days_overdue ? "late" : ""}>
          <td>${when(d.opened_at)}</td><td>${label("demand_category", d.category)}</td>
          <td>${d.description}${d.resolution
            ? html`<br><span class="muted">办理结果：${d.resolution}</span>` : ""}</td>
          <td>${label("demand_status", d.status)}</td><td>${d.cadre_name || ""}</td>
          <td>${late(d.days_overdue)}</td></tr>`)
        : html`<tr><td colspan="6">本户没有诉求。</td></tr>`}</tbody>
    </table>
  </section>`;
}

/**
 * A pager whose page lives under its own key of the address (the page has two paged lists).
 * @param {{total: number, page: number, per_page: number}} page @param {string} key
 * @param {string} name the pager's label @param {string} unit what is counted
 * @param {Query} query @param {Tools} tools
 */
function pagerOf(page, key, name, unit, query, tools) {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  if (pages === 1) return html`<p class="count">共 ${page.total} ${unit}</p>`;
  return html`<nav class="pager" aria-label=${name}>
    <button type="button" ?disabled=${page.page <= 1}
            @click=${() => tools.go({ ...viewing(query), [key]: page.page - 1 })}>上一页</button>
    <span role="status">第 ${page.page} / ${pages} 页，共 ${page.total} ${unit}</span>
    <button type="button" ?disabled=${page.page >= pages}
            @click=${() => tools.go({ ...viewing(query), [key]: page.page + 1 })}>下一页</button>
  </nav>`;
}

/** The household's visits, latest first, a page at a time.
 * @param {VisitPage} visits @param {Query} query @param {Tools} tools */
function visitTable(visits, query, tools) {
  return html`<section aria-labelledby="visits-title">
    <h3 id="visits-title">走访记录</h3>
    <table class="data">
      <caption class="sr-only">本户的走访记录，最近的在前</caption>
      <thead><tr><th scope="col">走访时间</th><th scope="col">方式</th><th scope="col">干部</th>
        <th scope="col">民情日记</th><th scope="col">帮办事项</th><th scope="col">提示</th></tr></thead>
      <tbody>${visits.items.length ? visits.items.map((v) => html`<tr>
          <td>${when(v.visited_at)}</td>
          <td>${label("visit_kind", v.kind)}${v.direct ? "" : html`<br><span class="muted">不计为直接联系</span>`}</td>
          <td>${v.cadre_name}</td><td>${v.diary || ""}</td><td>${v.help_given || ""}</td>
          <td>${v.flags.map((f) => label("visit_flag", f)).join("、")}</td></tr>`)
        : html`<tr><td colspan="6">还没有走访记录。</td></tr>`}</tbody>
    </table>
    ${pagerOf(visits, "vpage", "走访记录翻页", "次", query, tools)}
  </section>`;
}

/** Which labels an audited field's values take, by the record it is of (values of other
 * fields are shown as they are). @param {string} record @param {string} field */
function valueKind(record, field) {
  if (field === "difficulty" || field === "rank") return field;
  if (field === "needs") return "need";
  if (field === "kind" && record === "visit") return "visit_kind";
  if (field === "status" && (record === "task" || record === "demand")) return `${record}_status`;
  if (field === "category") return record === "task" ? "task_kind" : record === "demand" ? "demand_category" : "";
  return "";
}

/** One value of a change as the timeline shows it.
 * @param {string} kind @param {unknown} value @returns {string} */
function shownValue(kind, value) {
  if (value == null || value === "") return "（空）";
  if (Array.isArray(value)) return value.map((/** @type {unknown} */ v) => shownValue(kind, v)).join("、") || "（空）";
  return readable(value, kind ? (code) => label(kind, code) : undefined);
}

/** An event's changes: field, before → after (a record made or deleted is the row itself,
 * shown in its table above). @param {Event} event */
function changes(event) {
  const entries = Object.entries(event.changes || {});
  if (!entries.length || event.action === "create" || event.action === "delete") return "";
  return html`<ul class="changes">${entries.map(([field, pair]) => {
    const kind = valueKind(event.record_type, field);
    const [before, after] = /** @type {unknown[]} */ (pair);
    return html`<li><span class="field" title=${field}>${label("field", field)}</span>：${shownValue(kind, before)} →
      ${shownValue(kind, after)}</li>`;
  })}</ul>`;
}

/** The household's story, newest first.
 * @param {AuditPage} events @param {Query} query @param {Tools} tools */
function timeline(events, query, tools) {
  return html`<section aria-labelledby="timeline-title">
    <h3 id="timeline-title">变更记录</h3>
    <table class="data timeline">
      <caption class="sr-only">本户及其包联、任务、诉求、走访的变更，最近的在前</caption>
      <thead><tr><th scope="col">时间</th><th scope="col">记录</th><th scope="col">操作</th>
        <th scope="col">操作人</th><th scope="col">内容</th></tr></thead>
      <tbody>${events.items.length ? events.items.map((e) => html`<tr>
          <td>${when(e.at)}</td><td>${label("record_type", e.record_type)}</td>
          <td>${label("audit_action", e.action)}</td><td>${e.actor}</td><td>${changes(e)}</td></tr>`)
        : html`<tr><td colspan="5">还没有变更记录。</td></tr>`}</tbody>
    </table>
    ${pagerOf(events, "tpage", "变更记录翻页", "条", query, tools)}
  </section>`;
}
