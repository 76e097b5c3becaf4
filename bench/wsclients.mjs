// N board watchers in one Node.js process, for `make bench-scale` (h).
//
// Why not Python: the bench's `websockets` clients, all in one asyncio process on the
// same two cores as nginx and the workers, took about 150-200 µs of their own CPU per
// frame, so 10,000 sockets measured mostly the client (about 2 s straight to the
// workers). Node's `ws`, with TLS in OpenSSL, reads a frame in a few tens of µs, as a
// browser would: what is left is the deployment's own time.
//
// Driven line by line on stdin by bench/scale.py:
//   open <url> <count> <parallel> <origin> [cafile]
//                                         -> {"opened","failed","gave_up","errors"}
//   mark <type>                           -> (nothing; arrivals since now are kept)
//   wait <seconds>                        -> {"arrivals": [epoch ms, ...], "frames": n}
//                                            once every open socket has one frame of
//                                            <type> (or the seconds have passed);
//                                            n counts every frame since `open`
//   close                                 -> {"closed": n}, then exit
import fs from "node:fs";
import readline from "node:readline";
import WebSocket from "ws";

const sockets = [];
let expectType = null;
let arrivals = [];
let got = new Set();
let frames = 0; // every frame received since `open`, of any type
let waiter = null;

function reply(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

function settle() {
  if (waiter && got.size >= sockets.length) {
    clearTimeout(waiter.timer);
    const done = waiter;
    waiter = null;
    done.resolve();
  }
}

function watch(ws) {
  ws.on("message", (data) => {
    frames++;
    if (expectType === null || got.has(ws)) return;
    // The frame's type is near its start: no need to parse 2 KB of JSON per frame.
    const head = data.toString("utf8", 0, 64);
    if (head.includes(`"type":"${expectType}"`) || head.includes(`"type": "${expectType}"`)) {
      arrivals.push(performance.timeOrigin + performance.now());
      got.add(ws);
      settle();
    }
  });
}

// One handshake; retried as board.js retries (doubling, jittered delays).
function connectOnce(url, origin, ca) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin, ca, handshakeTimeout: 30000, perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

async function open(url, count, parallel, origin, cafile) {
  const ca = cafile ? fs.readFileSync(cafile) : undefined;
  let failed = 0;
  let gaveUp = 0;
  const errors = {};
  let next = 0;
  async function one() {
    let delay = 1000;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const ws = await connectOnce(url, origin, ca);
        sockets.push(ws);
        watch(ws);
        return;
      } catch (error) {
        if (attempt === 0) failed++;
        errors[error.code || error.name] ??= String(error.message).slice(0, 200);
      }
      await new Promise((r) => setTimeout(r, delay + Math.random() * delay));
      delay *= 2;
    }
    gaveUp++;
  }
  // `parallel` handshakes in flight at a time, as the Python clients do.
  async function lane() {
    while (next < count) {
      next++;
      await one();
    }
  }
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
  return { opened: sockets.length, failed, gave_up: gaveUp, errors };
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, ...args] = line.trim().split(/\s+/);
  if (command === "open") {
    reply(await open(args[0], Number(args[1]), Number(args[2]), args[3], args[4]));
  } else if (command === "mark") {
    expectType = args[0];
    arrivals = [];
    got = new Set();
  } else if (command === "wait") {
    await new Promise((resolve) => {
      waiter = { resolve, timer: setTimeout(resolve, Number(args[0]) * 1000) };
      settle();
    });
    waiter = null;
    reply({ arrivals, frames });
    expectType = null;
  } else if (command === "close") {
    for (const ws of sockets) ws.terminate();
    reply({ closed: sockets.length });
    process.exit(0);
  }
}
