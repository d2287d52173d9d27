#!/usr/bin/env node
// Drive an MCP server with the TypeScript SDK's own Client, the way a TS-based host would, and report
// what that client makes of each tool result. Used by tests/e2e/test_ts_client.py.
//
//   node probe.mjs --http URL [--token TOKEN] [--plan FILE]     (or the token in $MCP_BEARER_TOKEN)
//   node probe.mjs --stdio [--env KEY=VALUE]... [--plan FILE] -- COMMAND [ARG]...
//
// The plan is JSON read from FILE or, without --plan (or with --plan -), from stdin, either
//   [{"tool": NAME, "arguments": {...}, "case": LABEL?}, ...]   these calls, in this order, or
//   {NAME: [{"arguments": {...}, "case": LABEL?}, ...], ...}    per tool: the listed tools in
//                                                                tools/list order, so the plan can
//                                                                name tools the server lacks.
// Output is JSON lines on stdout:
//   {"tools": [NAME, ...], "pages", "server", ...}             first, from tools/list
//   {"tool", "case", "ok": true, "isError", "text", "structuredContent"}  per call that returned
//   {"tool", "case", "ok": false, "thrown": MESSAGE}          per call the client threw on
//   {"tool", "missing": true}                                  a listed tool the per-tool plan lacks
//   {"fatal": MESSAGE}                                         connecting or listing failed (exit 1)
// callTool is the SDK's: it validates structuredContent against the tool's outputSchema, which is
// the point of the exercise, so nothing here works around it.

import { readFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";

function usage(message) {
  process.stderr.write(`probe: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { env: {}, command: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === "--http") opts.http = next();
    else if (a === "--token") opts.token = next();
    else if (a === "--plan") opts.plan = next();
    else if (a === "--stdio") opts.stdio = true;
    else if (a === "--env") {
      const kv = next();
      const eq = kv.indexOf("=");
      if (eq < 1) usage(`--env wants KEY=VALUE, got ${kv}`);
      opts.env[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === "--") {
      opts.command = argv.slice(i + 1);
      break;
    } else usage(`unknown option ${a}`);
  }
  if (!opts.http === !opts.stdio) usage("give exactly one of --http URL or --stdio -- COMMAND");
  if (opts.stdio && opts.command.length === 0) usage("--stdio needs -- COMMAND [ARG]...");
  return opts;
}

function transportFor(opts) {
  if (opts.http) {
    // The environment keeps the token off the command line (and out of `ps`).
    const token = opts.token ?? process.env.MCP_BEARER_TOKEN;
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    return new StreamableHTTPClientTransport(new URL(opts.http), { requestInit: { headers } });
  }
  const [command, ...args] = opts.command;
  // As a desktop host does: the SDK's safe default environment plus what the configuration sets.
  return new StdioClientTransport({
    command,
    args,
    env: { ...getDefaultEnvironment(), ...opts.env },
    stderr: "inherit",
  });
}

function readPlan(source) {
  const raw = readFileSync(!source || source === "-" ? 0 : source, "utf8");
  const plan = JSON.parse(raw);
  if (plan === null || typeof plan !== "object") throw new Error("the plan must be an array or an object");
  return plan;
}

// The calls to make: the plan itself, or a per-tool plan laid over the server's tool list.
function stepsFor(plan, toolNames) {
  if (Array.isArray(plan)) return plan;
  return toolNames.flatMap((name) =>
    Object.hasOwn(plan, name)
      ? plan[name].map((c) => ({ tool: name, arguments: c.arguments, case: c.case }))
      : [{ tool: name, missing: true }],
  );
}

const emit = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const textOf = (result) =>
  (result.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const plan = readPlan(opts.plan);
  const client = new Client({ name: "frontdesk-ts-probe", version: "1.0.0" });
  let steps;
  try {
    await client.connect(transportFor(opts));
    const tools = [];
    let cursor;
    let pages = 0;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      tools.push(...page.tools);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    emit({
      tools: tools.map((t) => t.name),
      // The SDK keeps output validators of the last tools/list page only: the test wants one page.
      pages,
      server: client.getServerVersion()?.name ?? null,
      protocolVersion: client.transport?.protocolVersion ?? null,
      withOutputSchema: tools.filter((t) => t.outputSchema).map((t) => t.name),
    });
    steps = stepsFor(plan, tools.map((t) => t.name));
  } catch (err) {
    emit({ fatal: String(err?.message ?? err) });
    await client.close().catch(() => {});
    process.exitCode = 1;
    return;
  }
  for (const step of steps) {
    if (step.missing) {
      emit({ tool: step.tool, missing: true });
      continue;
    }
    const label = { tool: step.tool, case: step.case ?? null };
    try {
      const result = await client.callTool({ name: step.tool, arguments: step.arguments ?? {} });
      emit({
        ...label,
        ok: true,
        isError: result.isError ?? false,
        text: textOf(result),
        contentTypes: (result.content ?? []).map((c) => (c.type === "image" ? `image:${c.mimeType}` : c.type)),
        structuredContent: result.structuredContent ?? null,
      });
    } catch (err) {
      emit({ ...label, ok: false, thrown: String(err?.message ?? err) });
    }
  }
  await client.close();
}

main().catch((err) => {
  emit({ fatal: String(err?.stack ?? err) });
  process.exitCode = 1;
});
