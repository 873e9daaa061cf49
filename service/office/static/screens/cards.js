// 连心卡 (SPEC §1 两个全覆盖, §16): a village's heart-link cards to print — the village picked
// (a unit admin: its unit's villages), how many cards and for whom, and 打印连心卡 opening
// the printable page (it needs the token: fetched, then opened from a blob: address).

import { html, render } from "../vendor/lit-html.js";
import { get } from "../api.js";
import { formValues, num, openPrinted, refusal, villageList } from "../ui.js";

/** 连心卡: pick a village, see its cards, print them. */
export async function cards(/** @type {import("../ui.js").Query} */ query,
                           /** @type {import("../ui.js").Tools} */ { me, go }) {
  const villages = await villageList(me);
  const id = num(query.village_id);
  const village = villages.find((v) => v.id === id);
  const pick = (/** @type {SubmitEvent} */ event) => go(formValues(event));
  const form = html`<form class="filters" aria-label="选择要打印的连心卡" @submit=${pick}>
    <label>村 <select name="village_id" required>
      <option value="">请选择</option>
      ${villages.map((v) => html`<option value=${v.id} ?selected=${v.id === id}>${
          v.township_name ? `${v.township_name} ` : ""}${v.name}</option>`)}
    </select></label>
    <button type="submit">查看</button>
  </form>`;
  if (id === undefined) {
    return html`${form}<p class="hint">选择一个村，查看并打印该村现有包联干部的农户的连心卡。</p>`;
  }
  let answer;
  try {
    answer = await get("/api/v1/villages/{village_id}/contact-cards",
                       { path: { village_id: id }, query: { format: "json" } });
  } catch (error) {
    return html`${form}${refusal(error)}`;
  }
  const name = village ? village.name : `村 ${id}`;
  const print = async () => {
    const host = /** @type {HTMLElement} */ (document.getElementById("cards-print"));
    render(html`正在生成连心卡…`, host);
    try {
      await openPrinted(`villages/${id}/contact-cards?format=html`);
      render(html`已在新标签页打开 ${name} 的 ${answer.cards.length} 张连心卡，请在该页打印（A4）。`, host);
    } catch (error) {
      render(refusal(error), host);
    }
  };
  const list = answer.cards;
  return html`${form}
    <section aria-labelledby="cards-title">
      <h2 id="cards-title">${name}：${list.length} 张连心卡</h2>
      ${list.length ? html`<p class="report-head">
          <button type="button" class="primary" @click=${print}>打印连心卡</button>
          <span id="cards-print" role="status"></span></p>`
        : html`<p class="hint">该村目前没有已包联干部的农户，没有可打印的连心卡。</p>`}
      ${list.length ? html`<table class="data cards-preview">
        <caption class="sr-only">${name} 连心卡预览</caption>
        <thead><tr><th scope="col">本村户号</th><th scope="col">联系户</th>
          <th scope="col">联系干部</th><th scope="col">干部单位</th>
          <th scope="col">干部电话</th><th scope="col">工作队长</th></tr></thead>
        <tbody>${list.map((c) => html`<tr>
          <td class="number">${c.household_no}</td><td>${c.household}</td>
          <td>${c.cadre ? c.cadre.name : html`<span class="warn">待确定</span>`}</td>
          <td>${c.cadre?.unit || ""}</td><td>${c.cadre?.phone || "—"}</td>
          <td>${c.team_leader || "—"}</td>
        </tr>`)}</tbody>
      </table>` : ""}
    </section>`;
}
