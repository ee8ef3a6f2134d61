// bench/fanout: one committed change → N graphql-ws subscribers (bench/fanout/run drives it).
//
//   node fanout.mjs --url http://127.0.0.1:18090 --token <jwt> --opportunity <id>
//                   --subscribers 1000 --rounds 20 --workers 2 --pid <server pid> [--floor true]
//
// The subscribers are spread over worker processes (graphql-ws clients on `ws`, one socket
// each, all subscribed to `opportunityChanged(id)`). Each round the main process changes the
// opportunity (updateOpportunity over HTTP) and notes the time just before sending it; every
// worker notes when each socket receives the change. Delivery latency = receipt − send, over
// all sockets and rounds. Memory per idle socket = the server's RSS growth from before the
// sockets opened to after they all subscribed and settled, divided by N. CPU per delivery: the
// server's (from /proc) and the workers' (process.cpuUsage) over the rounds. With --floor the
// server is bench/fanout/floor and a round is a POST /publish instead of the mutation. Prints
// one JSON line.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

if (process.env.FANOUT_WORKER) {
  // A worker: `count` sockets; reports receipts per version.
  const { url, token, opportunity, count } = JSON.parse(process.env.FANOUT_WORKER);
  const wsUrl = url.replace(/^http/, 'ws') + '/graphql';
  const receipts = new Map(); // version -> [times]
  let subscribed = 0;
  let failures = 0;
  const clients = [];
  for (let i = 0; i < count; i++) {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { Authorization: `Bearer ${token}` },
      on: { connected: () => { subscribed++; } },
    });
    client.subscribe(
      { query: `subscription($id: ID) { opportunityChanged(id: $id) { id version } }`, variables: { id: opportunity } },
      {
        next: (msg) => {
          const t = now();
          const v = msg.data?.opportunityChanged?.version;
          if (!receipts.has(v)) receipts.set(v, []);
          receipts.get(v).push(t);
        },
        error: () => { failures++; },
        complete: () => {},
      },
    );
    clients.push(client);
    if (i % 200 === 199) await sleep(20); // do not trip the accept queue
  }
  process.on('message', (m) => {
    if (m.type === 'status') process.send({ type: 'status', subscribed, failures });
    if (m.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send({ type: 'cpu', ms: (user + system) / 1000 });
    }
    if (m.type === 'receipts') {
      process.send({ type: 'receipts', version: m.version, times: receipts.get(m.version) || [] });
      receipts.delete(m.version);
    }
    if (m.type === 'stop') {
      for (const c of clients) c.dispose();
      setTimeout(() => process.exit(0), 200);
    }
  });
  process.send({ type: 'started' });
} else {
  const n = Number(args.subscribers || 1000);
  const rounds = Number(args.rounds || 20);
  const workers = Number(args.workers || 2);
  const rss = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${args.pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  };
  // The server's CPU time so far (user + system, clock ticks of 10 ms).
  const serverCpuMs = () => {
    const fields = readFileSync(`/proc/${args.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const clientCpuMs = async () =>
    (await Promise.all(children.map((c) => ask(c, { type: 'cpu' })))).reduce((s, x) => s + x.ms, 0);
  const gql = async (query, variables) => {
    const r = await fetch(`${args.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${args.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const rssBefore = rss();
  const children = [];
  const pending = new Map();
  for (let w = 0; w < workers; w++) {
    const count = Math.floor(n / workers) + (w < n % workers ? 1 : 0);
    const child = fork(new URL(import.meta.url).pathname, [], { execArgv: process.env.FANOUT_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.FANOUT_CPU_PROF] : [],
      env: { ...process.env, FANOUT_WORKER: JSON.stringify({ url: args.url, token: args.token, opportunity: args.opportunity, count }) },
    });
    child.on('message', (m) => {
      const waiting = pending.get(child);
      if (waiting && m.type !== 'started') { pending.delete(child); waiting(m); }
    });
    children.push(child);
  }
  const ask = (child, message) => new Promise((resolve) => { pending.set(child, resolve); child.send(message); });
  // Wait until every socket is connected (acknowledged) and subscribed.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const statuses = await Promise.all(children.map((c) => ask(c, { type: 'status' })));
    const subscribed = statuses.reduce((s, x) => s + x.subscribed, 0);
    const failed = statuses.reduce((s, x) => s + x.failures, 0);
    if (failed) throw new Error(`${failed} subscriptions failed`);
    if (subscribed >= n) break;
    if (Date.now() > deadline) throw new Error(`only ${subscribed} of ${n} sockets connected`);
    await sleep(500);
  }
  await sleep(3000 + n / 5); // the subscribe messages behind the acks, then settle
  const rssIdle = rss();
  // --floor: the server is bench/fanout/floor, which publishes the version it is given.
  const floor = args.floor === 'true';
  let version = floor
    ? 0
    : (await gql('query($id: ID!) { opportunity(id: $id) { version } }', { id: args.opportunity })).opportunity.version;
  const latencies = [];
  let missing = 0;
  const [serverBefore, clientBefore] = [serverCpuMs(), await clientCpuMs()];
  for (let round = 0; round < rounds; round++) {
    const sent = now();
    if (floor) {
      version += 1;
      const r = await fetch(`${args.url}/publish`, { method: 'POST', body: String(version) });
      if (!r.ok) throw new Error(`publish: ${r.status}`);
    } else {
      const data = await gql(
        'mutation($id: ID!, $v: Int!, $t: String!) { updateOpportunity(id: $id, input: { expectedVersion: $v, title: $t }) { version } }',
        { id: args.opportunity, v: version, t: `fan-out round ${round}` },
      );
      version = data.updateOpportunity.version;
    }
    // Let every socket receive it (or give up on the stragglers after 10 s).
    let got = 0;
    const until = Date.now() + 10_000;
    while (got < n && Date.now() < until) {
      await sleep(got === 0 ? 100 : 250);
      const collected = await Promise.all(children.map((c) => ask(c, { type: 'receipts', version })));
      for (const c of collected) {
        got += c.times.length;
        for (const t of c.times) latencies.push(t - sent);
      }
    }
    missing += Math.max(0, n - got);
    await sleep(200);
  }
  const serverCpu = serverCpuMs() - serverBefore;
  const clientCpu = (await clientCpuMs()) - clientBefore;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const result = {
    subscribers: n,
    rounds,
    deliveries: latencies.length,
    missing,
    p50_ms: +at(0.5).toFixed(2),
    p99_ms: +at(0.99).toFixed(2),
    max_ms: +latencies[latencies.length - 1].toFixed(2),
    rss_before_mib: +(rssBefore / 1048576).toFixed(1),
    rss_idle_mib: +(rssIdle / 1048576).toFixed(1),
    bytes_per_idle_socket: Math.round((rssIdle - rssBefore) / n),
    // CPU per delivery over the rounds (the mutations and the relay included on the server).
    server_cpu_us_per_delivery: +((serverCpu * 1000) / Math.max(1, latencies.length)).toFixed(1),
    client_cpu_us_per_delivery: +((clientCpu * 1000) / Math.max(1, latencies.length)).toFixed(1),
  };
  console.log(JSON.stringify(result));
  for (const c of children) c.send({ type: 'stop' });
}
