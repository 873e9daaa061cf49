// The field client's screens: 登录, 我的联系户 (households), one household with its visit form,
// and 待同步 (the outbox). Everything shown is built with DOM calls (never HTML from data).
// Saving writes to the outbox first; sending happens at once when online, when the phone
// comes back online, and on 同步.

import * as store from './store.js';
import * as outbox from './outbox.js';

const root = document.getElementById('app');
// generation: which login the phone is on (a sync started under another is dropped);
// editing: a visit form is open (an expired login then waits until it is saved).
const state = { session: null, sending: null, notice: '', generation: 0, needsLogin: false,
  editing: false, labels: {} };
const EXPIRED = '登录已过期，请重新登录。待同步的记录仍在本机，登录后自动发送。';
// With an expired login the app still works (SPEC §17 "offline after expiry"): the list, the
// households, saving visits to the outbox. Only sending needs the password.
const EXPIRED_KEEP = '登录已过期：可以照常记走访，记录保存在本机；点“重新登录”后发送。';

// --- small DOM helpers -------------------------------------------------------------------

/** A code's label from the server's one table (GET /api/v1/labels, kept for offline use); the
 * code itself until the first answer has come. */
function word(enumName, code) {
  return state.labels[enumName]?.[code] || code;
}

function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function field(label, id, control, hint) {
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id, text: label }), control,
    hint ? h('p', { class: 'hint', text: hint }) : null);
}

function options(choices, selected) {
  return Object.entries(choices).map(([code, label]) =>
    h('option', { value: code, selected: code === selected }, label));
}

function show(...children) {
  state.editing = false;
  root.replaceChildren(...children);
  window.scrollTo(0, 0);
}

