// 情况通报 (SPEC §6, §16): a month's bulletin — every unit ranked by its contact work: cadres,
// pairings and the share directly visited, the cadres with no direct visit named, demands and
// their resolution, the inspections' 知晓率 and 满意率 — and its CSV download.

import { html, render } from "../vendor/lit-html.js";
import { get, qs } from "../api.js";
import { download, formValues, months, refusal, when } from "../ui.js";

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A share as a percentage (null: nothing to count). @param {number | null} value */
export function percent(value) {
  return value === null || value === undefined ? "—" : `${(value * 100).toFixed(1)}%`;
}

/** 情况通报: the month's units ranked, and the CSV. */
export async function bulletin(/** @type {import("../ui.js").Query} */ query,
                               /** @type {import("../ui.js").Tools} */ { go }) {
  const now = months();
  const month = MONTH.test(query.month || "") ? query.month : now.last;
  const look = (/** @type {SubmitEvent} */ event) => go(formValues(event));
  const form = html`<form class="filters" role="search" aria-label="选择通报时间" @submit=${look}>
    <label>月份 <input type="month" name="month" .value=${month} max=${now.current}
           min="2000-01" required></label>
    <button type="submit">查看</button>
  </form>`;
  let report;
  try {
    report = await get("/api/v1/reports/bulletin", { query: { month } });
  } catch (error) {
    return html`${form}${refusal(error)}`;
  }
  const save = async () => {
    const host = /** @type {HTMLElement} */ (document.getElementById("bulletin-download"));
    render(html`正在准备下载…`, host);
    try {
      await download(`reports/bulletin${qs({ month, format: "csv" })}`, `情况通报-${month}.csv`);
      render(html`已下载 情况通报-${month}.csv。`, host);
    } catch (error) {
      render(refusal(error), host);
    }
  };
  return html`${form}
    <div class="report-head">
      <p>${report.complete ? `${month} 全月` : `${month} 尚未结束，数据截至 ${when(report.generated_at)}`}；
        共 ${report.units.length} 个单位，按联户直接走访率、诉求解决率排名。
        ${report.inspections_counted ? "" : "本月没有督查记录，知晓率、满意率暂缺。"}</p>
      <button type="button" @click=${save}>下载 CSV</button>
      <span id="bulletin-download" role="status"></span>
    </div>
    <table class="data report bulletin">
      <caption class="sr-only">${month} 情况通报：各单位排名</caption>
      <thead>
        <tr>
          <th scope="col" rowspan="2">名次</th><th scope="col" rowspan="2">单位</th>
          <th scope="col" rowspan="2">干部</th>
          <th scope="colgroup" colspan="3">联户</th>
          <th scope="col" rowspan="2">无直接走访的干部</th>
          <th scope="colgroup" colspan="4">群众诉求</th>
          <th scope="colgroup" colspan="2">督查</th>
        </tr>
        <tr>
          <th scope="col">总数</th><th scope="col">有直接走访</th><th scope="col">走访率</th>
          <th scope="col">新增</th><th scope="col">解决</th><th scope="col">解决率</th>
          <th scope="col">解决中位天数</th>
          <th scope="col">知晓率</th><th scope="col">满意率</th>
        </tr>
      </thead>
      <tbody>${report.units.length ? report.units.map((u) => html`<tr>
        <td class="number">${u.rank}</td><td>${u.unit}</td>
        <td class="number">${u.cadres}</td><td class="number">${u.pairings}</td>
        <td class="number">${u.pairings_visited}</td>
        <td class="number">${percent(u.visited_share)}</td>
        <td class="names">${u.cadres_without_direct_visit.length
          ? html`<span class="warn">${u.cadres_without_direct_visit.map((c) => c.cadre).join("、")}</span>`
          : "—"}</td>
        <td class="number">${u.demands_opened}</td><td class="number">${u.demands_resolved}</td>
        <td class="number">${percent(u.resolution_rate)}</td>
        <td class="number">${u.median_days_to_resolve ?? "—"}</td>
        <td class="number">${percent(u.knowledge_rate)}</td>
        <td class="number">${percent(u.satisfaction_rate)}</td>
      </tr>`) : html`<tr><td colspan="13">本月没有单位。</td></tr>`}</tbody>
    </table>`;
}
