// Jest runs the built package (dist/index.cjs) against real mosquitto brokers started by
// the tests themselves (test/broker.js). Build first: scripts/build.sh npm.
'use strict';
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 30000,
};
