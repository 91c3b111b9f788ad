'use strict';
// end() waits for the outgoing QoS 1 messages in flight (the core's drain); end(true) does not.
const { useBroker, uniqueTopic } = require('./helpers.js');

describe('end() and messages in flight', () => {
  const ctx = useBroker();

  /** Publishes `n` QoS 1 messages without waiting; an array filled in as their callbacks run. */
  function publishMany(client, n) {
    const topic = uniqueTopic('drain');
    const results = [];
    for (let i = 0; i < n; i++) {
      client.publish(topic, `m${i}`, { qos: 1 }, (error) => results.push(error ?? null));
    }
    return results;
  }

  test('end() waits until every in-flight QoS 1 publish is acknowledged, then emits end',
    async () => {
      const client = await ctx.connect();
      const results = publishMany(client, 20);
      expect(client.stats().inflight + client.stats().queued).toBe(20);
      let atEnd;
      client.on('end', () => { atEnd = results.slice(); });
      await client.endAsync();
      expect(atEnd).toHaveLength(20);
      expect(atEnd.every((e) => e === null)).toBe(true);
      expect(client.disconnected).toBe(true);
    });

  test('end(true) does not wait: in-flight publishes fail with session_closed', async () => {
    const client = await ctx.connect();
    const results = publishMany(client, 5);
    await client.endAsync(true);
    expect(results).toHaveLength(5);
    for (const e of results) expect(e).toMatchObject({ code: 'session_closed' });
  });

  test('end(true) during a waiting end() ends it at once', async () => {
    const client = await ctx.connect();
    ctx.broker.pause();  // nothing is acknowledged any more
    try {
      const results = publishMany(client, 3);
      const ended = new Promise((resolve) => client.end(resolve));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(results).toHaveLength(0);  // still waiting
      client.end(true);
      await ended;
      expect(results).toHaveLength(3);
      for (const e of results) expect(e).toMatchObject({ code: 'session_closed' });
    } finally {
      ctx.broker.resume();
    }
  });
});
