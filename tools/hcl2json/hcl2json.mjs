#!/usr/bin/env node
// Prints the JSON form of Terraform (.tf) files, parsed by HashiCorp's HCL parser (WebAssembly, @cdktf/hcl2json).
// One path: that file's JSON. Several paths: one object keyed by path. Exit code 1 on a parse error.
import { readFile } from "node:fs/promises";
import { parse } from "@cdktf/hcl2json";

const paths = process.argv.slice(2);
if (paths.length === 0) {
  console.error("usage: node hcl2json.mjs <file.tf> [more.tf ...]");
  process.exit(2);
}

try {
  const parsed = {};
  for (const path of paths) parsed[path] = await parse(path, await readFile(path, "utf8"));
  process.stdout.write(JSON.stringify(paths.length === 1 ? parsed[paths[0]] : parsed));
  process.stdout.write("\n");
} catch (error) {
  console.error(`hcl2json: ${error?.message ?? error}`);
  process.exit(1);
}
