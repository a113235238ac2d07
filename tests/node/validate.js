#!/usr/bin/env node
/*
 * Learning Locker's xAPI statement validator (@learninglocker/xapi-validation) over many
 * statements in one process.
 *
 * stdin:  a JSON array of statements.
 * stdout: a JSON array of the same length; item i is the list of warnings for statement i,
 *         each a readable string ("statement.context.registration: TypeWarning (expected
 *         UUID), got \"x\""). An empty list means the statement is valid.
 *
 * The spec allows a single object where contextActivities expects an array (part two,
 * 2.4.6.2) and an LRS wraps it before validating; the bare validator does not, so it is done
 * here, in statements and in SubStatements.
 */
"use strict";

const validate = require("@learninglocker/xapi-validation").default;

const CONTEXT_ACTIVITY_KINDS = ["parent", "grouping", "category", "other"];

function wrapContextActivities(statement) {
  const copy = JSON.parse(JSON.stringify(statement));
  const wrap = (stmt) => {
    const activities = stmt && stmt.context && stmt.context.contextActivities;
    if (activities && typeof activities === "object") {
      for (const kind of CONTEXT_ACTIVITY_KINDS) {
        const value = activities[kind];
        if (value && typeof value === "object" && !Array.isArray(value)) {
          activities[kind] = [value];
        }
      }
    }
    if (stmt && stmt.object && stmt.object.objectType === "SubStatement") {
      wrap(stmt.object);
    }
  };
  wrap(copy);
  return copy;
}

function describe(warning) {
  let text = `${(warning.path || []).join(".")}: ${warning.name}`;
  if (warning.typeName) {
    text += ` (expected ${warning.typeName})`;
  } else if (warning.type && warning.type.name) {
    text += ` (expected ${warning.type.name})`;
  }
  if (warning.keys) {
    text += ` (keys not allowed: ${warning.keys.join(", ")})`;
  } else {
    const data = JSON.stringify(warning.data);
    text += `, got ${data === undefined ? "nothing" : data.slice(0, 200)}`;
  }
  return text;
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const statements = JSON.parse(input);
  if (!Array.isArray(statements)) {
    process.stderr.write("expected a JSON array of statements on stdin\n");
    process.exit(2);
  }
  const results = statements.map((statement) =>
    validate(wrapContextActivities(statement)).map(describe)
  );
  process.stdout.write(JSON.stringify(results));
});
