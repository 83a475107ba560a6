#!/usr/bin/env node
// Compares wsl-llm-doctor's reading of a GGUF file (`fit FILE --ctx 8192 --format json`)
// with @huggingface/gguf's, and its KV cache with ../shared/tools/gguf/kv-oracle.mjs.
//   PEERS=DIR node peer-compare.mjs FILE OURS.json ORACLE.json
// Prints one line per file; exits 1 on any disagreement.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [file, oursPath, oraclePath] = process.argv.slice(2);
const require = createRequire(path.join(process.env.PEERS, "package.json"));
const hf = require("@huggingface/gguf");
const ours = JSON.parse(readFileSync(oursPath, "utf8"));
const oracle = JSON.parse(readFileSync(oraclePath, "utf8"));
const { metadata: m, tensorInfos, tensorDataOffset, parameterCount } = await hf.gguf(
  path.resolve(file), { allowLocalFile: true, computeParametersCount: true });
const arch = m["general.architecture"];
const num = (v) => (typeof v === "bigint" ? Number(v) : v);
const g = ours.model;
const row = ours.rows.find((r) => r.ctx === 8192);
// Encoders get no KV cache in llama.cpp (create_memory returns nullptr, gguf.md 3.5);
// kv-oracle.mjs does not model that, so for them the expected figure is 0.
const NO_MEMORY = ["bert", "jina-bert-v2", "jina-bert-v3", "nomic-bert", "nomic-bert-moe",
  "neo-bert", "wavtokenizer-dec", "gemma-embedding", "dream", "llada", "llada-moe", "rnd1"];
const kvExpected = NO_MEMORY.includes(arch) ? 0 : oracle.total_bytes;
const checks = [
  ["arch", g.arch, arch],
  ["tensors", g.n_tensors, tensorInfos.length],
  ["key-value pairs", g.n_kv, num(m.kv_count)],
  ["parameters", g.n_params, num(parameterCount ?? 0)],
  ["block_count", g.n_layer, num(m[`${arch}.block_count`] ?? 0)],
  ["context_length", g.n_ctx_train, num(m[`${arch}.context_length`] ?? 0)],
  ["KV bytes at 8192", row && row.kv_bytes, kvExpected],
];
// llama.cpp pads the data start only when there are tensors (gguf.md 1.1)
if (tensorInfos.length) checks.push(["data offset", g.header_bytes, num(tensorDataOffset)]);
const bad = checks.filter(([, a, b]) => a !== b);
for (const [what, a, b] of bad) console.log(`MISMATCH ${path.basename(file)}: ${what}: ours ${a}, peer ${b}`);
console.log(`${bad.length ? "FAIL" : "ok  "} ${path.basename(file)}: ${arch}, ${tensorInfos.length} tensors, ` +
  `KV@8192 ${kvExpected} B (${checks.length} fields compared)`);
process.exit(bad.length ? 1 : 0);
