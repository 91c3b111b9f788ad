// Every topic under examples/+/temperature, live: client.state() keeps the last message per
// topic (retained and live); the list is redrawn whenever it changes.
import mqtt from 'mqttws';

const q = new URLSearchParams(location.search);
const client = mqtt.connect(q.get('url') ?? 'ws://localhost:8080', {
  username: q.get('username') ?? undefined, password: q.get('password') ?? undefined,
  protocolVersion: 5,
});
const status = document.querySelector('#status');
client.on('connect', () => (status.textContent = 'connected'));
client.on('offline', () => (status.textContent = 'offline, reconnecting…'));
client.on('error', (e) => (status.textContent = `error: ${e.code} ${e.message}`));

const temperatures = client.state('examples/+/temperature', { parse: (p) => Number(p.toString()) });
const list = document.querySelector('#rooms');
temperatures.subscribe((snapshot) => {
  list.replaceChildren(...[...snapshot].map(([topic, celsius]) => {
    const li = document.createElement('li');
    li.textContent = `${topic.split('/')[1]}: ${celsius} °C`;
    return li;
  }));
});
