// 年度考核 (SPEC §6, §16): the year's evaluation of every paired cadre in county rank order,
// paged by the server and filtered by unit and township (the address keeps them; a unit admin
// sees its own unit's cadres), each score shown with its parts and the failure patterns of
// doc 003 found; and its CSV download.

import { html, render } from "../vendor/lit-html.js";
import { get, qs } from "../api.js";
import { PER_PAGE, download, formValues, months, num, pager, refusal, when } from "../ui.js";
import { percent } from "./bulletin.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"CadreEvaluation">} Row */
/** @typedef {import("../../../../clients/office/api-types").Schema<"Parts">} Parts */

/** The score's parts, in the order a row shows them, with their column words.
 * @type {Array<[keyof Parts, string]>} */
const PARTS = [["visits", "走访"], ["tasks", "任务"], ["demands", "诉求"],
               ["inspections", "督查"], ["patterns", "问题扣分"]];

/** 年度考核: the year's cadres ranked, their scores' parts, and the CSV. */
export async function evaluation(/** @type {import("../ui.js").Query} */ query,
                                 /** @type {import("../ui.js").Tools} */ { me, go }) {
  const now = months();
  const asked = num(query.year);
  const year = asked !== undefined && Number.isInteger(asked) ? asked : now.year;
  const county = me.role === "county_admin";
  const unit = county ? num(query.unit_id) : undefined;
  const township = num(query.township_id);
  const years = [...new Set([now.year, now.year - 1, now.year - 2, now.year - 3, now.year - 4,
                             year])].sort((a, b) => b - a);
  const [units, townships] = await Promise.all([
    county ? get("/api/v1/units", { query: { per_page: 500, sort: "name" } }) : null,
    get("/api/v1/townships", { query: { per_page: 500, sort: "code" } })]);
  const look = (/** @type {SubmitEvent} */ event) => go({ ...formValues(event), page: 1 });
  const form = html`<form class="filters" role="search" aria-label="筛选考核结果" @submit=${look}>
    <label>年度 <select name="year">${years.map((y) => html`<option value=${y}
        ?selected=${y === year}>${y} 年</option>`)}</select></label>
    ${units ? html`<label>单位 <select name="unit_id"><option value="">全部</option>
      ${units.items.map((u) => html`<option value=${u.id}
          ?selected=${u.id === unit}>${u.name}</option>`)}</select></label>` : ""}
    <label>乡镇 <select name="township_id"><option value="">全部</option>
      ${townships.items.map((t) => html`<option value=${t.id}
          ?selected=${t.id === township}>${t.name}</option>`)}</select></label>
    <button type="submit">查看</button>
  </form>`;
  const filters = { year, unit_id: unit, township_id: township };
  let report;
  try {
    report = await get("/api/v1/reports/evaluation", { query: {
      ...filters, page: num(query.page) || 1, per_page: PER_PAGE } });
  } catch (error) {
    return html`${form}${refusal(error)}`;
  }
  const save = async () => {
    const host = /** @type {HTMLElement} */ (document.getElementById("evaluation-download"));
    render(html`正在准备下载…`, host);
    try {
      await download(`reports/evaluation${qs({ ...filters, format: "csv" })}`,
                     `年度考核-${year}.csv`);
      render(html`已下载 年度考核-${year}.csv。`, host);
    } catch (error) {
      render(refusal(error), host);
    }
  };
  const w = report.weights;
  return html`${form}
    <div class="report-head">
      <p>${year} 年，统计至 ${report.through}（${when(report.computed_at)} 计算）。
        得分 = 走访 ${percent(w.visits)}、任务 ${percent(w.tasks)}、诉求 ${percent(w.demands)}、
        督查 ${percent(w.inspections)} 加权（缺项按其余权重折算），每发现一种问题扣
        ${Math.round(100 * w.pattern_penalty)} 分。</p>
      <button type="button" @click=${save}>下载 CSV</button>
      <span id="evaluation-download" role="status"></span>
    </div>
    <table class="data report evaluation">
      <caption class="sr-only">${year} 年度考核：干部排名</caption>
      <thead><tr>
        <th scope="col">县内排名</th><th scope="col">干部</th>
        <th scope="col">单位</th><th scope="col">得分</th><th scope="col">得分构成</th>
        <th scope="col">有直接走访月数</th><th scope="col">任务完成</th>
        <th scope="col">诉求解决</th><th scope="col">督查</th><th scope="col">走访问题</th>
      </tr></thead>
      <tbody>${report.cadres.length ? report.cadres.map(row)
        : html`<tr><td colspan="10">没有符合条件的干部。</td></tr>`}</tbody>
    </table>
    ${pager(report, query, go, "名干部")}`;
}

/** One cadre's row. @param {Row} c */
function row(c) {
  const p = c.patterns;
  const found = [
    p.bunched.found ? `临检前或月底突击走访（${Math.round(p.bunched.share * 100)}%）` : "",
    p.demand_led.found ? `群众上门后才走访（${Math.round(p.demand_led.share * 100)}%）` : "",
    p.long_gaps.found ? `长期未走访（最长 ${p.long_gaps.longest_gap_days} 天）` : "",
  ].filter(Boolean);
  return html`<tr>
    <td class="number"><span class="rank">${c.rank_in_county}</span>
      <span class="sub">单位内第 ${c.rank_in_unit}</span></td>
    <td>${c.cadre}</td><td class="unit">${c.unit || ""}</td>
    <td class="number score">${c.score.toFixed(1)}</td>
    <td><ul class="parts">${PARTS.map(([key, word]) => {
      const part = c.parts[key];
      return html`<li>${word} ${part.points === null ? "—" : part.points.toFixed(1)}</li>`;
    })}</ul></td>
    <td class="number">${c.months_with_direct_visit} / ${c.months_paired}
      <span class="sub">${c.direct_visits} 次</span></td>
    <td class="number">${c.tasks.total ? `${c.tasks.finished} / ${c.tasks.total}` : "—"}</td>
    <td class="number">${c.demands.total ? `${c.demands.resolved} / ${c.demands.total}` : "—"}
      ${c.demands.median_days !== null ? html`<span class="sub">中位 ${c.demands.median_days} 天</span>` : ""}</td>
    <td class="number">${c.inspections.checks ? html`知晓 ${percent(c.inspections.knowledge_rate)}
      <span class="sub">满意 ${percent(c.inspections.satisfaction_rate)}</span>` : "—"}</td>
    <td>${found.length ? html`<span class="warn">${found.join("；")}</span>`
      : html`无<span class="sub">最长间隔 ${p.long_gaps.longest_gap_days} 天</span>`}</td>
  </tr>`;
}
