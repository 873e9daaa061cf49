// 花名册导入 (SPEC §10, §16; county admin): the household roster or the cadre roster (`kind` in
// the address). Download the template, choose a file, check it with a dry run (the row errors
// as the server words them, capped as it caps them), then import it after a confirmation that
// says how many records it creates and updates, and see those records.
// The file and the answers are this page's own (a file cannot live in the address): they are
// kept in a section the screen renders itself, beside the address's state.

import { html, render } from "../vendor/lit-html.js";
import { Problem, get, label, post } from "../api.js";
import { PER_PAGE, confirmAction, download, refusal, said } from "../ui.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"ImportOut">} ImportOut */
/** @typedef {import("../../../../clients/office/api-types").Schema<"RowProblem">} RowProblem */

/** What each roster is: its words on this page and where its template comes from. */
const KINDS = {
  households: { title: "农户花名册", unit: "户", noun: "农户", template: "农户花名册导入模板.xlsx" },
  cadres: { title: "干部名册", unit: "名干部", noun: "干部", template: "干部名册导入模板.xlsx" },
};

/**
 * The roster as the service answers an upload of it.
 * @param {"households" | "cadres"} kind @param {File} file @param {boolean} dryRun
 * @returns {Promise<ImportOut>}
 */
function upload(kind, file, dryRun) {
  const form = new FormData();
  form.append("file", file, file.name);
  const query = { query: { dry_run: dryRun } };
  return kind === "cadres" ? post("/api/v1/imports/cadres", form, query)
    : post("/api/v1/imports/households", form, query);
}

