// 交接 (SPEC §16): a cadre's households, all of them, handed to another cadre of the same unit
// who has the free places for all and whose rank links their difficulty (R1, R4: the cadre's
// `free_places` and `matching_difficulty` say it, the server checks it again). The cadres not
// offered are listed with the reason; the handover is confirmed with the households that move;
// a refusal is shown in the server's words.

import { html, render } from "../vendor/lit-html.js";
import { get, label, loadLabels, post, qs } from "../api.js";
import { PER_PAGE, confirmAction, num, pager, refusal, sortable } from "../ui.js";
import { places } from "./coverage-places.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"CadreOut">} Cadre */
/** @typedef {import("../../../../clients/office/api-types").Schema<"PairingOut">} Pairing */

/** What the last handover did, shown once when the page shows again.
 * @type {{from: number, to: number, toName: string, moved: number} | null} */
let lastHandover = null;

/** 交接: pick the cadre who hands over (`?cadre_id=`), then the one who receives. */
export async function handover(/** @type {Record<string, any>} */ query,
                               /** @type {import("../ui.js").Tools} */ tools) {
  await loadLabels();
  const id = num(query.cadre_id);
  return id === undefined ? choose(query, tools) : handOver(id, query, tools);
}

/** Step 1: the cadres of the caller's scope, searched and filtered, to pick the one who gives. */
async function choose(/** @type {Record<string, any>} */ query,
                      /** @type {import("../ui.js").Tools} */ { me, go }) {
  const unitAdmin = me.role === "unit_admin";
  const [where, page] = await Promise.all([places(me), get("/api/v1/cadres", { query: {
    unit_id: unitAdmin ? undefined : num(query.unit_id), q: query.q || undefined,
    sort: query.sort || "unit_name,name", page: num(query.page) || 1, per_page: PER_PAGE } })]);
  const search = (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const data = new FormData(/** @type {HTMLFormElement} */ (event.currentTarget));
    go({ unit_id: String(data.get("unit_id") ?? ""), q: String(data.get("q") ?? "").trim(),
         sort: query.sort, page: 1 });
  };
  return html`
    <h2>第一步：选择交出联系户的干部</h2>
    <form class="filters" role="search" aria-label="查找干部" @submit=${search}>
      ${unitAdmin ? "" : html`<label>单位 <select name="unit_id">
        <option value="">全部</option>
        ${where.units.map((u) => html`<option value=${u.id} ?selected=${String(u.id) === query.unit_id}>${u.name}</option>`)}
      </select></label>`}
      <label>干部姓名或电话 <input name="q" type="search" maxlength="50" .value=${query.q || ""}></label>
      <button type="submit">查找</button>
    </form>
    <table class="data">
      <caption class="sr-only">干部列表</caption>
      <thead><tr>
        ${sortable("干部", "name", query, go)}
        ${sortable("单位", "unit_name", query, go)}
        ${sortable("职级", "rank", query, go)}
        <th scope="col">联系户 / 名额</th><th scope="col">交接</th>
      </tr></thead>
      <tbody>${page.items.length ? page.items.map((c) => html`<tr>
        <td>${c.name}</td><td>${c.unit_name}</td><td>${label("rank", c.rank)}</td>
        <td class="number">${c.active_households} / ${c.household_quota}</td>
        <td>${c.active_households
          ? html`<a href=${`#/handover${qs({ ...query, cadre_id: c.id })}`}>交接${c.name}的联系户</a>`
          : html`<span class="handover-muted">没有联系户</span>`}</td>
      </tr>`) : html`<tr><td colspan="5">没有符合条件的干部。</td></tr>`}</tbody>
    </table>
    ${pager(page, query, go, "名干部")}`;
}

/**
 * Why a cadre of the unit cannot take every household (empty: it can).
 * @param {Cadre} cadre @param {Pairing[]} moving @returns {string[]}
 */
function whyNot(cadre, moving) {
  const reasons = [];
  if (cadre.free_places < moving.length) {
    reasons.push(`空余名额 ${cadre.free_places} 个，不够接收 ${moving.length} 户`);
  }
  const other = [...new Set(moving.map((p) => p.difficulty))].filter((d) => d !== cadre.matching_difficulty);
  if (other.length) {
    reasons.push(`${label("rank", cadre.rank)}联系${label("difficulty", cadre.matching_difficulty)}的农户，`
      + `移交的农户中有${other.map((d) => label("difficulty", d)).join("、")}的`);
  }
  return reasons;
}

