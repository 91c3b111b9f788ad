// bounded.js: every wait of the Node benchmark programs ends: a promise, or a failure naming
// what was awaited once `seconds` have passed.
'use strict';

/** `promise`, or a rejection "timed out after S s <what>" after `seconds`. */
function bounded(promise, seconds, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${seconds} s ${what}`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

module.exports = { bounded };
