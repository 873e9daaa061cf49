// 农户 (SPEC §16): search by village, name or ID-number / phone fragment; a sortable, paged
// table with each household's cadre.

import { html } from "../vendor/lit-html.js";
import { get, label, loadLabels } from "../api.js";
import { PER_PAGE, formValues, num, pager, sortable, villageList } from "../ui.js";
import { remember } from "./household-back.js";

/** 农户: search by village, name or ID-number / phone fragment; a sortable, paged table. */
export async function households(/** @type {Record<string, any>} */ query,
                          /** @type {import("../ui.js").Tools} */ { me, go }) {
  remember("households", query);  // the household page's back link returns to this list
  const labels = await loadLabels();
  const [list, page] = await Promise.all([villageList(me), get("/api/v1/households", { query: {
    village_id: num(query.village_id), q: query.q || undefined, difficulty: query.difficulty || undefined,
    sort: query.sort, page: num(query.page) || 1, per_page: PER_PAGE } })]);
  const search = (/** @type {SubmitEvent} */ event) => go({ ...formValues(event), sort: query.sort, page: 1 });
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
        ${page.items.length ? page.items.map((h) => html`<tr>
          <td><a href="#/household?id=${h.id}">${h.head_name}</a></td>
          <td>${h.village_name}</td><td>${h.township_name}</td>
          <td>${label("difficulty", h.difficulty)}</td><td class="number">${h.members}</td>
          <td>${h.id_number}</td><td>${h.phone || ""}</td>
          <td>${h.cadre_name || html`<span class="warn">未包联</span>`}</td>
        </tr>`) : html`<tr><td colspan="8">没有符合条件的农户。</td></tr>`}
      </tbody>
    </table>
    ${pager(page, query, go, "户")}`;
}

