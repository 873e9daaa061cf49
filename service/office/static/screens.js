// The console's screens (SPEC §16), one module each under screens/. A screen is
// {name, title, roles, view(query, tools), nav?}: its view reads its filters, sort and page from
// the address (query), asks the API, and answers what to show; tools.go(query) changes the
// address, which shows the screen again. What a role may not do, its menu does not offer (the
// API still refuses it).

import { home } from "./screens/home.js";
import { households } from "./screens/households.js";
import { household } from "./screens/household.js";
import { imports } from "./screens/imports.js";
import { coverage } from "./screens/coverage.js";
import { plans } from "./screens/plans.js";
import { handover } from "./screens/handover.js";
import { overdue } from "./screens/overdue.js";
import { months } from "./screens/months.js";
import { bulletin } from "./screens/bulletin.js";
import { evaluation } from "./screens/evaluation.js";
import { cards } from "./screens/cards.js";
import { users } from "./screens/users.js";
import { audit } from "./screens/audit.js";

const ALL = ["county_admin", "unit_admin", "inspector"];
const ADMINS = ["county_admin", "unit_admin"];
const COUNTY = ["county_admin"];

/**
 * Every screen, in the menu's order, with the roles that may use it.
 * @type {Array<{name: string, title: string, roles: string[], nav?: boolean,
 *   view: (query: import("./ui.js").Query, tools: import("./ui.js").Tools) => Promise<unknown>}>}
 */
export const SCREENS = [
  { name: "home", title: "首页", roles: ALL, view: home },
  { name: "households", title: "农户", roles: ALL, view: households },
  { name: "household", title: "农户详情", roles: ALL, view: household, nav: false },
  { name: "imports", title: "花名册导入", roles: COUNTY, view: imports },
  { name: "coverage", title: "两个全覆盖", roles: ALL, view: coverage },
  { name: "plans", title: "包联方案", roles: ADMINS, view: plans },
  { name: "handover", title: "交接", roles: ADMINS, view: handover },
  { name: "overdue", title: "逾期", roles: ALL, view: overdue },
  { name: "months", title: "每月公示", roles: ALL, view: months },
  { name: "bulletin", title: "情况通报", roles: ALL, view: bulletin },
  { name: "evaluation", title: "年度考核", roles: ADMINS, view: evaluation },
  { name: "cards", title: "连心卡", roles: ADMINS, view: cards },
  { name: "users", title: "用户", roles: COUNTY, view: users },
  { name: "audit", title: "审计", roles: ALL, view: audit },
];
