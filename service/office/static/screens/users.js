// 用户 (SPEC §16, county admin): the accounts, sorted and paged by the server, filtered by role,
// state and name (all in the address); a new account (username, role, the unit of a unit
// admin, the cadre of a cadre account, its first password); and what the API lets the county
// admin change of an account (#/users?edit=ID): its role and links, a new password,
// disabling and enabling it, deleting one that never acted. Each refusal in the server's words,
// next to the field it names.

import { html, render } from "../vendor/lit-html.js";
import { Problem, get, label, loadLabels, patch, post, remove } from "../api.js";
import { PER_PAGE, confirmAction, formValues, num, pager, refusal, said, sortable, when }
  from "../ui.js";

/** @typedef {import("../../../../clients/office/api-types").Schema<"UserOut">} User */
/** @typedef {{id: number, name: string}} Unit */
/** @typedef {"county_admin" | "unit_admin" | "cadre" | "inspector"} Role */

/** What the last change did, said once on the list it returns to. */
let flash = "";
/** The labels table, as the view read it. @type {Record<string, Record<string, string>>} */
let labelsRead = {};

/** 用户: the accounts; a new one; an account's role, password, state. */
export async function users(/** @type {Record<string, any>} */ query,
                            /** @type {import("../ui.js").Tools} */ tools) {
  const { go } = tools;
  const labels = await loadLabels();
  labelsRead = labels;
  const editing = num(query.edit);
  const [page, unitPage, user] = await Promise.all([
    get("/api/v1/users", { query: {
      role: /** @type {Role | undefined} */ (query.role || undefined),
      active: query.active === "true" ? true : query.active === "false" ? false : undefined,
      q: query.q || undefined, sort: query.sort || undefined, page: num(query.page) || 1,
      per_page: PER_PAGE } }),
    get("/api/v1/units", { query: { per_page: 500, sort: "name" } }),
    editing ? get("/api/v1/users/{user_id}", { path: { user_id: editing } }) : null]);
  const units = unitPage.items;
  const unitName = new Map(units.map((u) => [u.id, u.name]));
  const cadreIds = [...new Set(page.items.map((u) => u.cadre_id).filter((id) => id !== null))];
  const cadreName = new Map(cadreIds.length ? (await get("/api/v1/cadres", { query: {
    ids: cadreIds.join(","), per_page: 500 } })).items.map((c) => [c.id, c.name]) : []);
  const notice = flash;
  flash = "";
  const close = () => go({ ...query, edit: undefined, new: undefined });
  const search = (/** @type {SubmitEvent} */ event) => go({ ...formValues(event), page: 1 });
  return html`<div class="screen-users">
    <p class="notice" role="status">${notice}</p>
    ${query.new ? creating(units, tools, query, close)
      : user ? managing(user, units, tools, close) : html`
      <p><button type="button" class="primary" @click=${() => go({ ...query, new: 1, edit: undefined })}>
        新建账号</button></p>`}
    <form class="filters" role="search" aria-label="查找账号" @submit=${search}>
      <label>角色 <select name="role">
        <option value="">全部</option>
        ${Object.entries(labels.role).map(([code, word]) => html`<option value=${code}
            ?selected=${code === query.role}>${word}</option>`)}
      </select></label>
      <label>状态 <select name="active">
        <option value="">全部</option>
        <option value="true" ?selected=${query.active === "true"}>启用</option>
        <option value="false" ?selected=${query.active === "false"}>已停用</option>
      </select></label>
      <label>用户名包含 <input name="q" type="search" maxlength="50" .value=${query.q || ""}></label>
      <button type="submit">查找</button>
    </form>
    <table class="data users">
      <caption class="sr-only">账号列表</caption>
      <thead><tr>
        ${sortable("用户名", "username", query, go)}
        ${sortable("角色", "role", query, go)}
        <th scope="col">单位</th>
        <th scope="col">干部</th>
        <th scope="col">状态</th>
        ${sortable("创建时间", "created_at", query, go)}
        <th scope="col"><span class="sr-only">操作</span></th>
      </tr></thead>
      <tbody>
        ${page.items.length ? page.items.map((u) => html`<tr class=${u.id === editing ? "current" : ""}>
          <td>${u.username}${u.id === tools.me.id ? html`<span class="hint">（本人）</span>` : ""}</td>
          <td>${label("role", u.role)}</td>
          <td>${u.unit_id === null ? "" : unitName.get(u.unit_id) || ""}</td>
          <td>${u.cadre_id === null ? "" : cadreName.get(u.cadre_id) || ""}</td>
          <td>${u.active ? "启用" : html`<span class="warn">已停用</span>`}</td>
          <td>${when(u.created_at)}</td>
          <td><button type="button" class="link" aria-label=${`管理账号 ${u.username}`}
                @click=${() => go({ ...query, edit: u.id, new: undefined })}>管理</button></td>
        </tr>`) : html`<tr><td colspan="7">没有符合条件的账号。</td></tr>`}
      </tbody>
    </table>
    ${pager(page, query, go, "个账号")}</div>`;
}

