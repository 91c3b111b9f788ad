// A real mosquitto for the tests: a websockets listener on a free loopback port, in a fresh
// temporary directory. mosquitto 2.0's websockets listeners ignore the bind address, so the
// broker requires a password (allow_anonymous false) — nothing else can use it. With
// { tls: true } it also listens with TLS (mqtts, wss, and mqtts requiring a client
// certificate), with a throwaway CA and certificates made by the openssl CLI (makeCerts).
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const USERNAME = 'mqttws';
const PASSWORD = 'test-secret';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A throwaway CA, a server certificate it signed (for localhost and 127.0.0.1) and a client
 * certificate it signed, made with the openssl CLI into `dir` (files 0644: mosquitto runs as
 * user "mosquitto"). Returns the files' paths and PEM texts: { caFile, ca, serverCertFile,
 * serverKeyFile, serverCert, serverKey, clientCert, clientKey }.
 */
function makeCerts(dir) {
  const file = (name) => path.join(dir, name);
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2',
          '-subj', '/CN=mqttws test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
          '-addext', 'keyUsage=critical,keyCertSign');
  const issue = (name, cn, extensions) => {
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`),
            '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'),
            '-CAkey', file('ca.key'), '-set_serial', `0x${crypto.randomBytes(8).toString('hex')}`,
            '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
  };
  issue('server', 'localhost',
        'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('client', 'mqttws test client', 'extendedKeyUsage=clientAuth\n');
  for (const f of fs.readdirSync(dir)) fs.chmodSync(file(f), 0o644);
  const read = (name) => fs.readFileSync(file(name), 'utf8');
  return {
    caFile: file('ca.crt'), serverCertFile: file('server.crt'), serverKeyFile: file('server.key'),
    ca: read('ca.crt'), serverCert: read('server.crt'), serverKey: read('server.key'),
    clientCert: read('client.crt'), clientKey: read('client.key'),
  };
}

class Broker {
  /**
   * Starts a broker; `persistence` keeps sessions and queued messages across restarts; `tls`
   * adds the TLS listeners (tlsPort: mqtts, wssPort: wss, mtlsPort: mqtts with a client
   * certificate required) and `certs` (makeCerts).
   */
  static async start({ persistence = false, extraConfig = [], tls = false } = {}) {
    const ports = [];
    for (let i = 0; i < (tls ? 5 : 2); i++) ports.push(await freePort());
    const b = new Broker(ports, persistence, extraConfig);
    await b.#launch();
    return b;
  }

  #child = null;

  constructor([port, tcpPort, tlsPort, wssPort, mtlsPort], persistence, extraConfig = []) {
    this.port = port;
    this.tcpPort = tcpPort;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqttws-broker-'));
    fs.chmodSync(this.dir, 0o777);  // mosquitto drops root to user "mosquitto"
    const passwd = path.join(this.dir, 'passwd');
    execFileSync('mosquitto_passwd', ['-c', '-b', passwd, USERNAME, PASSWORD]);
    fs.chmodSync(passwd, 0o644);
    const tlsListeners = [];
    if (tlsPort) {
      this.tlsPort = tlsPort;
      this.wssPort = wssPort;
      this.mtlsPort = mtlsPort;
      this.certs = makeCerts(this.dir);
      const files = [`certfile ${this.certs.serverCertFile}`, `keyfile ${this.certs.serverKeyFile}`];
      tlsListeners.push(
        `listener ${tlsPort} 127.0.0.1`, 'protocol mqtt', ...files,
        `listener ${wssPort} 127.0.0.1`, 'protocol websockets', ...files,
        `listener ${mtlsPort} 127.0.0.1`, 'protocol mqtt', ...files,
        `cafile ${this.certs.caFile}`, 'require_certificate true');
    }
    const conf = [
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${passwd}`,
      'max_queued_messages 0',
      'set_tcp_nodelay true',
      `persistence ${persistence}`,
      `persistence_location ${this.dir}/`,
      'log_type error',
      'log_type warning',
      ...extraConfig,
      // mosquitto 2.0.11 opens no websockets listener unless a plain one exists too.
      `listener ${tcpPort} 127.0.0.1`,
      'protocol mqtt',
      `listener ${port} 127.0.0.1`,
      'protocol websockets',
      ...tlsListeners,
      '',
    ].join('\n');
    this.passwordFile = passwd;
    this.config = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(this.config, conf, { mode: 0o644 });
    this.url = `ws://127.0.0.1:${port}`;
    /** Its URL for each transport (mqtts and wss only with { tls: true }). */
    this.urls = { ws: this.url, mqtt: `mqtt://127.0.0.1:${tcpPort}` };
    if (tlsPort) {
      this.urls.mqtts = `mqtts://127.0.0.1:${tlsPort}`;
      this.urls.wss = `wss://127.0.0.1:${wssPort}`;
    }
    this.username = USERNAME;
    this.password = PASSWORD;
  }

  /** Options that authenticate against this broker. */
  get auth() {
    return { username: this.username, password: this.password };
  }

  /**
   * The CONNACK return code mosquitto gives `username`/`password` now: an MQTT 3.1.1 CONNECT
   * over its plain TCP listener (0 accepted, 5 not authorized).
   */
  checkCredentials(username, password) {
    const str = (s) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(2);
      len.writeUInt16BE(b.length);
      return Buffer.concat([len, b]);
    };
    // Variable header: "MQTT", level 4, flags (user name, password, clean session), keep alive 0.
    const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc2, 0, 0]),
                                str(`check-${process.pid}-${Date.now()}`), str(username), str(password)]);
    if (body.length > 127) throw new Error('checkCredentials: credentials too long');
    const connect = Buffer.concat([Buffer.from([0x10, body.length]), body]);
    return new Promise((resolve, reject) => {
      const c = net.connect(this.tcpPort, '127.0.0.1', () => c.write(connect));
      let got = Buffer.alloc(0);
      c.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4) {
          c.destroy();
          if (got[0] !== 0x20) reject(new Error(`not a CONNACK: ${got.toString('hex')}`));
          else resolve(got[3]);
        }
      });
      c.on('error', reject);
      c.on('close', () => reject(new Error('closed before CONNACK')));
    });
  }

  /**
   * Changes the password of the broker's user (mosquitto_passwd) and makes mosquitto reload
   * its password file (SIGHUP); resolves once the broker accepts the new password.
   */
  async setPassword(password) {
    execFileSync('mosquitto_passwd', ['-b', this.passwordFile, USERNAME, password]);
    fs.chmodSync(this.passwordFile, 0o644);  // read by user "mosquitto" when run as root
    this.password = password;
    this.#child.kill('SIGHUP');
    for (let i = 0; i < 100; i++) {
      if (await this.checkCredentials(USERNAME, password) === 0) return;
      await sleep(20);
    }
    throw new Error('mosquitto did not take the new password after SIGHUP');
  }

  async #launch() {
    const log = fs.openSync(path.join(this.dir, 'mosquitto.log'), 'a');
    this.#child = spawn('mosquitto', ['-c', this.config], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    const ports = [this.port, this.tcpPort, this.tlsPort, this.wssPort, this.mtlsPort]
      .filter(Boolean);
    for (let i = 0; i < 200; i++) {
      if ((await Promise.all(ports.map(canConnect))).every(Boolean)) return;
      const done = await Promise.race([exited.then(() => true), sleep(25).then(() => false)]);
      if (done) break;
    }
    throw new Error(`mosquitto did not start: ${fs.readFileSync(path.join(this.dir, 'mosquitto.log'), 'utf8')}`);
  }

  /** Stops the broker (SIGTERM: it saves its persistence file) and waits for it to exit. */
  async stop() {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGCONT');  // a paused broker (pause()) would not act on SIGTERM
      child.kill('SIGTERM');
    });
  }

  async start() {
    await this.#launch();
  }

  /**
   * Freezes the broker (SIGSTOP): connections stay open and nothing is read or acknowledged
   * until resume() (SIGCONT).
   */
  pause() {
    this.#child?.kill('SIGSTOP');
  }

  resume() {
    this.#child?.kill('SIGCONT');
  }

  /** Stops the broker and removes its directory. */
  async close() {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

module.exports = { Broker, makeCerts, USERNAME, PASSWORD };