/** 花名册导入: template, upload, dry run with row errors, import, created and updated. */
export async function imports(/** @type {Record<string, any>} */ query,
                              /** @type {import("../ui.js").Tools} */ { go }) {
  const kind = query.kind === "cadres" ? "cadres" : "households";
  const what = KINDS[kind];
  const host = document.createElement("div");
  host.className = "screen-imports";
  /**
   * Where the page is: `checked` is a clean dry run of `file` (the import may follow),
   * `rows` a file's row problems, `done` an import's answer.
   * @type {{file: File | null, busy: string, checked: ImportOut | null, done: ImportOut | null,
   *         rows: {items: RowProblem[], total: number, detail: string} | null, error: unknown,
   *         notice: string}}
   */
  const state = { file: null, busy: "", checked: null, done: null, rows: null, error: null,
                  notice: "" };
  const paint = () => render(page(), host);
  /** Focus a result's heading once it shows, so a keyboard user starts there. */
  const focus = (/** @type {string} */ id) => {
    /** @type {HTMLElement | null} */ (host.querySelector(`#${id}`))?.focus();
  };

  const choose = (/** @type {Event} */ event) => {
    const input = /** @type {HTMLInputElement} */ (event.currentTarget);
    Object.assign(state, { file: input.files?.[0] || null, checked: null, done: null,
                           rows: null, error: null, notice: "" });
    paint();
  };

  /** What a refused upload shows: the rows it names, or the refusal itself. */
  const refused = (/** @type {unknown} */ error) => {
    if (error instanceof Problem && error.code === "import_rows_invalid") {
      const items = /** @type {RowProblem[]} */ (error.body.rows || []);
      state.rows = { items, total: Number(error.body.rows_total ?? items.length),
                     detail: said(error) };
    } else state.error = error;
  };

  const check = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    if (!state.file) {
      state.notice = "请先选择花名册文件（.xlsx 或 .csv）。";
      paint();
      return;
    }
    Object.assign(state, { busy: `正在校验“${state.file.name}”…`, checked: null, done: null,
                           rows: null, error: null, notice: "" });
    paint();
    try {
      state.checked = await upload(kind, state.file, true);
    } catch (error) {
      refused(error);
    }
    state.busy = "";
    paint();
    focus("check-title");
  };

  const run = async () => {
    const checked = state.checked;
    const file = state.file;
    if (!checked || !file) return;
    const sure = await confirmAction({
      title: `导入${what.title}`,
      lines: [`文件“${file.name}”，共 ${checked.rows} 行。`,
        `将新建 ${checked.created} ${what.unit}，更新 ${checked.updated} ${what.unit}；` +
          `${checked.unchanged} ${what.unit}没有变化，不会改动。`,
        "导入时每一行都会再校验一次；有任何一行不对，整个文件都不会写入。"],
      confirm: "导入",
    });
    if (!sure) return;
    Object.assign(state, { busy: `正在导入“${file.name}”的 ${checked.rows} 行，请稍候…`,
                           rows: null, error: null });
    paint();
    try {
      state.done = await upload(kind, file, false);
      state.checked = null;
    } catch (error) {
      state.checked = null;
      refused(error);
    }
    state.busy = "";
    paint();
    focus(state.done ? "done-title" : "check-title");
  };

  const page = () => html`
    <div class="imports-kinds" role="group" aria-label="花名册类别">
      ${Object.entries(KINDS).map(([code, k]) => html`<button type="button"
          aria-pressed=${code === kind ? "true" : "false"}
          @click=${() => go({ kind: code === "households" ? undefined : code })}>${k.title}</button>`)}
    </div>
    <section aria-labelledby="template-title">
      <h2 id="template-title">第一步：下载模板，按模板填写</h2>
      <p class="hint">模板第一张表是要导入的表头；“示例”表只作参考，不会导入。</p>
      <button type="button" @click=${async () => {
        try {
          await download(`imports/${kind}/template`, what.template);
        } catch (error) {
          state.error = error;
          paint();
        }
      }}>下载模板（${what.title}）</button>
    </section>
    <section aria-labelledby="upload-title">
      <h2 id="upload-title">第二步：选择文件并校验</h2>
      <form class="imports-upload" @submit=${check}>
        <label>花名册文件（.xlsx 或 .csv）
          <input type="file" name="file" accept=".xlsx,.csv" @change=${choose}
                 ?disabled=${Boolean(state.busy)}></label>
        <button type="submit" ?disabled=${Boolean(state.busy)}>校验（试导入）</button>
      </form>
      <p class="hint">校验只检查、不写入；校验无误后才能导入。</p>
    </section>
    <p class="imports-busy" role="status">${state.busy ? html`<span class="spinner"
        aria-hidden="true"></span>${state.busy}` : ""}</p>
    ${state.notice ? html`<p class="error" role="alert">${state.notice}</p>` : ""}
    ${state.error ? refusal(state.error) : ""}
    ${state.rows ? problems(state.rows) : ""}
    ${state.checked ? checkedPanel(state.checked) : ""}
    ${state.done ? donePanel(state.done) : ""}`;

  /** A dry run's clean answer, and the import it allows. @param {ImportOut} checked */
  const checkedPanel = (checked) => html`
    <section aria-labelledby="check-title" class="imports-result">
      <h2 id="check-title" tabindex="-1">校验通过：共 ${checked.rows} 行，没有发现问题</h2>
      ${counts(checked, "将")}
      <button type="button" class="danger" ?disabled=${Boolean(state.busy) || checked.rows === 0}
              @click=${run}>导入</button>
      ${checked.rows === 0 ? html`<p class="hint">文件里没有数据行，无需导入。</p>` : ""}
    </section>`;

  /** @param {{items: RowProblem[], total: number, detail: string}} rows */
  const problems = (rows) => html`
    <section aria-labelledby="check-title" class="imports-result">
      <h2 id="check-title" tabindex="-1">发现 ${rows.total} 处问题，没有写入任何数据</h2>
      <div class="error" role="alert"><p>${rows.detail}</p></div>
      ${rows.total > rows.items.length ? html`<p>下表只列出前 ${rows.items.length} 处（共
        ${rows.total} 处）。</p>` : ""}
      <table class="data imports-problems">
        <caption class="sr-only">文件中的问题</caption>
        <thead><tr><th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th></tr></thead>
        <tbody>${rows.items.map((p) => html`<tr><td class="number">${p.row}</td>
          <td>${p.column}</td><td>${p.message}</td></tr>`)}</tbody>
      </table>
    </section>`;

  /** @param {ImportOut} done */
  const donePanel = (done) => {
    const list = document.createElement("div");
    const tables = html`
      <section aria-labelledby="done-title" class="imports-result">
        <h2 id="done-title" tabindex="-1">导入完成：共 ${done.rows} 行</h2>
        ${counts(done, "已")}
        ${list}
      </section>`;
    records(list, done);
    return tables;
  };

  /** The counts of an answer. @param {ImportOut} answer @param {string} verb 将 or 已 */
  const counts = (answer, verb) => html`<ul class="imports-counts">
    <li>${verb}新建 <strong>${answer.created}</strong> ${what.unit}</li>
    <li>${verb}更新 <strong>${answer.updated}</strong> ${what.unit}</li>
    <li><strong>${answer.unchanged}</strong> ${what.unit}没有变化</li></ul>`;

  /** The records an import created and updated, read with ids= a page at a time.
   * @param {HTMLElement} into @param {ImportOut} done */
  const records = (into, done) => {
    /** @type {Record<string, number>} */
    const pages = { created: 1, updated: 1 };
    /** @type {Record<string, unknown>} */
    const shown = { created: "", updated: "" };
    const draw = () => render(html`
      ${done.created_ids.length ? html`<h3>新建的${what.noun}（${done.created_ids.length}）</h3>
        ${shown.created}` : ""}
      ${done.updated_ids.length ? html`<h3>更新的${what.noun}（${done.updated_ids.length}）</h3>
        ${shown.updated}` : ""}`, into);
    const load = async (/** @type {"created" | "updated"} */ which) => {
      const ids = which === "created" ? done.created_ids : done.updated_ids;
      const total = ids.length;
      const at = pages[which];
      const title = `${which === "created" ? "新建" : "更新"}的${what.noun}`;
      const slice = ids.slice((at - 1) * PER_PAGE, at * PER_PAGE);
      shown[which] = html`<p class="loading" role="status">正在加载…</p>`;
      draw();
      try {
        shown[which] = html`${await table(slice, title)}
          ${total > PER_PAGE ? localPager(at, total, title,
                                          (n) => { pages[which] = n; load(which); }) : ""}`;
      } catch (error) {
        shown[which] = refusal(error, () => load(which));
      }
      draw();
    };
    draw();
    if (done.created_ids.length) load("created");
    if (done.updated_ids.length) load("updated");
  };

  /** One page of records, in the file's order. @param {number[]} ids @param {string} title */
  const table = async (ids, title) => {
    if (kind === "cadres") {
      const answer = await get("/api/v1/cadres", { query: { ids: ids.join(","), per_page: PER_PAGE } });
      const byId = new Map(answer.items.map((c) => [c.id, c]));
      return html`<table class="data"><caption class="sr-only">${title}</caption>
        <thead><tr><th scope="col">姓名</th><th scope="col">单位</th><th scope="col">职级</th>
          <th scope="col">电话</th></tr></thead>
        <tbody>${ids.map((id) => byId.get(id)).map((c) => c ? html`<tr><td>${c.name}</td>
          <td>${c.unit_name}</td><td>${label("rank", c.rank)}</td><td>${c.phone || ""}</td></tr>`
          : "")}</tbody></table>`;
    }
    const answer = await get("/api/v1/households", { query: { ids: ids.join(","), per_page: PER_PAGE } });
    const byId = new Map(answer.items.map((h) => [h.id, h]));
    return html`<table class="data"><caption class="sr-only">${title}</caption>
      <thead><tr><th scope="col">户主</th><th scope="col">村</th><th scope="col">乡镇</th>
        <th scope="col">困难程度</th><th scope="col">人口</th><th scope="col">包联干部</th></tr></thead>
      <tbody>${ids.map((id) => byId.get(id)).map((h) => h ? html`<tr>
        <td><a href="#/household?id=${h.id}">${h.head_name}</a></td>
        <td>${h.village_name}</td><td>${h.township_name}</td>
        <td>${label("difficulty", h.difficulty)}</td><td class="number">${h.members}</td>
        <td>${h.cadre_name || html`<span class="warn">未包联</span>`}</td></tr>` : "")}</tbody>
    </table>`;
  };

  paint();
  return html`${host}`;
}

/**
 * A pager over a list this page holds (the records an import named), one request a page.
 * @param {number} at @param {number} total @param {string} title what is paged
 * @param {(page: number) => void} to
 */
function localPager(at, total, title, to) {
  const pages = Math.ceil(total / PER_PAGE);
  return html`<nav class="pager" aria-label=${`${title}翻页`}>
    <button type="button" ?disabled=${at <= 1} @click=${() => to(at - 1)}>上一页</button>
    <span>第 ${at} / ${pages} 页，共 ${total} 条</span>
    <button type="button" ?disabled=${at >= pages} @click=${() => to(at + 1)}>下一页</button>
  </nav>`;
}
