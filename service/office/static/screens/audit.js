// 审计 (SPEC §16): the audit trail with its filters.
// Being built (issue 28): this module's view is a placeholder until its screen lands.

import { html } from "../vendor/lit-html.js";

/** @param {import("../ui.js").Query} _query @param {import("../ui.js").Tools} _tools */
export async function audit(_query, _tools) {
  return html`<p>此功能正在建设中。</p>`;
}