function localInput(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Why the server refused something: its own words (a problem's detail, in Chinese). */
function refusal(problem, otherwise = '服务器退回了这条记录') {
  return problem?.detail || problem?.title || otherwise;
}

function when(iso) {
  const d = new Date(iso);
  return `${d.getMonth() + 1}月${d.getDate()}日 ${localInput(d).slice(11)}`;
}

// --- the bar every screen shows after login ---------------------------------------------

async function pendingCount() {
  if (!state.session) return 0;
  return (await outbox.items(state.session.username)).length;
}

async function bar() {
  const count = await pendingCount();
  const online = navigator.onLine;
  return h('header', { class: 'bar' },
    h('div', { class: 'row' },
      h('span', { class: online ? 'net on' : 'net off', id: 'net', text: online ? '在线' : '离线' }),
      h('button', { type: 'button', id: 'pending', class: count ? 'pending has' : 'pending',
        onclick: () => showOutbox() }, `待同步 ${count}`),
      h('button', { type: 'button', id: 'sync', onclick: () => syncNow(true) }, '同步')),
    state.needsLogin ? h('button', { type: 'button', class: 'primary', id: 'relogin',
      onclick: () => showLogin(EXPIRED) }, '重新登录') : null,
    outbox.clockWrong() ? h('p', { class: 'notice warn', id: 'clock', role: 'alert',
      text: `手机时间与服务器相差${skew()}：走访时间按服务器时间填写，请把手机时间调准。` }) : null,
    state.notice ? h('p', { class: 'notice', role: 'status', id: 'notice', text: state.notice })
      : null);
}

/** How far the phone's clock is off, in words ("约3小时", "约2天"). */
function skew() {
  const minutes = Math.round(Math.abs(outbox.clock.offset) / 60000);
  const ahead = outbox.clock.offset < 0 ? '快' : '慢';
  if (minutes < 120) return `约${minutes}分钟（手机${ahead}）`;
  if (minutes < 48 * 60) return `约${Math.round(minutes / 60)}小时（手机${ahead}）`;
  return `约${Math.round(minutes / 1440)}天（手机${ahead}）`;
}

function say(text) {
  state.notice = text;
  const notice = document.getElementById('notice');
  if (notice) notice.textContent = text;
}

// --- login ---------------------------------------------------------------------------------

function showLogin(message) {
  const username = h('input', { autocomplete: 'username', autocapitalize: 'off', required: true,
    value: state.session?.username || '' });
  const password = h('input', { type: 'password', autocomplete: 'current-password',
    required: true });
  const error = h('p', { class: 'error', role: 'alert' }, message || '');
  const submit = async (event) => {
    event.preventDefault();
    error.textContent = '';
    let response;
    try {
      response = await outbox.timedFetch('/api/v1/auth/login', {
        method: 'POST', headers: { 'Content-Type': 'application/json', ...outbox.LANGUAGE },
        cache: 'no-store',
        body: JSON.stringify({ username: username.value.trim(), password: password.value }),
      });
    } catch {
      error.textContent = '连不上服务器：登录需要网络。已保存的走访记录不会丢失。';
      return;
    }
    if (!response.ok) { // the server says why, in Chinese
      const problem = await response.json().catch(() => null);
      error.textContent = refusal(problem, `登录失败（${response.status}），请稍后再试`);
      return;
    }
    const body = await response.json();
    const before = await store.get('kv', 'session');
    const name = username.value.trim();
    state.generation += 1; // whatever the previous login was still fetching is dropped
    if (!before || before.username !== name) await outbox.forgetCopies();
    state.session = { username: name, token: body.access_token };
    state.needsLogin = false;
    await store.put('kv', state.session, 'session');
    store.keepStorage();
    state.labels = await outbox.labels(); // before the first screen that shows them
    state.notice = '';
    await showHome();
    await syncNow(false);
  };
  const waiting = h('p', { class: 'hint' });
  store.all('outbox').then((all) => {
    const owners = new Map();
    for (const item of all) owners.set(item.owner, (owners.get(item.owner) || 0) + 1);
    waiting.textContent = [...owners].map(([owner, n]) =>
      `本机有账号 ${owner} 的${n}条未同步记录（用该账号登录后发送）`).join('；');
  });
  const form = h('form', { class: 'card', onsubmit: submit },
    h('h1', { text: '双包双联 · 走访' }),
    message ? null : h('p', { text: '包联干部登录后，没有信号也能记走访。' }),
    waiting,
    field('用户名', 'username', username),
    field('密码', 'password', password),
    error,
    h('button', { type: 'submit', class: 'primary' }, '登录'),
    // A cadre who logged in on this phone before is never locked out of recording.
    state.session ? h('button', { type: 'button', class: 'quiet', id: 'keep-recording',
      onclick: () => { state.notice = EXPIRED_KEEP; showHome(); } }, '返回，继续记走访') : null);
  show(form);
  (username.value ? password : username).focus();
}

async function logout() {
  const count = await pendingCount();
  const ask = count
    ? `还有${count}条走访没有同步，会留在本机，下次用同一账号登录后发送。确定退出？`
    : '确定退出登录？';
  if (!window.confirm(ask)) return;
  state.generation += 1; // a sync still running for this login writes nothing more
  state.session = null;
  state.needsLogin = false;
  await store.remove('kv', 'session');
  await outbox.forgetCopies();
  showLogin();
}

// --- households ----------------------------------------------------------------------------

async function villageNames() {
  return new Map((await store.all('villages')).map((v) => [v.id, v.name]));
}

/** The county's month (Asia/Shanghai) of a time, "YYYY-MM-DD" → its first seven letters. */
const countyDay = (date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' })
  .format(date);

/** The cadre's visits as the phone knows them: those the server has (from /sync) and those
 * still in the outbox (not refused), one per id. */
async function knownVisits() {
  const byId = new Map((await store.all('visits')).map((v) => [v.id, v]));
  for (const item of await outbox.items(state.session.username)) {
    if (item.state === 'rejected' || byId.has(item.id)) continue;
    byId.set(item.id, { ...item.visit, direct: item.visit.kind !== 'phone', waiting: true });
  }
  return [...byId.values()];
}

/** 我的联系户, the month at a glance (SPEC §17): who has had a direct visit this month and who
 * not yet, each household's last direct visit, open tasks (overdue ones said) and demands. */
async function showHome() {
  const households = (await store.all('households'))
    .sort((a, b) => a.village_id - b.village_id || a.id - b.id);
  const tasks = await store.all('tasks');
  const demands = await store.all('demands');
  const villages = await villageNames();
  const synced = await store.get('kv', 'synced_at');
  const month = countyDay(outbox.serverNow()).slice(0, 7);
  const direct = (await knownVisits()).filter((v) => v.direct);
  const glance = new Map(households.map((household) => {
    const mine = direct.filter((v) => v.household_id === household.id)
      .map((v) => countyDay(new Date(v.visited_at))).sort();
    return [household.id, { last: mine[mine.length - 1] || null,
      thisMonth: mine.filter((day) => day.startsWith(month)).length }];
  }));
  const waiting = households.filter((hh) => !glance.get(hh.id).thisMonth);
  const list = households.length
    ? h('ul', { class: 'list' }, households.map((household) => {
      const open = tasks.filter((t) => t.household_id === household.id &&
        (t.status === 'open' || t.status === 'in_progress'));
      const overdue = open.filter((t) => t.overdue).length;
      const asked = demands.filter((d) => d.household_id === household.id &&
        (d.status === 'open' || d.status === 'in_progress')).length;
      const { last, thisMonth } = glance.get(household.id);
      const work = [open.length ? `${open.length}项任务${overdue ? `（${overdue}项逾期）` : ''}` : '',
        asked ? `${asked}项诉求` : ''].filter(Boolean).join(' · ');
      return h('li', {}, h('button', { type: 'button',
        class: thisMonth ? 'household' : 'household due',
        'data-household': household.id, onclick: () => showHousehold(household.id) },
      h('strong', { text: household.head_name }),
      h('span', { text: `${villages.get(household.village_id) || '村'} · ` +
        `${word('difficulty', household.difficulty)}` }),
      h('span', { class: 'glance', text: (thisMonth ? `本月直接走访${thisMonth}次`
        : '本月还没有直接走访') + (last ? ` · 上次${Number(last.slice(5, 7))}月${Number(last.slice(8))}日` : '') }),
      work ? h('span', { class: overdue ? 'glance late' : 'glance', text: work }) : null));
    }))
    : h('p', { class: 'empty', text: '还没有联系户：请联网后点“同步”。' });
  show(await bar(),
    h('main', {},
      h('h1', { text: '我的联系户' }),
      households.length ? h('p', { class: 'month', id: 'month' },
        `本月已直接走访 ${households.length - waiting.length}/${households.length}户`,
        waiting.length ? h('span', { class: 'due',
          text: `，还没走访：${waiting.map((hh) => hh.head_name).join('、')}` }) : null) : null,
      list,
      h('p', { class: 'hint', text: synced ? `上次同步：${when(new Date(synced))}` : '尚未同步' }),
      h('button', { type: 'button', class: 'quiet', onclick: logout },
        `退出登录（${state.session.username}）`)));
}

// --- one household and the visit form -----------------------------------------------------

function demandRow(demand = {}) {
  const id = demand.id || outbox.uuid(); // one id per row, however often 保存 is pressed
  const category = h('select', {}, options(state.labels.demand_category || {},
    demand.category || 'other'));
  const text = h('textarea', { rows: 2, maxlength: 2000 }, demand.description || '');
  const row = h('fieldset', { class: 'demand' },
    h('legend', { text: '诉求' }),
    field('诉求类别', `demand-category-${id}`, category),
    field('诉求内容', `demand-text-${id}`, text),
    h('button', { type: 'button', class: 'quiet', onclick: () => row.remove() }, '删除这条诉求'));
  row.read = () => ({ id, category: category.value, description: text.value.trim() });
  return row;
}

function cardCode(text) {
  // A scanned QR holds the card's address; a typed code may carry the printed spaces.
  const value = String(text || '').trim();
  const tail = value.includes('/') ? value.split('/').filter(Boolean).pop() : value;
  return tail.replace(/[\s-]/g, '').toUpperCase();
}

async function scan(into) {
  const video = h('video', { playsinline: true, muted: true, class: 'scanner' });
  const close = h('button', { type: 'button' }, '取消扫码');
  const panel = h('div', { class: 'overlay' }, video, close);
  document.body.append(panel);
  let stream;
  let running = true;
  const stop = () => {
    running = false;
    if (stream) stream.getTracks().forEach((t) => t.stop());
    panel.remove();
  };
  close.addEventListener('click', stop);
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    await video.play();
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    while (running) {
      const found = await detector.detect(video);
      if (found.length) { into.value = cardCode(found[0].rawValue); stop(); return; }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } catch {
    stop();
    window.alert('无法使用相机，请直接输入卡上的编码。');
  }
}

/** Where the phone is, waiting at most LOCATION_MS for a fix (SPEC §17): null without one. */
const LOCATION_MS = 5000;
function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    // Some phones never call back while a permission prompt waits: the timer decides.
    const timer = setTimeout(() => resolve(null), LOCATION_MS);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        clearTimeout(timer);
        resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude,
          accuracy_m: Math.round(p.coords.accuracy) });
      },
      () => { clearTimeout(timer); resolve(null); },
      { enableHighAccuracy: true, timeout: LOCATION_MS, maximumAge: 60000 });
  });
}

