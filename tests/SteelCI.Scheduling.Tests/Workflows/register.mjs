// @actions/languageservice imports its JSON schema without import attributes; Node 20 needs them (github-api.md §4.3).
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(`
export async function load(url, context, next) {
  if (url.endsWith(".json")) return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  return next(url, context);
}`));
