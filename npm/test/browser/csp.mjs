// The page of csp.html, under the Content-Security-Policy the runner sets:
//   ?expect=refused: WebAssembly refused (default-src 'self'). One client listens for `error`,
//     one does not (its failure goes to console.error, which the runner reads).
//   ?expect=connected: script-src 'wasm-unsafe-eval' (and connect-src for the broker): a
//     message round-trips.
import { connect, connectAsync } from '/dist/browser.mjs';

const q = new URLSearchParams(location.search);
const auth = { username: q.get('username'), password: q.get('password') };

async function refused() {
  const heard = connect(q.get('url'), auth);
  const error = await new Promise((resolve) => heard.on('error', resolve));
  const unheard = connect(q.get('url'), auth);
  // Its console.error comes from the same failure, after this client's error event.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { name: error.name, code: error.code, message: error.message,
           disconnected: [heard.disconnected, unheard.disconnected] };
}

async function connected() {
  const client = await connectAsync(q.get('url'), auth);
  const topic = `browser/csp/${Date.now()}`;
  await client.subscribeAsync(topic, { qos: 1 });
  const got = new Promise((resolve) => client.once('message', (t, message) =>
    resolve({ topic: t, text: message.toString() })));
  await client.publishAsync(topic, 'allowed', { qos: 1 });
  const message = await got;
  await client.endAsync();
  return { message, expected: topic };
}

(q.get('expect') === 'refused' ? refused() : connected()).then(
  (result) => { window.testResult = { ok: true, result }; },
  (e) => { window.testResult = { ok: false, error: `${e.code ?? ''} ${e.message}` }; });
