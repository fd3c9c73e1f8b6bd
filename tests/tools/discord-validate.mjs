// Validates request bodies against Discord's own Zod schemas (npm discord-api-spec, generated from Discord's OpenAPI).
// Input: JSON lines {"schema": "MessageCreateRequestSchema", "body": {...}} on stdin; a schema name ending in "[]"
// validates an array of that schema (bulk overwrite of commands).
// Output: one JSON line per input line, {"ok": true} or {"ok": false, "errors": [...]}.
// Objects are strict: an unknown or misspelt field is an error, not silently dropped.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

// The package builds its schemas at import time with z.object (lenient); setStrictObject() only affects schemas
// built afterwards. Load a copy of the module with strict objects instead.
const specUrl = import.meta.resolve("discord-api-spec/zod");
const zodMiniUrl = import.meta.resolve("zod/mini");
const source = readFileSync(fileURLToPath(specUrl), "utf8")
  .replace('let zObject = z.object;', 'let zObject = z.strictObject;')
  .replaceAll('from "zod/mini"', `from ${JSON.stringify(zodMiniUrl)}`);
if (!source.includes("let zObject = z.strictObject;")) {
  throw new Error("discord-api-spec layout changed: cannot switch to strict objects");
}
const spec = await import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));
const z = await import(zodMiniUrl);

function validate(name, body) {
  const isArray = name.endsWith("[]");
  const base = isArray ? name.slice(0, -2) : name;
  const schema = spec[base];
  if (!schema) return { ok: false, errors: [`unknown schema ${base}`] };
  const result = (isArray ? z.array(schema) : schema).safeParse(body);
  if (result.success) return { ok: true };
  return {
    ok: false,
    errors: result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}${i.keys ? " " + i.keys.join(",") : ""}`),
  };
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let out;
  try {
    const { schema, body } = JSON.parse(line);
    out = validate(schema, body);
  } catch (e) {
    out = { ok: false, errors: [`bad input line: ${e.message}`] };
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}
