// What CI compiles with tsc --strict (and, given an address, runs with Node against a live
// service): a county admin logs in, reads a page of every list, downloads the roster template,
// uploads a roster as FormData, exports a village's households and edits one with If-Match.
import {
  badRows,
  connect,
  exportHouseholds,
  householdTemplate,
  importHouseholds,
  logIn,
  ProblemError,
  setMembers,
} from "./client.js";
import * as lists from "./generated/lists.js";

export async function check(baseUrl: string, username: string, password: string) {
  const client = connect(baseUrl);
  await logIn(client, username, password);

  const villages = await lists.listVillages(client, { query: { per_page: 500 } });
  const totals: Record<string, number> = {
    listVillages: villages.total,
    listHouseholds: (await lists.listHouseholds(client, {})).total,
    listCadres: (await lists.listCadres(client, { query: { page: 1 } })).total,
    listVisits: (await lists.listVisits(client, {})).total,
    listPairings: (await lists.listPairings(client, {})).total,
  };

  const template = await householdTemplate(client);
  const village = villages.items[0];
  if (village === undefined) throw new Error("the county has no village");
  const roster = new Blob(
    [
      "\uFEFF村代码,户主姓名,身份证号,联系电话,家庭人口,困难程度,帮扶需求,人均纯收入\r\n" +
        `${village.code},赵一,14042119800101123X,,4,难度较小,技能培训,3000\r\n`,
    ],
    { type: "text/csv" },
  );
  const counts = await importHouseholds(client, roster, true);
  let refused: string[] = [];
  try {
    await importHouseholds(client, new Blob(["村代码\r\n999\r\n"], { type: "text/csv" }), true);
  } catch (problem) {
    if (!(problem instanceof ProblemError)) throw problem;
    refused = problem.problem.code === "import_rows_invalid" ? badRows(problem.problem) : [];
  }

  const exported = await exportHouseholds(client, village.id);
  const households = await lists.listHouseholds(client, { query: { village_id: village.id } });
  const first = households.items[0];
  const edited = first === undefined ? null : await setMembers(client, first.id, first.members);
  return {
    totals,
    templateBytes: template.size,
    counts,
    refused,
    exportBytes: exported.size,
    edited: edited?.household.id ?? null,
    lists: lists.LIST_OPERATIONS.length,
  };
}
