// 每月公示 (SPEC §6, §15, §16): where every village of a month stands (published, unpublished,
// no unit: the server's publication_status), filtered by township and status in the address;
// 公示本月 township by township with its progress and result (county admin); each village's
// A4 page to print; a correction published with its reason (county admin).

import { html, render } from "../vendor/lit-html.js";
import { get, label, loadLabels, post, qs } from "../api.js";
import { confirmAction, formValues, months as calendar, num, publicAddress, refusal, when }
  from "../ui.js";
import { correct } from "./months-correction.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"MonthVillage">} Village */
/** @typedef {import("../../../../clients/office/api-types").Schema<"Problem">} Problem */

/** What the last publication (of the month, or a correction) did, shown once after the
 * screen reloads its table. @type {{month: string, body: unknown} | null} */
let notice = null;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** 每月公示: a month's villages and their status; publish, print, correct. */
export async function months(/** @type {import("../ui.js").Query} */ query,
                             /** @type {import("../ui.js").Tools} */ tools) {
  const { me } = tools;
  const now = calendar();
  const month = MONTH.test(query.month || "") ? query.month : now.last;
  const labels = await loadLabels();
  const shown = notice && notice.month === month ? notice.body : "";
  notice = null;
  /** @type {Awaited<ReturnType<typeof status>>} */
  let answer;
  try {
    answer = await status(month);
  } catch (error) {
    return html`${filters(query, month, now.current, labels, [], tools)}${refusal(error)}`;
  }
  const townships = townshipsOf(answer.villages);
  const township = num(query.township_id);
  const inTownship = answer.villages.filter((v) => township === undefined
                                                   || v.township_id === township);
  const rows = inTownship.filter((v) => !query.status || v.status === query.status);
  const counts = countOf(inTownship);
  const county = me.role === "county_admin";
  const complete = month < now.current;
  const due = inTownship.filter((v) => v.status === "unpublished");
  const where = township === undefined ? "" : townships.find((t) => t.id === township)?.name || "";
  return html`
    ${filters(query, month, now.current, labels, townships, tools)}
    ${shown ? html`<section id="months-result" class="months-result" tabindex="-1"
        aria-labelledby="months-result-title">${shown}</section>` : ""}
    <section aria-labelledby="months-counts-title">
      <h2 id="months-counts-title">${month} ${where || "各村"}公示情况</h2>
      <p class="months-counts">共 ${counts.total} 个村：${Object.keys(labels.publication_status).map((code) => html`<span
          class="months-chip months-${code}">${label("publication_status", code)}
          <strong>${counts.by[code] || 0}</strong></span>`)}</p>
      ${county ? publishBar(month, complete, due, where, counts, tools) : ""}
      <div id="months-progress" class="months-progress" role="status"></div>
    </section>
    <table class="data months">
      <caption class="sr-only">${month} 各村公示情况${query.status
        ? `（${label("publication_status", query.status)}）` : ""}</caption>
      <thead><tr>
        <th scope="col">乡镇</th><th scope="col">村</th><th scope="col">状态</th>
        <th scope="col">版本</th><th scope="col">公示时间</th><th scope="col">校验码</th>
        <th scope="col">公示页</th>${county ? html`<th scope="col">更正</th>` : ""}
      </tr></thead>
      <tbody>${rows.length ? rows.map((v) => row(v, month, county, complete, tools))
        : html`<tr><td colspan=${county ? 8 : 7}>没有符合条件的村。</td></tr>`}</tbody>
    </table>`;
}

/** The month's villages in the caller's scope. @param {string} month */
function status(month) {
  return get("/api/v1/disclosures/months/{month}", { path: { month } });
}

/** The filters: month, township, status; they go to the address.
 * @param {import("../ui.js").Query} query @param {string} month @param {string} current
 * @param {Record<string, Record<string, string>>} labels
 * @param {Array<{id: number, name: string}>} townships @param {import("../ui.js").Tools} tools */