async function showHousehold(householdId, correcting) {
  const household = await store.get('households', householdId);
  if (!household) {
    if (correcting) {
      window.alert('这户已不在您的联系户中（包联已结束），这条记录无法修改，可以放弃。');
      await showOutbox();
    } else {
      await showHome();
    }
    return;
  }
  const villages = await villageNames();
  const tasks = (await store.all('tasks')).filter((t) => t.household_id === householdId &&
    t.status !== 'verified' && !t.closed_on);
  const demands = (await store.all('demands')).filter((d) => d.household_id === householdId &&
    (d.status === 'open' || d.status === 'in_progress'));
  // The cadre's own visits to this household, newest first, from the phone's copy (offline).
  const history = (await knownVisits()).filter((v) => v.household_id === householdId)
    .sort((a, b) => (a.visited_at < b.visited_at ? 1 : -1));
  const draft = correcting?.visit || {};
  const now = outbox.serverNow(); // the server's time when the phone's clock is wrong

  const kind = h('select', { required: true },
    options(state.labels.visit_kind || {}, draft.kind || 'home_visit'));
  // Honest kinds (SPEC §17, doc 003 lines 30–32): a call is said not to be direct contact
  // before it is saved, not found out later in the month's count.
  const kindHint = h('p', { class: 'hint', id: 'kind-hint', role: 'status' });
  const sayKind = () => {
    kindHint.textContent = kind.value === 'phone'
      ? '电话联系不算直接联系：本月的直接走访仍需入户或当面见到群众。' : '';
  };
  kind.addEventListener('change', sayKind);
  sayKind();
  const at = h('input', { type: 'datetime-local', required: true, max: localInput(now),
    value: localInput(draft.visited_at ? new Date(draft.visited_at) : now) });
  const diary = h('textarea', { rows: 5, maxlength: 5000,
    placeholder: '听到了什么：家里情况、群众说的话' }, draft.diary || '');
  const help = h('textarea', { rows: 3, maxlength: 2000, placeholder: '这次为这户做了什么' },
    draft.help_given || '');
  const card = h('input', { autocapitalize: 'characters', autocomplete: 'off', maxlength: 40,
    placeholder: '卡上的16位编码（可不填）', value: draft.card_code || '' });
  const canScan = 'BarcodeDetector' in window && navigator.mediaDevices;
  const where = h('input', { type: 'checkbox', checked: Boolean(draft.location) });
  const demandList = h('div', {}, (draft.demands || []).map(demandRow));
  const error = h('p', { class: 'error', role: 'alert' });

  // One id for this form, however often 保存 is pressed (a correction is a new visit: the
  // rejected one was never stored).
  const visitId = outbox.uuid();
  let saving = false;
  const save = async (event) => {
    event.preventDefault();
    if (saving) return;
    const visitedAt = new Date(at.value);
    if (Number.isNaN(visitedAt.getTime())) { error.textContent = '请填写走访时间'; return; }
    const rows = [...demandList.children].map((row) => row.read());
    if (rows.some((d) => !d.description)) {
      error.textContent = '请填写诉求内容，或删除空着的诉求';
      return;
    }
    saving = true;
    submit.disabled = true;
    const visit = {
      id: visitId, household_id: householdId, visited_at: visitedAt.toISOString(),
      kind: kind.value, diary: diary.value.trim() || null, help_given: help.value.trim() || null,
    };
    const code = cardCode(card.value);
    if (code) visit.card_code = code;
    if (rows.length) visit.demands = rows;
    let located = true;
    if (where.checked) {
      // A correction keeps where the visit was logged; a new visit asks the phone now.
      if (!draft.location) locating.textContent = `正在获取位置（最多等${LOCATION_MS / 1000}秒）…`;
      const found = draft.location || await position();
      locating.textContent = '';
      if (found) visit.location = found;
      else located = false;
    }
    await outbox.keep(state.session.username, visit, correcting?.id);
    state.editing = false;
    if (state.needsLogin) {
      state.notice = '已保存在本机：点“重新登录”后发送';
      await showHome();
      return;
    }
    const saved = located ? '已保存' : '已保存（没有取得位置，这条走访不含位置）';
    state.notice = navigator.onLine ? `${saved}，正在发送…` : `${saved}，在本机等有网络时自动发送`;
    await showHome();
    if (navigator.onLine) syncNow(false);
  };
  const submit = h('button', { type: 'submit', class: 'primary' }, '保存');
  const locating = h('p', { class: 'hint', id: 'locating', role: 'status' });

  const form = h('form', { class: 'card', onsubmit: save },
    h('h2', { text: correcting ? '修改后重新保存' : '记一次走访' }),
    correcting?.problem
      ? h('p', { class: 'error', text: `被退回：${refusal(correcting.problem)}` }) : null,
    field('走访方式', 'kind', kind),
    kindHint,
    field('走访时间', 'visited_at', at),
    field('民情日记', 'diary', diary),
    field('帮扶情况', 'help_given', help),
    field('连心卡编码', 'card_code', card, '在户里扫卡上的二维码，或照着卡上的编码输入'),
    canScan ? h('button', { type: 'button', onclick: () => scan(card) }, '扫码') : null,
    h('div', { class: 'check' }, where, h('label', { for: 'location', text: '附带当前位置' })),
    demandList,
    h('button', { type: 'button', class: 'quiet',
      onclick: () => demandList.append(demandRow()) }, '添加诉求'),
    error,
    locating,
    submit);
  where.id = 'location';

  show(await bar(),
    h('main', {},
      h('button', { type: 'button', class: 'back', onclick: () => showHome() }, '返回'),
      h('h1', { text: household.head_name }),
      h('p', { class: 'facts', text: [villages.get(household.village_id),
        word('difficulty', household.difficulty), `${household.members}口人`]
        .filter(Boolean).join(' · ') }),
      // The household's phone, one tap away (a masked number is not one to call).
      household.phone && !household.phone.includes('*')
        ? h('a', { class: 'call', href: `tel:${household.phone}` }, `拨打电话 ${household.phone}`)
        : null,
      household.needs?.length
        ? h('p', { class: 'facts', text: '帮扶需求：' +
          household.needs.map((n) => word('need', n)).join('、') }) : null,
      tasks.length ? h('section', {}, h('h2', { text: '包扶任务' }),
        h('ul', { class: 'plain' }, tasks.map((t) => h('li', {
          text: `${t.description}（${word('task_status', t.status)}` +
            `${t.due_on ? `，${t.due_on}前` : ''}）` })))) : null,
      demands.length ? h('section', {}, h('h2', { text: '未办结的诉求' }),
        h('ul', { class: 'plain' }, demands.map((d) => h('li', {
          text: `${word('demand_category', d.category)}：${d.description}` +
            `（${word('demand_status', d.status)}）` })))) : null,
      form,
      history.length ? h('section', { id: 'history' }, h('h2', { text: `走访记录（${history.length}）` }),
        h('ul', { class: 'plain history' }, history.slice(0, 30).map((v) => h('li', {},
          h('strong', { text: `${when(v.visited_at)} · ${word('visit_kind', v.kind)}` +
            (v.direct ? '' : '（不算直接联系）') + (v.waiting ? ' · 待发送' : '') }),
          v.diary ? h('span', { text: v.diary }) : null)))) : null));
  state.editing = true;
}

