// What the console's screens share: tables sorted and paged by the server, filter forms whose
// values go to the address, refusals in the server's words (a 412 as "someone changed this;
// reload"), confirmations that say what will happen, downloads and printed pages that need the
// session's token, and the villages a picker offers.

import { html, render } from "./vendor/lit-html.js";
import { Problem, call, fetchWithToken, qs } from "./api.js";

export const PER_PAGE = 50;

/** @typedef {Record<string, any>} Query  a screen's filters, sort and page, as in the address */
/** @typedef {(query: Query) => void} Go  change the address (and so the screen) */
/**
 * What a screen's view is given besides its query.
 * @typedef {{me: Me, go: Go, open: (name: string, query?: Query) => void,
 *            refresh: () => void}} Tools
 * @typedef {{id: number, username: string, role: string, unit_id: number | null,
 *            cadre_id?: number | null}} Me
 */

/**
 * A sortable column header: the server sorts (sort=field or -field), the address keeps it.
 * @param {string} title @param {string} field @param {Query} query @param {Go} go
 */
export function sortable(title, field, query, go) {
  const now = query.sort || "";
  const state = now === field ? "ascending" : now === `-${field}` ? "descending" : "none";
  const next = state === "ascending" ? `-${field}` : field;
  return html`<th scope="col" aria-sort=${state}>
    <button type="button" class="sort" @click=${() => go({ ...query, sort: next, page: 1 })}>
      ${title}<span aria-hidden="true">${state === "ascending" ? " ▲" : state === "descending" ? " ▼" : ""}</span>
    </button></th>`;
}

/**
 * The pager under a table.
 * @param {{total: number, page: number, per_page: number}} page
 * @param {Query} query @param {Go} go @param {string} unit what is counted (户, 人…)
 */
export function pager(page, query, go, unit) {
  const pages = Math.max(1, Math.ceil(page.total / page.per_page));
  return html`<nav class="pager" aria-label="翻页">
    <button type="button" ?disabled=${page.page <= 1}
            @click=${() => go({ ...query, page: page.page - 1 })}>上一页</button>
    <span role="status">第 ${page.page} / ${pages} 页，共 ${page.total} ${unit}</span>
    <button type="button" ?disabled=${page.page >= pages}
            @click=${() => go({ ...query, page: page.page + 1 })}>下一页</button>
  </nav>`;
}

/**
 * A part of a screen that may come after the rest (a slow report below quick figures): shown
 * as 正在加载… until its answer arrives, then drawn, or its refusal shown.
 * @template T @param {Promise<T>} answer @param {(value: T) => unknown} view
 */
export function later(answer, view) {
  const box = document.createElement("div");
  render(html`<p class="loading" role="status">正在加载…</p>`, box);
  answer.then((value) => render(view(value), box), (error) => render(refusal(error), box));
  return box;
}

/** A number from the address (or nothing): "3" → 3, "" or "x" → undefined.
 * @param {unknown} value */
export function num(value) {
  const n = Number(value);
  return value === undefined || value === null || value === "" || !Number.isFinite(n) ? undefined : n;
}

/** A form's values, trimmed (the submit is kept from the browser).
 * @param {SubmitEvent} event @returns {Record<string, string>} */
export function formValues(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  /** @type {Record<string, string>} */
  const values = {};
  for (const [key, value] of new FormData(form)) values[key] = String(value).trim();
  return values;
}

/** @type {Map<string, Array<{id: number, name: string, township_id: number, township_name?: string}>>} */
const villages = new Map();

/** The villages a picker offers: a unit admin's unit's, else the county's (read once).
 * @param {Me} me */
export async function villageList(me) {
  const unit = me.role === "unit_admin" ? me.unit_id : null;
  const key = String(unit);
  if (!villages.has(key)) {
    villages.set(key, (await call(`villages${qs({ unit_id: unit, per_page: 500, sort: "name" })}`)).items);
  }
  return villages.get(key) || [];
}

/** Forget what was read once (after an import or an apply changes it). */
export function forgetVillages() { villages.clear(); }

