// 首页 (SPEC §16): the overview of this month and the last, the villages the last month still
// lacks, and the last bulletin's first and last units.

import { html } from "../vendor/lit-html.js";
import { get } from "../api.js";
import { later, months } from "../ui.js";

/** The overview's figures, in the order a table shows them.
 * @type {Array<[keyof import("../../../../clients/office/api-types").Schema<"OverviewFigures">, string]>} */
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
export async function home(/** @type {Record<string, any>} */ _query, /** @type {import("../ui.js").Tools} */ { me }) {
  const { current, last } = months();
  const unit = me.role === "unit_admin" && me.unit_id !== null ? me.unit_id : undefined;
  // The bulletin ranks every unit of the county: the slowest answer, so it comes last.
  const bulletin = get("/api/v1/reports/bulletin", { query: { month: last } });
  const [now, before, status] = await Promise.all([
    get("/api/v1/reports/overview", { query: { month: current, unit_id: unit } }),
    get("/api/v1/reports/overview", { query: { month: last, unit_id: unit } }),
    get("/api/v1/disclosures/months/{month}", { path: { month: last } })]);
  const waiting = status.villages.filter((v) => v.status === "unpublished");
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
      ${waiting.length ? html`<p>${waiting.map((v) =>
          `${v.township_name}${v.village_name}`).join("、")}</p>` : html`<p>上月各村均已公示。</p>`}
    </section>
    <section aria-labelledby="bulletin-title">
      <h2 id="bulletin-title">上月情况通报（${last}）：前三名与后三名</h2>
      ${later(bulletin, ({ units }) => {
        const ends = units.length > 6 ? [...units.slice(0, 3), null, ...units.slice(-3)] : units;
        return html`<table class="data figures">
        <thead><tr><th scope="col">名次</th><th scope="col">单位</th>
          <th scope="col">联户</th><th scope="col">有直接走访</th></tr></thead>
        <tbody>${ends.map((u) => u ? html`<tr><td class="number">${u.rank}</td>
          <td>${u.unit}</td><td class="number">${u.pairings}</td>
          <td class="number">${u.pairings_visited}</td></tr>`
          : html`<tr><td colspan="4">…</td></tr>`)}</tbody>
      </table>`;
      })}
    </section>`;
}