/**
 * A form's own state: the role chosen, its unit and cadre (the cadre list is the unit's), the
 * refusal and its messages per field.
 * @typedef {{role: string, unit_id: number | undefined, cadre_id: number | undefined,
 *   cadres: Array<{id: number, name: string, rank: string}> | null, error: unknown,
 *   fields: Record<string, string[]>, busy: boolean}} FormState
 */

/** A refusal's messages by field (a 422's or a 409's `errors`). @param {unknown} error */
function fieldsOf(error) {
  if (!(error instanceof Problem) || !error.body.errors) return {};
  return /** @type {Record<string, string[]>} */ (error.body.errors);
}

/** A field's messages under it, and the attributes that tie them to it.
 * @param {FormState} state @param {string} name @param {string} prefix */
function fieldError(state, name, prefix) {
  const messages = state.fields[name];
  return messages ? html`<span class="field-error" id=${`${prefix}-${name}-error`}>
    ${messages.join("；")}</span>` : "";
}

/**
 * A form's refusal above it: when every field it names has its message under that field, the
 * problem's title (数据校验未通过…); otherwise its detail, which names them all.
 * @param {FormState} state @param {string[]} shown the fields the form shows
 */
function headline(state, shown) {
  if (!state.error) return "";
  const named = Object.keys(state.fields);
  const words = state.error instanceof Problem && named.length && named.every((f) => shown.includes(f))
    ? String(state.error.body.title || said(state.error)) : said(state.error);
  return html`<div class="error" role="alert" tabindex="-1"><p>${words}</p></div>`;
}

/** @param {FormState} state @param {string} name @param {string} prefix */
function describedBy(state, name, prefix) {
  return state.fields[name] ? `${prefix}-${name}-error` : "";
}

/**
 * The role, unit and cadre fields, which depend on each other: a unit admin needs its unit,
 * a cadre account its cadre (chosen from the unit's cadres); a county admin or an inspector
 * neither.
 * @param {FormState} state @param {Unit[]} units @param {() => void} paint @param {string} prefix
 */
