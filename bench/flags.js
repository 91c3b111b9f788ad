// flags.js: command-line flags of the Node benchmark programs (node-bench.js, node-memory.js,
// browser-memory.mjs), parsed one way: `--flag value` pairs, integers in a range, a URL.
// Every error goes to the caller's usage(message), which prints it and exits 2.
'use strict';

/** The broker's address and credentials, the same flags in every program. */
const CONNECTION_FLAGS = {
  '--url': 'url', '-u': 'user', '--user': 'user', '-P': 'password', '--password': 'password',
};

/** Reads `--flag value` pairs from argv into `into`, by `table` (flag → key); returns `into`. */
function parseFlags(argv, table, into, usage) {
  for (let i = 0; i < argv.length; i += 2) {
    const key = table[argv[i]];
    if (!key) usage(`unknown flag "${argv[i]}"`);
    if (i + 1 >= argv.length) usage(`missing value for ${argv[i]}`);
    into[key] = argv[i + 1];
  }
  return into;
}

/** o[key] as an integer in min..max, `def` when absent. */
function intFlag(o, key, def, min, max, usage) {
  if (o[key] === undefined) return def;
  const v = Number(o[key]);
  if (!Number.isInteger(v) || v < min || v > max) {
    usage(`--${key} must be an integer in ${min}..${max}, not "${o[key]}"`);
  }
  return v;
}

/** o.url parsed; `expected` says what --url should look like when it is missing. */
function urlFlag(o, expected, usage) {
  if (o.url === undefined) usage(`missing --url (${expected})`);
  try {
    return new URL(o.url);
  } catch {
    return usage(`--url "${o.url}" is not a URL`);
  }
}

module.exports = { CONNECTION_FLAGS, parseFlags, intFlag, urlFlag };