function filters(query, month, current, labels, townships, { go }) {
  const look = (/** @type {SubmitEvent} */ event) => go(formValues(event));
  return html`<form class="filters" role="search" aria-label="公示情况筛选" @submit=${look}>
    <label>月份 <input type="month" name="month" .value=${month} max=${current}
           min="2000-01" required></label>
    <label>乡镇 <select name="township_id">
      <option value="">全部</option>
      ${townships.map((t) => html`<option value=${t.id}
          ?selected=${String(t.id) === query.township_id}>${t.name}</option>`)}
    </select></label>
    <label>状态 <select name="status">
      <option value="">全部</option>
      ${Object.entries(labels.publication_status).map(([code, word]) => html`<option
          value=${code} ?selected=${code === query.status}>${word}</option>`)}
    </select></label>
    <button type="submit">查看</button>
  </form>`;
}

/** The townships of the villages listed, in the server's order. @param {Village[]} villages */
function townshipsOf(villages) {
  /** @type {Map<number, string>} */
  const seen = new Map();
  for (const v of villages) if (!seen.has(v.township_id)) seen.set(v.township_id, v.township_name);
  return [...seen].map(([id, name]) => ({ id, name }));
}

/** How many villages stand where. @param {Village[]} villages */
function countOf(villages) {
  /** @type {Record<string, number>} */
  const by = {};
  for (const v of villages) by[v.status] = (by[v.status] || 0) + 1;
  return { total: villages.length, by };
}

/** One village: where it stands, its A4 page, and (county admin) its correction.
 * @param {Village} v @param {string} month @param {boolean} county @param {boolean} complete
 * @param {import("../ui.js").Tools} tools */
function row(v, month, county, complete, tools) {
  const place = `${v.township_name}${v.village_name}`;
  const page = v.status === "published"
    ? html`<a href=${publicAddress(`disclosures/${v.disclosure_id}?format=html`)}
              target="_blank" rel="noopener" aria-label=${`A4 公示页：${place}`}>A4 公示页</a>`
    : v.status === "unpublished"
      ? html`<a href=${publicAddress(`reports/disclosure${qs({ village_id: v.village_id, month,
                format: "html" })}`)} target="_blank" rel="noopener"
                aria-label=${`预览（未公示）：${place}`}>预览（未公示）</a>`
      : "";
  const fix = () => correct(v, month).then((done) => {
    if (!done) return;
    notice = { month, body: html`<h2 id="months-result-title">已发布更正</h2>
      <p>${place} ${month} 的公示已更正为第 ${done.revision} 版（校验码
        ${done.sha256.slice(0, 16)}）；第 ${done.revision - 1} 版保留可查。</p>` };
    showAgain(tools);
  });
  return html`<tr>
    <td>${v.township_name}</td><td>${v.village_name}</td>
    <td><span class="months-chip months-${v.status}">${label("publication_status", v.status)}</span></td>
    <td class="number">${v.revision ? `第 ${v.revision} 版` : ""}</td>
    <td>${when(v.published_at)}</td>
    <td><code>${v.sha256 ? v.sha256.slice(0, 16) : ""}</code></td>
    <td>${page}</td>
    ${county ? html`<td>${v.status === "published" && complete ? html`<button type="button"
        class="small" aria-label=${`发布更正：${place}`} @click=${fix}>发布更正</button>` : ""}</td>`
      : ""}
  </tr>`;
}

/** 公示本月 (county admin), or why it cannot be done now.
 * @param {string} month @param {boolean} complete @param {Village[]} due @param {string} where
 * @param {{total: number, by: Record<string, number>}} counts @param {import("../ui.js").Tools} tools */
