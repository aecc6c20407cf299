// Validates workflow files with GitHub's own parser (@actions/languageservice, the VS Code extension's engine).
// Usage: node --import ./register.mjs lint.mjs FILE...  Prints one line per problem; exit 1 on any error.
import { readFileSync } from "node:fs";
import { validate } from "@actions/languageservice";
import { TextDocument } from "vscode-languageserver-textdocument";

let errors = 0;
for (const file of process.argv.slice(2)) {
  const doc = TextDocument.create("file://" + file, "yaml", 1, readFileSync(file, "utf8"));
  const diagnostics = await validate(doc);
  for (const d of diagnostics) {
    const error = d.severity === undefined || d.severity === 1;
    if (error) errors++;
    console.log(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${error ? "error" : "warning"}: ${d.message}`);
  }
  console.log(`${file}: ${diagnostics.length === 0 ? "ok" : diagnostics.length + " finding(s)"}`);
}
process.exit(errors > 0 ? 1 : 0);