// --- the outbox ---------------------------------------------------------------------------

async function showOutbox() {
  const items = await outbox.items(state.session.username);
  const names = new Map((await store.all('households')).map((x) => [x.id, x.head_name]));
  const rows = items.map((item) => h('li', { class: item.state === 'rejected' ? 'rejected' : '' },
    h('strong', { text: `${names.get(item.visit.household_id) || `农户${item.visit.household_id}`}` +
      ` · ${word('visit_kind', item.visit.kind)}` }),
    h('span', { text: when(item.visit.visited_at) }),
    item.state === 'rejected'
      ? h('p', { class: 'error', text: `被退回：${refusal(item.problem)}` })
      : h('p', { class: 'hint', text: '等待发送' }),
    item.state === 'rejected'
      ? h('div', { class: 'row' },
        h('button', { type: 'button', onclick: () => showHousehold(item.visit.household_id, item) },
          '修改'),
        h('button', { type: 'button', class: 'quiet', onclick: async () => {
          if (!window.confirm('放弃这条走访记录？放弃后无法恢复。')) return;
          await outbox.discard(item.id);
          await showOutbox();
        } }, '放弃'))
      : null));
  show(await bar(),
    h('main', {},
      h('button', { type: 'button', class: 'back', onclick: () => showHome() }, '返回'),
      h('h1', { text: '待同步' }),
      rows.length ? h('ul', { class: 'list outbox' }, rows)
        : h('p', { class: 'empty', text: '全部走访都已同步。' })));
}