function publishBar(month, complete, due, where, counts, tools) {
  if (!complete) return html`<p class="hint">${month} 尚未结束，月底后才能公示。</p>`;
  if (!due.length) return html`<p class="hint">${where || "全县"}没有待公示的村。</p>`;
  const townships = townshipsOf(due);
  const start = async (/** @type {Event} */ event) => {
    const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
    const yes = await confirmAction({
      title: `公示 ${month}`,
      lines: [
        `将公示 ${where || "全县"} ${townships.length} 个乡镇的 ${due.length} 个村 ${month} 的情况。`,
        "公示一经发布即冻结存证，永远不能修改；如有错误，只能另行发布更正版本，原版本仍可查看。",
        ...(counts.by.no_unit ? [`无包村单位的 ${counts.by.no_unit} 个村没有可公示的内容，不公示。`] : []),
        ...(counts.by.published ? [`已公示的 ${counts.by.published} 个村不受影响。`] : []),
      ],
      confirm: `公示 ${due.length} 个村`,
    });
    if (!yes) return;
    button.disabled = true;
    await publishMonth(month, townships, due, tools);
  };
  return html`<p><button type="button" class="danger" @click=${start}>公示本月</button>
    <span class="hint">待公示 ${due.length} 个村，涉及 ${townships.length} 个乡镇</span></p>`;
}

/** Publish the month one township at a time (a call that runs out of time lists what it did
 * not reach as pending: it is called again), showing how far it got; then the result.
 * @param {string} month @param {Array<{id: number, name: string}>} townships
 * @param {Village[]} due @param {import("../ui.js").Tools} tools */
async function publishMonth(month, townships, due, tools) {
  const host = /** @type {HTMLElement} */ (document.getElementById("months-progress"));
  /** @type {{published: number[], already: number[], failed: Array<{village_id: number, problem: Problem}>, pending: number[]}} */
  const done = { published: [], already: [], failed: [], pending: [] };
  /** @type {unknown} */
  let stopped = null;
  for (const [n, township] of townships.entries()) {
    render(html`<p>正在公示：${township.name}（${n} / ${townships.length} 个乡镇已完成）</p>
      <progress max=${townships.length} .value=${n} aria-label="公示进度"></progress>`, host);
    try {
      let answer = null;
      for (let round = 0; round < 20 && (!answer || answer.pending.length); round += 1) {
        answer = await post("/api/v1/disclosures/months/{month}", { township_id: township.id },
                            { path: { month } });
        done.published.push(...answer.published.map((p) => p.village_id));
        done.failed.push(...answer.failed);
      }
      if (answer) {
        done.already.push(...answer.already.map((p) => p.village_id)
          .filter((id) => !done.published.includes(id)));
        done.pending.push(...answer.pending.map((p) => p.village_id));
      }
    } catch (error) {
      stopped = error;
      break;
    }
  }
  render(stopped ? "" : html`<p>已完成。</p>`, host);
  // A village refused in one round and tried again in the next is told once, with its last word.
  done.failed = [...new Map(done.failed.map((f) => [f.village_id, f])).values()]
    .filter((f) => !done.published.includes(f.village_id));
  const names = new Map(due.map((v) => [v.village_id, `${v.township_name}${v.village_name}`]));
  const name = (/** @type {number} */ id) => names.get(id) || `村 ${id}`;
  notice = { month, body: html`<h2 id="months-result-title">${month} 公示结果</h2>
    <p>本次公示 <strong>${done.published.length}</strong> 个村；此前已公示（跳过）
      ${done.already.length} 个；失败 ${done.failed.length} 个${done.pending.length
        ? `；未完成 ${done.pending.length} 个（可再次点击“公示本月”继续）` : ""}。</p>
    ${done.failed.length ? html`<ul class="months-failed">${done.failed.map((f) => html`<li>
      ${name(f.village_id)}：${f.problem.detail || f.problem.title}</li>`)}</ul>` : ""}
    ${stopped ? html`<p>公示中途停止，已公示的村不受影响，可再次点击“公示本月”继续：</p>
      ${refusal(stopped)}` : ""}` };
  showAgain(tools);
}

/** Read the screen again (its table now shows what was published) and take the focus to the
 * result, so a keyboard or screen-reader user hears it. @param {import("../ui.js").Tools} tools */
function showAgain(tools) {
  tools.refresh();
  const started = Date.now();
  const look = () => {
    const result = document.getElementById("months-result");
    if (result && !document.querySelector("#screen .loading")) result.focus();
    else if (Date.now() - started < 15_000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}
