// graphql-http's server audit (the GraphQL-over-HTTP reference suite) against a live
// server: node tests/js/audit.mjs http://127.0.0.1:PORT/graphql
// Prints one JSON object: how many audits ended in each status, and every one not ok.
import { auditServer } from "graphql-http";

const results = await auditServer({ url: process.argv[2] });
const counts = {};
for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
const failures = results
  .filter(({ status }) => status !== "ok")
  .map(({ id, name, status, reason }) => ({ id, name, status, reason }));
console.log(JSON.stringify({ counts, failures }));