function linkFields(state, units, paint, prefix) {
  const roles = labelsRead.role || {};
  const pickRole = (/** @type {Event} */ event) => {
    state.role = /** @type {HTMLSelectElement} */ (event.currentTarget).value;
    paint();
    if (state.role === "cadre" && state.unit_id && !state.cadres) loadCadres(state, paint);
  };
  const pickUnit = (/** @type {Event} */ event) => {
    state.unit_id = num(/** @type {HTMLSelectElement} */ (event.currentTarget).value);
    state.cadre_id = undefined;
    state.cadres = null;
    paint();
    if (state.role === "cadre" && state.unit_id) loadCadres(state, paint);
  };
  const pickCadre = (/** @type {Event} */ event) => {
    state.cadre_id = num(/** @type {HTMLSelectElement} */ (event.currentTarget).value);
  };
  const needsUnit = state.role === "unit_admin" || state.role === "cadre";
  return html`
    <label for=${`${prefix}-role`}>角色</label>
    <select id=${`${prefix}-role`} name="role" required @change=${pickRole}
            aria-describedby=${describedBy(state, "role", prefix)}>
      ${Object.entries(roles).map(([code, word]) => html`<option value=${code}
          ?selected=${code === state.role}>${word}</option>`)}
    </select>
    ${fieldError(state, "role", prefix)}
    ${needsUnit ? html`
      <label for=${`${prefix}-unit`}>单位</label>
      <select id=${`${prefix}-unit`} name="unit_id" required @change=${pickUnit}
              aria-invalid=${state.fields.unit_id ? "true" : "false"}
              aria-describedby=${describedBy(state, "unit_id", prefix)}>
        <option value="" ?selected=${!state.unit_id}>请选择单位</option>
        ${units.map((u) => html`<option value=${u.id}
            ?selected=${u.id === state.unit_id}>${u.name}</option>`)}
      </select>
      ${fieldError(state, "unit_id", prefix)}` : ""}
    ${state.role === "cadre" ? html`
      <label for=${`${prefix}-cadre`}>干部</label>
      <select id=${`${prefix}-cadre`} name="cadre_id" required @change=${pickCadre}
              ?disabled=${!state.cadres}
              aria-invalid=${state.fields.cadre_id ? "true" : "false"}
              aria-describedby=${describedBy(state, "cadre_id", prefix)}>
        <option value="" ?selected=${!state.cadre_id}>${!state.unit_id ? "先选单位"
          : state.cadres ? "请选择干部" : "正在加载…"}</option>
        ${(state.cadres || []).map((c) => html`<option value=${c.id}
            ?selected=${c.id === state.cadre_id}>${c.name}（${label("rank", c.rank)}）</option>`)}
      </select>
      ${fieldError(state, "cadre_id", prefix)}` : ""}`;
}

/** The unit's cadres, for a cadre account's picker. @param {FormState} state @param {() => void} paint */
async function loadCadres(state, paint) {
  const unit = state.unit_id;
  try {
    const answer = await get("/api/v1/cadres", { query: { unit_id: unit, sort: "name", per_page: 500 } });
    if (state.unit_id === unit) state.cadres = answer.items;
  } catch (error) {
    state.error = error;
  }
  paint();
}

/** What a role's account sends as its links. @param {FormState} state */
function links(state) {
  return {
    unit_id: state.role === "unit_admin" ? state.unit_id ?? null : null,
    cadre_id: state.role === "cadre" ? state.cadre_id ?? null : null,
  };
}

/**
 * 新建账号: username, role and its links, the first password.
 * @param {Unit[]} units @param {import("../ui.js").Tools} tools
 * @param {Record<string, any>} query @param {() => void} close
 */
