// MQTT 5 enhanced authentication against a scripted broker (auth_broker.js): the method and
// data in the CONNECT, AUTH challenges answered by client.handleAuth, re-authentication with
// client.authenticate(), and each way it can fail. The bytes the broker got are checked.
'use strict';
const { mqttws, WebSocket, next, within } = require('./helpers.js');
const { AuthBroker } = require('./auth_broker.js');

const METHOD = 'SCRAM-TEST';
const script = {
  method: METHOD,
  challenge: [0x01, 0x02, 0xfe, 0xff],
  expect: [0xca, 0xfe, 0x00, 0x01],
  success: [0x5a, 0x00],
  reauthChallenge: [0x33, 0x44],
  reauthExpect: [0xbe, 0xef],
};
const INITIAL = Uint8Array.from([0x10, 0x00, 0xff, 0x7f]);

/** Answers the script's challenges right, or with `wrong` bytes. */
function answer(packet, wrong) {
  const data = Array.from(packet.properties.authenticationData);
  const right = data.join() === script.reauthChallenge.join() ? script.reauthExpect : script.expect;
  return {
    reasonCode: 0x18,
    properties: { authenticationMethod: METHOD, authenticationData: Uint8Array.from(wrong ?? right) },
  };
}

const array = (b) => Array.from(b ?? []);

