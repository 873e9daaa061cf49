// npm ci && npm run vendor: copy the pinned lit-html (its module and its license) into the
// package, where /office/ serves it. The version is recorded in service/office/static/vendor/VERSIONS.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";

const target = new URL("../../service/office/static/vendor/", import.meta.url);
const lit = new URL("./node_modules/lit-html/", import.meta.url);
copyFileSync(new URL("lit-html.js", lit), new URL("lit-html.js", target));
copyFileSync(new URL("LICENSE", lit), new URL("lit-html.LICENSE", target));
const { version, license } = JSON.parse(readFileSync(new URL("package.json", lit), "utf8"));
writeFileSync(new URL("VERSIONS", target),
              `lit-html ${version} (${license}) from the npm registry, lit-html/lit-html.js\n`);
console.log(`vendored lit-html ${version}`);