// --- sending and syncing ------------------------------------------------------------------

async function refreshBar() {
  const old = root.querySelector('header.bar');
  if (old) old.replaceWith(await bar());
}

/** Send the outbox, then fetch what changed. One run at a time; `asked` when the cadre
 * pressed 同步 (then even an empty outbox says what happened). */
function syncNow(asked) {
  if (!state.session) return Promise.resolve();
  if (state.needsLogin) { // sending needs the password: 同步 asks for it, never does nothing
    if (asked && state.editing) say('登录已过期：保存这条走访后请点“重新登录”，记录不会丢失');
    else if (asked) showLogin(EXPIRED);
    return Promise.resolve();
  }
  const generation = state.generation;
  if (state.sending && state.sending.generation === generation) return state.sending;
  // A run for an earlier login may still be going: this one starts after it.
  const run = (state.sending || Promise.resolve()).then(() => exchange(asked, generation));
  run.generation = generation;
  state.sending = run;
  run.then(() => { if (state.sending === run) state.sending = null; });
  return run;
}

async function exchange(asked, generation) {
  const current = () => state.generation === generation && state.session !== null;
  if (!current()) return;
  if (!navigator.onLine) {
    if (asked) say('没有网络：记录已保存在本机，有网络时自动发送');
    return;
  }
  const { username, token } = state.session;
  try {
    const sent = await outbox.send(username, token);
    if (!current()) return;
    state.labels = await outbox.labels();
    await outbox.pull(token, current);
    if (!current()) return;
    const parts = [];
    if (sent.created) parts.push(`已发送${sent.created}条`);
    if (sent.duplicate) parts.push(`${sent.duplicate}条服务器已有`);
    if (sent.rejected) parts.push(`${sent.rejected}条被退回，请在“待同步”里查看`);
    if (sent.later) parts.push(`${sent.later}条稍后重发`);
    state.notice = parts.length ? parts.join('，') : (asked ? '已同步' : state.notice);
  } catch (error) {
    if (!current()) return;
    if (error instanceof outbox.NeedsLogin) {
      state.needsLogin = true;
      if (state.editing) { // the open form is kept: it is saved first, then the login
        say('登录已过期：保存这条走访后请重新登录，记录不会丢失');
        await refreshBar();
      } else {
        state.notice = EXPIRED_KEEP;
        const screen = root.querySelector('h1')?.textContent;
        if (screen === '待同步') await showOutbox();
        else await showHome();
      }
      return;
    }
    // Said as it is: "kept on this phone" only when something is waiting in the outbox.
    const waiting = (await outbox.items(username)).filter((i) => i.state === 'pending').length;
    const kept = waiting ? `：${waiting}条记录已保存在本机，稍后自动重试` : '，稍后自动重试';
    if (error instanceof outbox.Refused) {
      state.notice = '此账号不能记走访：请用包联干部的账号登录';
    } else if (error.timedOut) {
      state.notice = `服务器${outbox.TIMEOUT_MS / 1000}秒没有回应${kept}`;
    } else if (error.status === 429 || error.status >= 500) {
      state.notice = `服务器正忙${kept}`;
    } else {
      state.notice = `暂时连不上服务器${kept}`;
    }
  }
  const screen = root.querySelector('h1')?.textContent;
  if (screen === '我的联系户') await showHome();
  else if (screen === '待同步') await showOutbox();
  else await refreshBar();
}

// --- start ----------------------------------------------------------------------------------

async function start() {
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch(() => {});
  }
  window.addEventListener('online', () => { refreshBar(); syncNow(false); });
  window.addEventListener('offline', () => refreshBar());
  setInterval(() => { if (navigator.onLine) syncNow(false); }, 60000);
  state.labels = await outbox.keptLabels();
  await outbox.keptClock();
  state.session = (await store.get('kv', 'session')) || null;
  if (!state.session) { showLogin(); return; }
  await showHome();
  await syncNow(false);
}

start();
