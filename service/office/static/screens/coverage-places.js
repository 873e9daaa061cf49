// Where the filters of 两个全覆盖 and 包联方案 point: the units, townships and villages of the
// caller's scope (a unit admin's: its own unit, the townships and villages it holds), read once
// a session, and the pickers a form shows for them. Shared by screens/coverage.js and
// screens/plans.js.

import { html } from "../vendor/lit-html.js";
import { get } from "../api.js";
import { villageList } from "../ui.js";

/** @typedef {{id: number, name: string}} Named */
/** @typedef {{units: Named[], townships: Named[],
 *             villages: Array<{id: number, name: string, township_id: number}>}} Places */

/** @type {Map<string, Promise<Places>>} */
const read = new Map();

/** The places a picker offers the caller (read once a session).
 * @param {import("../ui.js").Me} me @returns {Promise<Places>} */
export function places(me) {
  const key = `${me.role}:${me.unit_id}`;
  let answer = read.get(key);
  if (!answer) {
    answer = load(me);
    answer.catch(() => read.delete(key));  // a failed read is asked again next time
    read.set(key, answer);
  }
  return answer;
}

/** @param {import("../ui.js").Me} me @returns {Promise<Places>} */
async function load(me) {
  const own = me.role === "unit_admin" && me.unit_id !== null ? me.unit_id : null;
  const [units, townships, villages] = await Promise.all([
    get("/api/v1/units", { query: own !== null ? { ids: String(own) } : { per_page: 500, sort: "name" } }),
    get("/api/v1/townships", { query: { per_page: 500, sort: "name" } }),
    villageList(me)]);
  const held = new Set(villages.map((v) => v.township_id));
  return {
    units: units.items,
    townships: own !== null ? townships.items.filter((t) => held.has(t.id)) : townships.items,
    villages,
  };
}

/**
 * The unit, township and village pickers of a form (names unit_id, township_id, village_id),
 * showing what `chosen` holds. A unit admin has no unit picker: its unit is the only one.
 * @param {Places} where @param {Record<string, any>} chosen @param {import("../ui.js").Me} me
 * @param {string} [any] the first choice of each picker (no filter)
 */
export function pickers(where, chosen, me, any = "全部") {
  const picked = (/** @type {string} */ key, /** @type {number} */ id) => String(id) === String(chosen[key] ?? "");
  return html`
    ${me.role === "unit_admin" ? "" : html`<label>单位 <select name="unit_id">
      <option value="">${any}</option>
      ${where.units.map((u) => html`<option value=${u.id} ?selected=${picked("unit_id", u.id)}>${u.name}</option>`)}
    </select></label>`}
    <label>乡镇 <select name="township_id">
      <option value="">${any}</option>
      ${where.townships.map((t) => html`<option value=${t.id} ?selected=${picked("township_id", t.id)}>${t.name}</option>`)}
    </select></label>
    <label>村 <select name="village_id">
      <option value="">${any}</option>
      ${where.townships.map((t) => {
        const inside = where.villages.filter((v) => v.township_id === t.id);
        return inside.length ? html`<optgroup label=${t.name}>
          ${inside.map((v) => html`<option value=${v.id} ?selected=${picked("village_id", v.id)}>${v.name}</option>`)}
        </optgroup>` : "";
      })}
    </select></label>`;
}

/** The name of a unit of the caller's scope (its own, for a unit admin).
 * @param {Places} where @param {number | null | undefined} id */
export function unitName(where, id) {
  return where.units.find((u) => u.id === id)?.name || "";
}
