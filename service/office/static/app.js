// The county office console (SPEC §16): the shell — who is logged in, the screens a role may
// use, the address bar as the state of a screen (#/households?q=…&sort=…: a link can be shared
// and the back button works), and a login that, when the session expires, asks for the
// password again over the page instead of leaving it.

import { html, render } from "./vendor/lit-html.js";
import { Problem, call, label, loadLabels, logIn, logOut, qs, session } from "./api.js";
import { SCREENS } from "./screens.js";
import { said } from "./ui.js";

const root = /** @type {HTMLElement} */ (document.getElementById("app"));
root.textContent = "";  // the page's own "loading" line: lit-html renders beside what is there

/** @type {{id: number, username: string, role: string, unit_id: number | null} | null} */
let me = null;

/** The screen and its query from the address: #/households?q=张 → ["households", {q: "张"}]. */
export function route() {
  const [path, search] = location.hash.replace(/^#\/?/, "").split("?");
  return { name: path || "home", query: Object.fromEntries(new URLSearchParams(search || "")) };
}

/** Go to a screen with a query; every change of a filter, a sort or a page goes through here.
 * @param {string} name @param {Record<string, any>} query */
export function go(name, query = {}) {
  const hash = `#/${name}${qs(query)}`;
  if (location.hash === hash) show();  // the same address again (查找 pressed twice): read again
  else location.hash = hash;
}

function loginForm(/** @type {string} */ notice = "", relogin = false) {
  return html`
    <main class="login" aria-labelledby="login-title">
      <h1 id="login-title">${relogin ? "登录已过期，请重新登录" : "双包双联 · 县级工作台"}</h1>
      <form @submit=${relogin ? onRelogin : onLogin} novalidate>
        <label for="username">用户名</label>
        <input id="username" name="username" autocomplete="username" required
               .value=${relogin && me ? me.username : ""} ?readonly=${relogin}>
        <label for="password">密码</label>
        <input id="password" name="password" type="password" autocomplete="current-password"
               required>
        <button type="submit">登录</button>
        ${relogin ? html`<button type="button" class="link" @click=${giveUp}>退出</button>` : ""}
        <p class="error" role="alert">${notice}</p>
      </form>
    </main>`;
}

/** @param {SubmitEvent} event */
async function onLogin(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const data = new FormData(form);
  try {
    me = await logIn(String(data.get("username")), String(data.get("password")));
    await loadLabels();
    show();
  } catch (error) {
    render(loginForm(said(error)), root);
  }
}

/** The prompt for the password when the session runs out: one, however many requests heard
 * 401 at once; every one of them waits for the same login and is then sent again.
 * @type {Promise<void> | null} */
let prompting = null;
/** @type {{resolve: () => void, reject: (error: unknown) => void} | null} */
let waiting = null;
/** @type {HTMLDialogElement | null} */
let dialog = null;

session.expired = () => {
  if (!me) return Promise.reject(new Problem(401, { code: "unauthenticated", detail: "请先登录。" }));
  if (prompting) return prompting;
  prompting = new Promise((resolve, reject) => { waiting = { resolve, reject }; });
  dialog = document.createElement("dialog");
  dialog.setAttribute("aria-labelledby", "login-title");
  dialog.addEventListener("cancel", (event) => { event.preventDefault(); giveUp(); });
  document.body.append(dialog);
  render(loginForm("", true), dialog);
  dialog.showModal();
  /** @type {HTMLInputElement} */ (dialog.querySelector("#password")).focus();
  return prompting;
};

/** Close the prompt; answers who was waiting on it. */
function closePrompt() {
  dialog?.close();
  dialog?.remove();
  dialog = null;
  prompting = null;
  const those = waiting;
  waiting = null;
  return those;
}

/** Escape or 退出 at the prompt: the waiting requests fail and the console logs out. */
function giveUp() {
  closePrompt()?.reject(new Problem(401, { code: "unauthenticated", detail: "登录已过期。" }));
  onLogout();
}

/** @param {SubmitEvent} event */
async function onRelogin(event) {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const data = new FormData(form);
  try {
    session.token = null;
    me = await logIn(String(data.get("username")), String(data.get("password")));
    closePrompt()?.resolve();
  } catch (error) {
    if (dialog) render(loginForm(said(error), true), dialog);
  }
}

/** 退出: the session ends, and the page starts afresh at /office/, so that nothing of it
 * (the address's search, what screens keep, their notices) is left for the next user. */
async function onLogout() {
  shown++;  // a screen still loading is not drawn over the login
  me = null;
  await logOut();
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("office.")) sessionStorage.removeItem(key);
  }
  location.replace(location.pathname);
}