/** Today, this month and the last in the county (Asia/Shanghai): YYYY-MM-DD, YYYY-MM. */
export function months() {
  const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai" }).format(new Date());
  const [year, month] = today.split("-").map(Number);
  const last = month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, "0")}`;
  return { today, current: today.slice(0, 7), last, year };
}

/** The message a refusal shows: the server's own words. @param {unknown} error */
export function said(error) {
  if (error instanceof Problem) return error.message;
  console.error(error);  // a fault of the console itself: its details for whoever looks
  return "出现了意外错误，请重新加载页面后重试。";
}

/**
 * A refusal as the page shows it: the server's words, and for a 412 (someone saved the record
 * since it was read) the way out — reload and do it again.
 * @param {unknown} error @param {() => void} [reload]
 */
export function refusal(error, reload) {
  if (error instanceof Problem && error.status === 412) {
    return html`<div class="error" role="alert">
      <p>有人刚刚修改了这条记录，您看到的已不是最新内容。请重新加载后再修改。</p>
      <p class="detail">${said(error)}</p>
      ${reload ? html`<button type="button" @click=${reload}>重新加载</button>` : ""}
    </div>`;
  }
  const fields = error instanceof Problem ? fieldErrors(error.body) : [];
  return html`<div class="error" role="alert"><p>${said(error)}</p>
    ${fields.length ? html`<ul>${fields.map((f) => html`<li>${f}</li>`)}</ul>` : ""}</div>`;
}

/** A 422's field messages, flattened ("name: message"). @param {Record<string, any>} body */
function fieldErrors(body) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {any} */ node, /** @type {string} */ path) => {
    if (Array.isArray(node)) {
      if (node.every((x) => typeof x === "string")) out.push(`${path}：${node.join("；")}`);
      else node.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (node && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) walk(value, path ? `${path}.${key}` : key);
    } else if (typeof node === "string") out.push(`${path}：${node}`);
  };
  walk(body.errors || {}, "");
  return out.slice(0, 20);
}

/**
 * Ask before a dangerous action, saying what will happen. Resolves true only on the confirm
 * button; Escape or 取消 is false. The cancel button has the focus.
 * @param {{title: string, lines: Array<unknown>, confirm: string}} what
 * @returns {Promise<boolean>}
 */
export function confirmAction({ title, lines, confirm }) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    const done = (/** @type {boolean} */ answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); done(false); });
    render(html`<h2 id="confirm-title">${title}</h2>
      <ul>${lines.map((line) => html`<li>${line}</li>`)}</ul>
      <div class="actions">
        <button type="button" class="cancel" @click=${() => done(false)}>取消</button>
        <button type="button" class="danger" @click=${() => done(true)}>${confirm}</button>
      </div>`, dialog);
    document.body.append(dialog);
    dialog.showModal();
    /** @type {HTMLButtonElement} */ (dialog.querySelector("button.cancel")).focus();
  });
}

/**
 * Save what the service answers (a CSV, a template) as a file: it needs the token, so it is
 * fetched and handed to the browser.
 * @param {string} path @param {string} filename
 */
export async function download(path, filename) {
  const response = await fetchWithToken(path);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Open a printed page that needs the token (a village's cards) in a new tab. The tab is opened
 * at once (so no pop-up blocker stops it) and shown the page when it arrives.
 * @param {string} path
 */
export async function openPrinted(path) {
  const tab = window.open("", "_blank");
  if (!tab) {
    throw new Problem(0, { code: "popup_blocked",
                           detail: "浏览器拦截了新窗口：请允许本站打开新窗口后再试。" });
  }
  try {
    const response = await fetchWithToken(path);
    const url = URL.createObjectURL(new Blob([await response.text()], { type: "text/html" }));
    tab.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 600_000);
  } catch (error) {
    tab.close();
    throw error;
  }
}

/** The address of a public page of the service (a disclosure's A4 page), for a link.
 * @param {string} path e.g. "reports/disclosure?…" */
export function publicAddress(path) {
  return new URL(`../api/v1/${path}`, import.meta.url).href;
}

/** A date-time as the county reads it (Asia/Shanghai), to the minute. @param {string | null | undefined} value */
export function when(value) {
  if (!value) return "";
  return new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hour12: false,
  }).format(new Date(value));
}

/**
 * A value an audit event or a timeline names, as a clerk reads it: yes or no, a time in the
 * county's hours, a code's label from the server (`kind`), else as it is.
 * @param {unknown} value @param {(code: string) => string} [word] a code's label
 */
export function readable(value, word) {
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return when(value);
  if (typeof value === "string") return word ? word(value) : value;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