function creating(units, tools, query, close) {
  const host = document.createElement("section");
  host.setAttribute("aria-labelledby", "new-title");
  host.className = "users-panel";
  /** @type {FormState} */
  const state = { role: "unit_admin", unit_id: undefined, cadre_id: undefined, cadres: null,
                  error: null, fields: {}, busy: false };
  const paint = () => render(form(), host);
  const submit = async (/** @type {SubmitEvent} */ event) => {
    const values = formValues(event);
    Object.assign(state, { busy: true, error: null, fields: {} });
    paint();
    try {
      const made = await post("/api/v1/users", {
        username: values.username, password: values.password,
        role: /** @type {Role} */ (state.role), ...links(state) });
      flash = `已新建账号“${made.username}”（${label("role", made.role)}），可以用它登录了。`;
      tools.go({ ...query, new: undefined });
    } catch (error) {
      Object.assign(state, { busy: false, error, fields: fieldsOf(error) });
      paint();
      /** @type {HTMLElement | null} */ (host.querySelector(".error"))?.focus();
    }
  };
  const form = () => html`
    <h2 id="new-title">新建账号</h2>
    ${headline(state, ["username", "password", "role", "unit_id", "cadre_id"])}
    <form class="users-form" @submit=${submit} novalidate>
      <label for="new-username">用户名</label>
      <input id="new-username" name="username" required autocomplete="off" maxlength="50"
             aria-invalid=${state.fields.username ? "true" : "false"}
             aria-describedby=${`new-username-hint ${describedBy(state, "username", "new")}`}>
      <span class="hint" id="new-username-hint">3–50 个字母、数字、点、横线或下划线</span>
      ${fieldError(state, "username", "new")}
      ${linkFields(state, units, paint, "new")}
      <label for="new-password">初始密码</label>
      <input id="new-password" name="password" type="password" required autocomplete="new-password"
             maxlength="128" aria-invalid=${state.fields.password ? "true" : "false"}
             aria-describedby=${`new-password-hint ${describedBy(state, "password", "new")}`}>
      <span class="hint" id="new-password-hint">至少 10 个字符，不用常见密码，不含用户名</span>
      ${fieldError(state, "password", "new")}
      <div class="actions">
        <button type="submit" ?disabled=${state.busy}>新建</button>
        <button type="button" @click=${close}>取消</button>
      </div>
    </form>`;
  paint();
  // Once the shell shows it, the form starts at its first field.
  setTimeout(() => /** @type {HTMLElement | null} */ (host.querySelector("#new-username"))?.focus());
  return html`${host}`;
}

/**
 * 管理账号: change role and links, set a new password, disable or enable, delete (only an
 * account that never acted; the server says so otherwise). Not one's own account's role,
 * state or existence: a county admin does not lock themself out here.
 * @param {User & {etag?: string}} user @param {Unit[]} units
 * @param {import("../ui.js").Tools} tools @param {() => void} close
 */
