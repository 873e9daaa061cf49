// Where the household page's back link goes: the list the household was opened from (农户 or
// 逾期) with its filters, sort and page as the clerk left them. Each list remembers its last
// query for the tab's session; a household page opened from a shared link goes back to the
// list as it first opens.

import { html } from "../vendor/lit-html.js";
import { qs } from "../api.js";

const KEY = "office.back.";

/** @typedef {"households" | "overdue"} List  a list a household page can go back to */

/** A list remembers the query it shows. @param {List} list @param {Record<string, any>} query */
export function remember(list, query) {
  sessionStorage.setItem(KEY + list, qs(query));
}

/** The back link to a list as it was last shown. @param {List} list */
export function backLink(list) {
  const words = list === "households" ? "返回农户" : "返回逾期";
  return html`<p class="back"><a href="#/${list}${sessionStorage.getItem(KEY + list) || ""}">← ${words}</a></p>`;
}
