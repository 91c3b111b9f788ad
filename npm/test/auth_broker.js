// A scripted MQTT broker over WebSocket (the `ws` server, packets by mqtt-packet) for what
// mosquitto cannot show: MQTT 5 enhanced authentication with a made-up method, and the URL
// each WebSocket asked for. It speaks just enough MQTT:
//
//   CONNECT without an Authentication Method (or MQTT 3.1.1) -> CONNACK 0
//   CONNECT with another method than `method`                -> CONNACK 0x8C, close
//   CONNECT with `method`    -> AUTH 0x18 {method, challenge}
//     AUTH 0x18 with data `expect`                           -> CONNACK 0 {method, success}
//     AUTH 0x18 with other data                              -> CONNACK `refuseCode`, close
//   AUTH 0x19 (re-authentication) -> AUTH 0x18 {method, reauthChallenge}
//     AUTH 0x18 with data `reauthExpect`                     -> AUTH 0x00 {method}
//     AUTH 0x18 with other data                              -> DISCONNECT 0x87, close
//   SUBSCRIBE -> SUBACK granting each filter its QoS, or `subackCode` for each
//   PINGREQ -> PINGRESP; DISCONNECT -> close
//
// Everything it receives is recorded (`received`), with the request URL of each WebSocket.
'use strict';
const mqttPacket = require('mqtt-packet');
const { WebSocketServer } = require('ws');

const bytes = (b) => Buffer.from(b ?? []);

class AuthBroker {
  /**
   * Options: method ('SCRAM-TEST'), challenge, expect, success, reauthChallenge,
   * reauthExpect (byte arrays), refuseCode (0x87), subackCode (a SUBACK failure code, e.g.
   * 0x80; by default subscriptions are granted).
   */
  static async start(options = {}) {
    const b = new AuthBroker(options);
    await new Promise((resolve, reject) => {
      b.#server.once('listening', resolve);
      b.#server.once('error', reject);
    });
    b.port = b.#server.address().port;
    b.url = `ws://127.0.0.1:${b.port}`;
    return b;
  }

  /** Request URL (path and query) of each WebSocket, in order. */
  requests = [];
  /** Every packet received: { connection (0, 1, ...), packet } in mqtt-packet's shape. */
  received = [];
  #server;
  #sockets = new Set();
  #o;

  constructor(options) {
    this.#o = {
      method: 'SCRAM-TEST', refuseCode: 0x87, challenge: [], expect: [], success: undefined,
      reauthChallenge: [], reauthExpect: [], ...options,
    };
    this.#server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.#server.on('connection', (ws, req) => this.#serve(ws, req));
  }

  /** The packets of `cmd` received so far. */
  packets(cmd) {
    return this.received.filter((r) => r.packet.cmd === cmd).map((r) => r.packet);
  }

  #serve(ws, req) {
    const connection = this.requests.length;
    this.requests.push(req.url);
    this.#sockets.add(ws);
    ws.on('close', () => this.#sockets.delete(ws));
    const o = this.#o;
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    let version = 5;
    let state = 'new';
    const send = (packet) => ws.send(mqttPacket.generate(packet, { protocolVersion: version }));
    const refuse = (reasonCode) => {
      send({ cmd: 'connack', sessionPresent: false, reasonCode, returnCode: 5 });
      ws.close();
    };
    const connack = (properties) =>
      send({ cmd: 'connack', sessionPresent: false, reasonCode: 0, returnCode: 0, properties });
    const dataOf = (p) => bytes(p.properties?.authenticationData);
    parser.on('packet', (p) => {
      this.received.push({ connection, packet: p });
      switch (p.cmd) {
        case 'connect': {
          version = p.protocolVersion;
          parser.settings.protocolVersion = version;
          const method = p.properties?.authenticationMethod;
          if (version !== 5 || method === undefined) {
            state = 'connected';
            connack(undefined);
          } else if (method !== o.method) {
            refuse(0x8c);
          } else {
            state = 'auth';
            send({ cmd: 'auth', reasonCode: 0x18, properties: {
              authenticationMethod: o.method, authenticationData: bytes(o.challenge) } });
          }
          break;
        }
        case 'auth':
          if (p.reasonCode === 0x19 && state === 'connected') {
            state = 'reauth';
            send({ cmd: 'auth', reasonCode: 0x18, properties: {
              authenticationMethod: o.method, authenticationData: bytes(o.reauthChallenge) } });
          } else if (p.reasonCode === 0x18 && state === 'auth') {
            if (!dataOf(p).equals(bytes(o.expect))) {
              refuse(o.refuseCode);
              break;
            }
            state = 'connected';
            const properties = { authenticationMethod: o.method };
            if (o.success) properties.authenticationData = bytes(o.success);
            connack(properties);
          } else if (p.reasonCode === 0x18 && state === 'reauth') {
            if (!dataOf(p).equals(bytes(o.reauthExpect))) {
              send({ cmd: 'disconnect', reasonCode: 0x87 });
              ws.close();
              break;
            }
            state = 'connected';
            send({ cmd: 'auth', reasonCode: 0x00, properties: { authenticationMethod: o.method } });
          } else {
            send({ cmd: 'disconnect', reasonCode: 0x82 });  // protocol error
            ws.close();
          }
          break;
        case 'subscribe':
          send({ cmd: 'suback', messageId: p.messageId,
                 granted: p.subscriptions.map((sub) => o.subackCode ?? sub.qos) });
          break;
        case 'pingreq':
          send({ cmd: 'pingresp' });
          break;
        case 'disconnect':
          ws.close();
          break;
        default:
          break;
      }
    });
    parser.on('error', () => ws.terminate());
    ws.on('message', (data) => parser.parse(data));
  }

  async close() {
    for (const ws of this.#sockets) ws.terminate();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

module.exports = { AuthBroker };