/** The shell around the current screen. */
async function show() {
  if (!me) { render(loginForm(), root); return; }
  const { name, query } = route();
  const allowed = SCREENS.filter((s) => s.roles.includes(/** @type {any} */ (me).role));
  const screen = allowed.find((s) => s.name === name) || allowed[0];
  const current = screen.nav === false ? allowed.find((s) => s.name === "households") : screen;
  const frame = (/** @type {unknown} */ body) => html`
    <header class="bar">
      <span class="brand">双包双联 · 县级工作台</span>
      <span class="who">${me?.username}（${label("role", me?.role)}）</span>
      <button type="button" class="link" @click=${onLogout}>退出</button>
    </header>
    <div class="layout">
      <nav class="menu" aria-label="功能">
        <ul>${allowed.filter((s) => s.nav !== false).map((s) => html`<li><a href="#/${s.name}"
            aria-current=${s === current ? "page" : "false"}>${s.title}</a></li>`)}</ul>
      </nav>
      <main id="screen" aria-labelledby="screen-title">
        <h1 id="screen-title" tabindex="-1">${screen.title}</h1>
        ${body}
      </main>
    </div>`;
  const tools = {
    me: /** @type {import("./ui.js").Me} */ (me),
    go: (/** @type {Record<string, any>} */ q) => go(screen.name, q),
    open: (/** @type {string} */ other, /** @type {Record<string, any>} */ q = {}) => go(other, q),
    refresh: () => { show(); },
  };
  const turn = ++shown;
  document.title = `${screen.title} · 双包双联`;
  const main = document.getElementById("screen");
  if (screen.name === lastScreen && main) {
    // Another page, sort or filter of the same screen: it stays as it is, marked busy, until
    // the answer comes and updates it in place (the focused control keeps the focus).
    main.setAttribute("aria-busy", "true");
  } else {
    render(frame(html`<p class="loading" role="status">正在加载…</p>`), root);
  }
  /** @type {unknown} */
  let body;
  try {
    body = await screen.view(query, tools);
  } catch (error) {
    body = html`<p class="error" role="alert">${said(error)}</p>`;
  }
  // A screen asked for since (a click while this one loaded) shows instead: never an old answer.
  if (turn !== shown || !me) return;
  render(frame(body), root);
  document.getElementById("screen")?.removeAttribute("aria-busy");
  // How many screens have been shown: a test or a bench waits for it to move on.
  document.body.dataset.shown = String(turn);
  // A new screen (not a new page of the same one) takes the focus to its heading, so a
  // keyboard or screen-reader user starts there.
  if (screen.name !== lastScreen) {
    lastScreen = screen.name;
    /** @type {HTMLElement} */ (document.getElementById("screen-title")).focus();
  }
}

/** @type {string} */
let lastScreen = "";

let shown = 0;

window.addEventListener("hashchange", () => { show(); });

async function start() {
  if (session.token) {
    try {
      me = await call("me");
      await loadLabels();
    } catch (error) {
      me = null;
      if (error instanceof Problem && error.status === 401) session.token = null;
      else {
        render(html`<main class="login"><p class="error" role="alert">${said(error)}</p>
          <button type="button" @click=${() => location.reload()}>重试</button></main>`, root);
        return;
      }
    }
  }
  show();
}

start();
