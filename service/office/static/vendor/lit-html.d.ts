// The types of the vendored lit-html, for the console's type check only (clients/office: npm run
// check maps "lit-html" to the package's own declarations). Not served, not used at run time.
export * from "lit-html";