describe('enhanced authentication (MQTT 5)', () => {
  let broker;
  const clients = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await broker?.close();
    broker = undefined;
  });
  const start = async (overrides = {}) => {
    broker = await AuthBroker.start({ ...script, ...overrides });
  };
  const connect = (options = {}) => {
    const c = mqttws.connect(broker.url, {
      WebSocket, protocolVersion: 5, reconnectPeriod: 0,
      authPacket: { properties: { authenticationMethod: METHOD, authenticationData: INITIAL } },
      ...options,
    });
    clients.push(c);
    return c;
  };
  /** Connects with a handleAuth that answers right; resolves with the client and its CONNACK. */
  const authenticated = async (options) => {
    const client = connect(options);
    const challenges = [];
    client.handleAuth = (packet, callback) => {
      challenges.push(packet);
      callback(null, answer(packet));
    };
    const [connack] = await within(next(client, 'connect'), 5000, 'the CONNACK');
    return { client, connack, challenges };
  };

  test('authPacket puts the method and data into CONNECT; handleAuth answers the challenge', async () => {
    await start();
    const { connack, challenges } = await authenticated();
    const [connectPacket] = broker.packets('connect');
    expect(connectPacket.properties.authenticationMethod).toBe(METHOD);
    expect(array(connectPacket.properties.authenticationData)).toEqual([0x10, 0x00, 0xff, 0x7f]);
    expect(challenges).toEqual([{
      cmd: 'auth', reasonCode: 0x18,
      properties: { authenticationMethod: METHOD, authenticationData: Uint8Array.from(script.challenge) },
    }]);
    const auths = broker.packets('auth');
    expect(auths).toHaveLength(1);
    expect(auths[0].reasonCode).toBe(0x18);
    expect(auths[0].properties.authenticationMethod).toBe(METHOD);
    expect(array(auths[0].properties.authenticationData)).toEqual([0xca, 0xfe, 0x00, 0x01]);
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties.authenticationMethod).toBe(METHOD);
    expect(array(connack.properties.authenticationData)).toEqual([0x5a, 0x00]);
  });

  test('properties.authenticationMethod (without authPacket) starts it too', async () => {
    await start();
    const { client } = await authenticated({
      authPacket: undefined,
      properties: { authenticationMethod: METHOD, authenticationData: 'abc' },
    });
    expect(client.connected).toBe(true);
    const [connectPacket] = broker.packets('connect');
    expect(connectPacket.properties.authenticationMethod).toBe(METHOD);
    expect(array(connectPacket.properties.authenticationData)).toEqual([0x61, 0x62, 0x63]);
    expect(array(broker.packets('auth')[0].properties.authenticationData)).toEqual(script.expect);
  });

  test('authenticate() re-authenticates: AUTH 0x19, a challenge for handleAuth, Success resolves', async () => {
    await start();
    const { client, challenges } = await authenticated();
    await within(client.authenticate({ authenticationData: Uint8Array.from([0x19, 0x00, 0x01]) }),
                 5000, 'the re-authentication');
    const auths = broker.packets('auth');
    expect(auths.map((p) => p.reasonCode)).toEqual([0x18, 0x19, 0x18]);
    expect(auths[1].properties.authenticationMethod).toBe(METHOD);  // the CONNECT's
    expect(array(auths[1].properties.authenticationData)).toEqual([0x19, 0x00, 0x01]);
    expect(array(auths[2].properties.authenticationData)).toEqual([0xbe, 0xef]);
    expect(challenges.map((p) => array(p.properties.authenticationData)))
      .toEqual([script.challenge, script.reauthChallenge]);
    expect(client.connected).toBe(true);
  });

  test('without a handleAuth the challenge ends in an auth_failed error', async () => {
    await start();
    const client = connect();
    const [error] = await within(next(client, 'error'), 5000, 'the error event');
    expect(error).toBeInstanceOf(mqttws.MqttError);
    expect(error.code).toBe('auth_failed');
    expect(broker.packets('auth')).toEqual([]);  // nothing was answered
    expect(client.connected).toBe(false);
  });

  test('a handleAuth calling back with an MqttError emits that error', async () => {
    await start();
    const client = connect();
    const mine = new mqttws.MqttError('no credentials in the keychain', 'keychain_locked');
    client.handleAuth = (packet, callback) => callback(mine);
    const [error] = await within(next(client, 'error'), 5000, 'the error event');
    expect(error).toBe(mine);
    expect(broker.packets('auth')).toEqual([]);
  });

  test('a handleAuth calling back with a plain Error emits it as auth_failed', async () => {
    await start();
    const client = connect();
    client.handleAuth = (packet, callback) => callback(new Error('HSM unavailable'));
    const [error] = await within(next(client, 'error'), 5000, 'the error event');
    expect(error).toBeInstanceOf(mqttws.MqttError);
    expect(error.code).toBe('auth_failed');
    expect(error.message).toContain('HSM unavailable');
  });

  test.each([['0x87', 0x87], ['0x8C', 0x8c]])('a wrong answer is refused by CONNACK %s: an error with that reason code', async (_, refuseCode) => {
    await start({ refuseCode });
    const client = connect();
    client.handleAuth = (packet, callback) => callback(null, answer(packet, [0x00, 0x00]));
    const connacks = [];
    client.on('packetreceive', (p) => {
      if (p.cmd === 'connack') connacks.push(p);
    });
    const [error] = await within(next(client, 'error'), 5000, 'the refusal');
    expect(error).toBeInstanceOf(mqttws.MqttError);
    expect(error.code).toBe('connection_refused');
    expect(error.reasonCode).toBe(refuseCode);
    expect(array(broker.packets('auth')[0].properties.authenticationData)).toEqual([0x00, 0x00]);
    expect(connacks).toEqual([{ cmd: 'connack', sessionPresent: false, reasonCode: refuseCode }]);
    expect(client.connected).toBe(false);
  });

  test('another authentication method is refused by CONNACK 0x8C', async () => {
    await start();
    const client = connect({ authPacket: { properties: { authenticationMethod: 'OTHER' } } });
    const [error] = await within(next(client, 'error'), 5000, 'the refusal');
    expect(error).toMatchObject({ code: 'connection_refused', reasonCode: 0x8c });
  });

  test('a wrong answer during re-authentication: DISCONNECT 0x87 rejects authenticate()', async () => {
    await start();
    const { client } = await authenticated();
    client.handleAuth = (packet, callback) => callback(null, answer(packet, [0x01]));
    const disconnect = next(client, 'disconnect');
    const error = await within(client.authenticate().then(() => undefined, (e) => e), 5000,
                               'authenticate() to settle');
    expect(error).toBeInstanceOf(mqttws.MqttError);
    expect(error.code).toBe('server_disconnected');
    expect(error.reasonCode).toBe(0x87);
    const [packet] = await within(disconnect, 1000, 'the disconnect event');
    expect(packet).toEqual({ cmd: 'disconnect', reasonCode: 0x87 });
    expect(client.connected).toBe(false);
  });

  test('authenticate() without enhanced authentication in use is refused with invalid_state', async () => {
    await start();
    const client = connect({ authPacket: undefined });
    await within(next(client, 'connect'), 5000, 'a plain connection');
    await expect(client.authenticate({ authenticationData: 'x' }))
      .rejects.toMatchObject({ code: 'invalid_state' });
    expect(broker.packets('auth')).toEqual([]);
  });

  test('authenticate() on MQTT 3.1.1 is refused with properties_require_v5', async () => {
    await start();
    const client = connect({ protocolVersion: 4, authPacket: undefined });
    await within(next(client, 'connect'), 5000, 'a 3.1.1 connection');
    await expect(client.authenticate()).rejects.toMatchObject({ code: 'properties_require_v5' });
  });
});
