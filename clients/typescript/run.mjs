// Run src/check.ts against a live service: `node run.mjs URL USERNAME` (the password on stdin);
// prints what it read as JSON. The sources are transpiled to dist/ first (TypeScript's own
// transpiler, no type check: `npm run check` is the type check). tests/api/
// test_typescript_client.py runs it; so can you, against `flask --app service serve-demo`:
//   echo demo-pass-2026 | node run.mjs http://127.0.0.1:8000 admin
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const [url, username] = process.argv.slice(2);
if (!url || !username) throw new Error("usage: node run.mjs URL USERNAME < password");
const password = fs.readFileSync(0, "utf8").trim();

const src = path.join(here, "src");
const dist = path.join(here, "dist");
for (const file of fs.readdirSync(src, { recursive: true })) {
  if (!file.endsWith(".ts")) continue;
  const { outputText } = ts.transpileModule(fs.readFileSync(path.join(src, file), "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  const target = path.join(dist, file.replace(/\.ts$/, ".js"));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, outputText);
}
const { check } = await import(pathToFileURL(path.join(dist, "check.js")).href);
console.log(JSON.stringify(await check(url, username, password)));