function managing(user, units, tools, close) {
  const host = document.createElement("section");
  host.setAttribute("aria-labelledby", "edit-title");
  host.className = "users-panel";
  const own = user.id === tools.me.id;
  /** @type {FormState} */
  const state = { role: user.role, unit_id: user.unit_id ?? undefined,
                  cadre_id: user.cadre_id ?? undefined, cadres: null, error: null, fields: {},
                  busy: false };
  /** @type {FormState} */
  const password = { ...state, fields: {} };
  const paint = () => render(panel(), host);
  if (state.role === "cadre" && state.unit_id) loadCadres(state, paint);
  const name = `账号“${user.username}”`;

  /** Send a change; on success back to the list with what was done.
   * @param {import("../../../../clients/office/api-types").Schema<"UserPatch">} body
   * @param {string} done @param {FormState} into */
  const change = async (body, done, into) => {
    Object.assign(into, { busy: true, error: null, fields: {} });
    paint();
    try {
      await patch("/api/v1/users/{user_id}", body, { path: { user_id: user.id }, etag: user.etag || "" });
      flash = done;
      close();
    } catch (error) {
      Object.assign(into, { busy: false, error, fields: fieldsOf(error) });
      paint();
    }
  };

  const saveRole = async (/** @type {SubmitEvent} */ event) => {
    event.preventDefault();
    const unit = links(state);
    const sure = await confirmAction({
      title: "更改账号角色",
      lines: [`${name}：${label("role", user.role)} → ${label("role", state.role)}`,
        ...(state.role === "unit_admin" ? [`所属单位：${units.find((u) => u.id === state.unit_id)?.name || "（未选）"}`] : []),
        ...(state.role === "cadre" ? [`对应干部：${state.cadres?.find((c) => c.id === state.cadre_id)?.name || "（未选）"}`] : []),
        "保存后，该账号能看到和能做的事随新角色改变。"],
      confirm: "更改角色",
    });
    if (sure) {
      await change({ role: /** @type {Role} */ (state.role), ...unit },
                   `已将${name}改为${label("role", state.role)}。`, state);
    }
  };

  const savePassword = async (/** @type {SubmitEvent} */ event) => {
    const values = formValues(event);
    const sure = await confirmAction({
      title: "重置密码",
      lines: [`${name}的密码将改为刚才填写的新密码。`,
        "该账号现在的所有登录立即失效，须用新密码重新登录。"],
      confirm: "重置密码",
    });
    if (sure) await change({ password: values.password }, `已重置${name}的密码。`, password);
  };

  const toggle = async () => {
    if (user.active) {
      const sure = await confirmAction({
        title: "停用账号",
        lines: [`${name}（${label("role", user.role)}）将不能再登录。`,
          "它现在的所有登录立即失效。", "它的操作记录都保留；以后可以重新启用。"],
        confirm: "停用",
      });
      if (sure) await change({ active: false }, `已停用${name}。`, state);
    } else {
      await change({ active: true }, `已启用${name}。`, state);
    }
  };

  const drop = async () => {
    const sure = await confirmAction({
      title: "删除账号",
      lines: [`${name}（${label("role", user.role)}）将被删除，不能恢复。`,
        "只有从未做过任何操作的账号可以删除；有操作记录的账号请改为停用。"],
      confirm: "删除",
    });
    if (!sure) return;
    try {
      await remove("/api/v1/users/{user_id}", { path: { user_id: user.id }, etag: user.etag || "" });
      flash = `已删除${name}。`;
      close();
    } catch (error) {
      state.error = error;
      paint();
    }
  };

  const panel = () => html`
    <div class="users-head">
      <h2 id="edit-title" tabindex="-1">管理账号：${user.username}（${label("role", user.role)}${user.active ? "" : "，已停用"}）</h2>
      <button type="button" @click=${close}>关闭</button>
    </div>
    ${state.error && !Object.keys(state.fields).length ? refusal(state.error, tools.refresh)
      : headline(state, ["role", "unit_id", "cadre_id"])}
    ${own ? html`<p class="hint">这是您本人的账号：不能在这里更改自己的角色、密码或停用、删除自己。</p>` : html`
    <div class="users-sections">
      <form class="users-form" @submit=${saveRole} aria-labelledby="role-title" novalidate>
        <h3 id="role-title">角色与单位</h3>
        ${linkFields(state, units, paint, "edit")}
        <div class="actions"><button type="submit" ?disabled=${state.busy}>更改角色…</button></div>
      </form>
      <form class="users-form" @submit=${savePassword} aria-labelledby="password-title" novalidate>
        <h3 id="password-title">重置密码</h3>
        ${password.error && !Object.keys(password.fields).length ? refusal(password.error, tools.refresh)
          : headline(password, ["password"])}
        <label for="edit-password">新密码</label>
        <input id="edit-password" name="password" type="password" required autocomplete="new-password"
               maxlength="128" aria-invalid=${password.fields.password ? "true" : "false"}
               aria-describedby=${describedBy(password, "password", "edit")}>
        ${fieldError(password, "password", "edit")}
        <div class="actions"><button type="submit" ?disabled=${password.busy}>重置密码…</button></div>
      </form>
      <div class="users-form" role="group" aria-labelledby="state-title">
        <h3 id="state-title">停用与删除</h3>
        <p>${user.active ? "账号现在可以登录。" : "账号已停用，不能登录。"}</p>
        <div class="actions">
          <button type="button" class=${user.active ? "danger" : ""} ?disabled=${state.busy}
                  @click=${toggle}>${user.active ? "停用账号…" : "重新启用"}</button>
          <button type="button" class="danger" ?disabled=${state.busy} @click=${drop}>删除账号…</button>
        </div>
      </div>
    </div>`}`;
  paint();
  // Once the shell shows it, a keyboard user starts at the panel's heading.
  setTimeout(() => /** @type {HTMLElement | null} */ (host.querySelector("#edit-title"))?.focus());
  return html`${host}`;
}