/** Step 2: the giver's households and the cadres of its unit who may receive them all. */
async function handOver(/** @type {number} */ id, /** @type {Record<string, any>} */ query,
                        /** @type {import("../ui.js").Tools} */ tools) {
  const [giver, pairings] = await Promise.all([
    get("/api/v1/cadres/{cadre_id}", { path: { cadre_id: id } }),
    get("/api/v1/pairings", { query: { cadre_id: id, active: true, per_page: 500, sort: "village_name,household_head_name" } })]);
  const moving = pairings.items;
  const overridden = moving.some((p) => p.override_reason);
  const unit = await get("/api/v1/cadres", { query: { unit_id: giver.unit_id, per_page: 500, sort: "rank,name" } });
  const others = unit.items.filter((c) => c.id !== giver.id);
  const offered = others.filter((c) => !whyNot(c, moving).length);
  const refused = others.filter((c) => whyNot(c, moving).length);
  const done = lastHandover && lastHandover.from === giver.id ? lastHandover : null;
  lastHandover = null;
  const back = { ...query, cadre_id: undefined };

  const submit = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const form = /** @type {HTMLFormElement} */ (event.currentTarget);
    const where = /** @type {HTMLElement} */ (form.querySelector(".handover-result"));
    const data = new FormData(form);
    const receiver = offered.find((c) => String(c.id) === String(data.get("to_cadre_id")));
    const reason = String(data.get("reason") ?? "").trim();
    if (!receiver || !reason) {
      render(html`<p class="error" role="alert">${!receiver ? "请选择接收干部。" : "请填写交接原因。"}</p>`, where);
      /** @type {HTMLElement | null} */ (form.querySelector(!receiver ? "input[name=to_cadre_id]" : "input[name=reason]"))?.focus();
      return;
    }
    render(html``, where);
    const sure = await confirmAction({
      title: `把 ${giver.name} 的 ${moving.length} 户联系户移交给 ${receiver.name}`,
      lines: [
        html`以下 ${moving.length} 户改由 ${receiver.name}（${label("rank", receiver.rank)}）联系：
          <ul>${moving.map((p) => html`<li>${p.household_head_name}（${p.village_name}，${label("difficulty", p.difficulty)}）</li>`)}</ul>`,
        `${giver.name} 的这 ${moving.length} 条联户今天结束，结束原因记为“交接: ${reason}”；历史记录保留。`,
        `${receiver.name} 的联系户由 ${receiver.active_households} 户增至 ${receiver.active_households + moving.length} 户（名额 ${receiver.household_quota} 户）。`,
      ],
      confirm: `移交 ${moving.length} 户`,
    });
    if (!sure) {
      render(html`<p role="status">已取消，联系户没有变化。</p>`, where);
      return;
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    render(html`<p role="status"><progress aria-label="正在交接"></progress> 正在交接 ${moving.length} 户，请稍候…</p>`, where);
    try {
      const answer = await post("/api/v1/cadres/{cadre_id}/handover", { to_cadre_id: receiver.id, reason },
                                { path: { cadre_id: giver.id } });
      lastHandover = { from: giver.id, to: receiver.id, toName: receiver.name, moved: answer.moved.length };
      tools.refresh();
    } catch (error) {
      button.disabled = false;
      render(html`${refusal(error)}<div class="error-next">
        <p>没有移交任何联系户。名单可能已经过时（例如接收干部刚有了新的联系户），请重新加载后再选择。</p>
        <button type="button" @click=${() => tools.refresh()}>重新加载</button></div>`, where);
    }
  };

  return html`
    <p class="plan-back"><a href=${`#/handover${qs(back)}`}>← 重新选择干部</a></p>
    ${done ? html`<p role="status" class="plan-done">已将 ${done.moved} 户联系户移交给 ${done.toName}。
      <a href=${`#/handover${qs({ ...back, cadre_id: done.to })}`}>查看 ${done.toName} 的联系户</a></p>` : ""}
    <section aria-labelledby="handover-giver">
      <h2 id="handover-giver">交出：${giver.name}（${giver.unit_name}，${label("rank", giver.rank)}）</h2>
      ${moving.length ? html`<table class="data handover-moving">
        <caption>${giver.name} 现有联系户 ${moving.length} 户</caption>
        <thead><tr><th scope="col">户主</th><th scope="col">村</th><th scope="col">困难程度</th>
          <th scope="col">包联开始</th>${overridden ? html`<th scope="col">难度例外理由</th>` : ""}</tr></thead>
        <tbody>${moving.map((p) => html`<tr>
          <td><a href=${`#/household?id=${p.household_id}`}>${p.household_head_name}</a></td>
          <td>${p.village_name}</td><td>${label("difficulty", p.difficulty)}</td>
          <td>${p.started_on}</td>${overridden ? html`<td>${p.override_reason || ""}</td>` : ""}</tr>`)}</tbody>
      </table>` : html`<p>${giver.name} 目前没有联系户，无需交接。</p>`}
    </section>
    ${moving.length ? html`<section aria-labelledby="handover-receiver">
      <h2 id="handover-receiver">第二步：选择接收干部</h2>
      <form class="handover-form" @submit=${submit} novalidate>
        <fieldset>
          <legend>接收干部（${giver.unit_name}中空余名额够 ${moving.length} 户、职级与农户困难程度相符的干部）</legend>
          ${offered.length ? offered.map((c) => html`<label class="choice">
            <input type="radio" name="to_cadre_id" value=${c.id} required>
            ${c.name}（${label("rank", c.rank)}，联系户 ${c.active_households} / ${c.household_quota}，空余 ${c.free_places} 个）
          </label>`) : html`<p class="warn">本单位没有能接收全部 ${moving.length} 户的干部。可先为接收的干部腾出名额，或请县级管理员另行安排。</p>`}
        </fieldset>
        ${refused.length ? html`<details class="handover-refused">
          <summary>本单位其他 ${refused.length} 名干部不能接收的原因</summary>
          <table class="data">
            <caption class="sr-only">不能接收的干部及原因</caption>
            <thead><tr><th scope="col">干部</th><th scope="col">职级</th><th scope="col">联系户 / 名额</th>
              <th scope="col">原因</th></tr></thead>
            <tbody>${refused.map((c) => html`<tr><td>${c.name}</td><td>${label("rank", c.rank)}</td>
              <td class="number">${c.active_households} / ${c.household_quota}</td>
              <td>${whyNot(c, moving).join("；")}</td></tr>`)}</tbody>
          </table></details>` : ""}
        ${offered.length ? html`<label class="handover-reason">交接原因
          <input name="reason" required maxlength="200" placeholder="如：工作调动"></label>
        <button type="submit" class="danger">交接…</button>` : ""}
        <div class="handover-result"></div>
      </form>
    </section>` : ""}`;
}
