// 每月公示's correction (SPEC §6): a published village and month published again as its next
// revision (POST /api/v1/disclosures with correction_reason). The dialog says what will happen
// (the old revision stays as it was; the reason is kept on file, never published) and asks
// for the reason; the server's refusal shows in the dialog, in its words.

import { html, render } from "../vendor/lit-html.js";
import { post } from "../api.js";
import { formValues, refusal } from "../ui.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"MonthVillage">} Village */
/** @typedef {import("../../../../clients/office/api-types").Schema<"DisclosurePublished">} Published */

/**
 * Ask for the reason and publish the correction. Resolves with the new publication, or null
 * when the clerk cancels (取消 or Escape: nothing is sent).
 * @param {Village} village @param {string} month @returns {Promise<Published | null>}
 */
export function correct(village, month) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "confirm months-correction";
    dialog.setAttribute("aria-labelledby", "correction-title");
    const done = (/** @type {Published | null} */ answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    // While the correction is being sent it can no longer be called back: 取消 and Escape wait.
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); if (!busy) done(null); });
    const revision = village.revision || 1;
    const place = `${village.township_name}${village.village_name}`;
    let busy = false;
    const send = async (/** @type {SubmitEvent} */ event) => {
      const { reason } = formValues(event);
      if (busy) return;
      busy = true;
      draw(null, true);
      try {
        done(await post("/api/v1/disclosures", {
          village_id: village.village_id, month, correction_reason: reason }));
      } catch (error) {
        busy = false;
        draw(error, false);
        /** @type {HTMLElement} */ (dialog.querySelector("textarea")).focus();
      }
    };
    const draw = (/** @type {unknown} */ problem, /** @type {boolean} */ sending) => render(html`
      <h2 id="correction-title">发布更正：${place}（${month}）</h2>
      <ul>
        <li>按现有记录重新生成${place} ${month} 的公示，作为第 ${revision + 1} 版发布，接入全县公示链。</li>
        <li>第 ${revision} 版不会被改动，仍可查看和核验；更正版公示页注明这是更正。</li>
        <li>更正原因只存档备查，不对外公示。</li>
      </ul>
      <form @submit=${send} novalidate>
        <label for="correction-reason">更正原因</label>
        <textarea id="correction-reason" name="reason" rows="4" maxlength="500"
                  aria-describedby="correction-problem"></textarea>
        <div id="correction-problem">${problem ? refusal(problem) : ""}</div>
        <p role="status">${sending ? "正在发布更正…" : ""}</p>
        <div class="actions">
          <button type="button" class="cancel" ?disabled=${sending}
                  @click=${() => done(null)}>取消</button>
          <button type="submit" class="danger" ?disabled=${sending}>发布更正</button>
        </div>
      </form>`, dialog);
    draw(null, false);
    document.body.append(dialog);
    dialog.showModal();
    /** @type {HTMLElement} */ (dialog.querySelector("textarea")).focus();
  });
}
