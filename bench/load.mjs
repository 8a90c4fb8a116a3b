// The sequencer benchmark's load process: a separate process that signs mixed transactions ahead
// of the measured window, sends them over JSON-RPC (batched requests on keep-alive HTTP), and
// measures submit→sequenced latency from the node's newHeads notifications over WebSocket.
//   node bench/load.mjs sign <keys.json> <out.json> <txsPerSender> <chainId>
//   node bench/load.mjs run <signed.json> <url> <wsUrl> <durationMs> [txPerSecond|max] [sync] [raw]
// Without txPerSecond (or with `max`) it sends as fast as the node accepts; with it, at that steady
// rate at most. With `sync` every transaction goes through filverse_sendTransactionSync, in batches
// of SYNC_BATCH, and each batch's round trip bounds its transactions' preconfirmation latency. With
// `raw` the measured load is sent as the hex of its SSZ bytes: filverse_sendRawTransaction (or
// sendTransactionSync with the hex), the path that skips the node's JSON codec; the setup stays JSON.
// bench/network.mjs imports `sign` and `signAll`; the command line runs only when this is the script.

import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { collectionIdOf, hashTypedData, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { encodeSignedTx, signedTxFromJson, signedTxToJson, TxKind, txStructs } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import WebSocket from "ws";

const require = createRequire(import.meta.url);
const secp = require("secp256k1/bindings.js");
const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const ZERO32 = new Uint8Array(32);

export function sign(chainId, kind, message, priv) {
  const digest = hashTypedData(chainId, txStructs[kind], message);
  const { signature, recid } = secp.ecdsaSign(digest, priv);
  const sig = new Uint8Array(65);
  sig.set(signature, 0);
  sig[64] = 27 + recid;
  return signedTxToJson({ chainId, kind, message, signature: sig });
}

/** Per sender: 4 setup transactions, then a cycle of transfer, mint, identity update, token transfer. */
export function signAll(keys, perSender, chainId) {
  return keys.map((k, i) => {
    const priv = fromHex(k.privateKey);
    const me = fromHex(k.address);
    const next = fromHex(keys[(i + 1) % keys.length].address);
    const collectionId = collectionIdOf(me, 0);
    const tokenId = tokenIdOf(me, 1);
    const identityId = identityIdOf(me, 3);
    const setup = [
      sign(
        chainId,
        TxKind.CollectionCreate,
        { name: "Bench", symbol: "B", royaltyBps: 100, maxSupply: 1e9, metadataMutable: true, nonce: 0, fee: 0n },
        priv,
      ),
      sign(
        chainId,
        TxKind.TokenCreate,
        { name: "Bench", symbol: "B", decimals: 0, cap: 10n ** 30n, nonce: 1, fee: 0n },
        priv,
      ),
      sign(
        chainId,
        TxKind.TokenMint,
        { tokenId, to: me, amount: 10n ** 20n, onBehalfOf: ZERO32, nonce: 2, fee: 0n },
        priv,
      ),
      sign(chainId, TxKind.IdentityCreate, { handle: `bench_${i}`, profileCid: CID, nonce: 3, fee: 0n }, priv),
    ];
    const load = [];
    for (let k = 0; k < perSender; k++) {
      const nonce = 4 + k;
      switch (k % 4) {
        case 0:
          load.push(sign(chainId, TxKind.Transfer, { to: next, amount: 1n, nonce, fee: 0n }, priv));
          break;
        case 1:
          load.push(
            sign(
              chainId,
              TxKind.AssetMint,
              { collectionId, tokenId: k, to: me, contentCid: CID, onBehalfOf: ZERO32, nonce, fee: 0n },
              priv,
            ),
          );
          break;
        case 2:
          load.push(sign(chainId, TxKind.IdentityUpdate, { identityId, profileCid: CID, nonce, fee: 0n }, priv));
          break;
        default:
          load.push(
            sign(
              chainId,
              TxKind.TokenTransfer,
              { tokenId, to: next, amount: 1n, onBehalfOf: ZERO32, nonce, fee: 0n },
              priv,
            ),
          );
      }
    }
    return { setup, load };
  });
}

const BATCH = 50; // JSON-RPC requests per HTTP request
const SYNC_BATCH = 5; // with `sync`: smaller batches, so a batch's round trip is close to each call's
const SYNC_IN_FLIGHT = 64; // and more of them in flight: each waits for its preconfirmations
const IN_FLIGHT_BATCHES = 12;
/** FILVERSE_BENCH_SYNC_TRACE=<file>: with `sync`, each batch's send time (ms since the epoch) and round trip go there. */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the bench script, which turbo does not run
const SYNC_TRACE = process.env.FILVERSE_BENCH_SYNC_TRACE ?? null;
const syncTrace = [];
const PER_SENDER_WINDOW = 48; // below the mempool's 64-nonce window

async function post(url, requests) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(requests),
  });
  return res.json();
}

async function run(signedFile, url, wsUrl, durationMs, txPerSecond = null, sync = false, raw = false) {
  const method = sync
    ? "filverse_sendTransactionSync"
    : raw
      ? "filverse_sendRawTransaction"
      : "filverse_sendTransaction";
  const batchSize = sync ? SYNC_BATCH : BATCH;
  const preconfirmMs = [];
  /** The same round trips of batches sent after the window's first second (the node's JIT and first GCs behind it). */
  const preconfirmSteadyMs = [];
  const senders = JSON.parse(readFileSync(signedFile, "utf8"));
  // Encoded before the window: the load process's CPU is not what is measured.
  if (raw) for (const s of senders) s.load = s.load.map((tx) => toHex(encodeSignedTx(signedTxFromJson(tx))));
  const heads = []; // {t, hashes}
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("message", (data) => {
    const m = JSON.parse(String(data));
    if (m.method === "filverse_subscription")
      heads.push({ t: performance.now(), hashes: m.params.result.transactions });
  });
  ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "filverse_subscribe", params: ["newHeads"] }));

  let id = 10;
  const sendAll = async (txs) => {
    for (let i = 0; i < txs.length; i += BATCH) {
      await post(
        url,
        txs
          .slice(i, i + BATCH)
          .map((tx) => ({ jsonrpc: "2.0", id: id++, method: "filverse_sendTransaction", params: [tx] })),
      );
    }
  };
  // Setup (not measured): collections, tokens, identities; then wait until all are sequenced.
  await sendAll(senders.flatMap((s) => s.setup));
  const setupCount = senders.length * 4;
  const t0wait = performance.now();
  while (heads.reduce((n, h) => n + h.hashes.length, 0) < setupCount && performance.now() - t0wait < 60_000)
    await new Promise((r) => setTimeout(r, 50));

  // The measured window: send as fast as the node accepts, each sender in nonce order.
  heads.length = 0;
  const cpuAtStart = process.cpuUsage();
  const sentAt = new Map();
  const cursors = senders.map(() => 0);
  const acked = senders.map(() => 0);
  let accepted = 0;
  let errors = 0;
  const errorCodes = {};
  const start = performance.now();
  const end = start + durationMs;
  let rr = 0;
  const nextBatch = () => {
    const batch = [];
    for (let scanned = 0; batch.length < batchSize && scanned < senders.length; scanned++) {
      const i = rr++ % senders.length;
      const s = senders[i];
      if (cursors[i] < s.load.length && cursors[i] - acked[i] < PER_SENDER_WINDOW)
        batch.push({ i, tx: s.load[cursors[i]++] });
    }
    return batch;
  };
  let sent = 0;
  const worker = async () => {
    while (performance.now() < end) {
      // At a steady rate: no batch before its share of the window has come.
      if (txPerSecond !== null && sent >= ((performance.now() - start) / 1000) * txPerSecond) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const batch = nextBatch();
      if (batch.length === 0) {
        await new Promise((r) => setTimeout(r, 2));
        continue;
      }
      sent += batch.length;
      const t = performance.now();
      const res = await post(
        url,
        batch.map((b) => ({ jsonrpc: "2.0", id: id++, method, params: [b.tx] })),
      );
      const roundTrip = performance.now() - t;
      for (let k = 0; k < res.length; k++) {
        const r = res[k];
        acked[batch[k].i]++;
        if (r.result) {
          accepted++;
          // sendTransactionSync answers {hash, preconfirmation, …}; sendTransaction the hash.
          const hash = sync ? r.result.hash : r.result;
          if (sync) {
            preconfirmMs.push(roundTrip);
            if (t - start >= 1_000) preconfirmSteadyMs.push(roundTrip);
            if (SYNC_TRACE && k === 0) syncTrace.push([Math.round(performance.timeOrigin + t), Math.round(roundTrip)]);
          }
          sentAt.set(hash, t);
        } else {
          errors++;
          errorCodes[r.error?.code] = (errorCodes[r.error?.code] ?? 0) + 1;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: sync ? SYNC_IN_FLIGHT : IN_FLIGHT_BATCHES }, worker));
  // Let the last accepted transactions be sequenced (bounded).
  const drainUntil = performance.now() + 10_000;
  const sequencedCount = () => heads.reduce((n, h) => n + h.hashes.length, 0);
  while (sequencedCount() < accepted && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
  ws.close();

  const cpu = process.cpuUsage(cpuAtStart);
  const latencies = [];
  let inWindow = 0;
  for (const h of heads) {
    for (const hash of h.hashes) {
      const t = sentAt.get(hash);
      if (t !== undefined) latencies.push(h.t - t);
      if (h.t <= end) inWindow++;
    }
  }
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null;
  const result = {
    durationMs,
    method,
    accepted,
    errors,
    errorCodes,
    sequenced: latencies.length,
    sequencedInWindow: inWindow,
    tps: inWindow / (durationMs / 1000),
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    ...(sync ? preconfirmQuantiles(preconfirmMs) : {}),
    ...(sync ? { preconfirmP99AfterFirstSecondMs: preconfirmQuantiles(preconfirmSteadyMs).preconfirmP99Ms } : {}),
    exhausted: cursors.every((c, i) => c >= senders[i].load.length),
    setup: setupCount,
    // This process's own CPU per accepted transaction, from the measured window to the drain: the
    // load shares the 2 cores with the node, so it should stay small.
    loadCpuUsPerTx: accepted > 0 ? Math.round((cpu.user + cpu.system) / accepted) : null,
  };
  if (SYNC_TRACE) writeFileSync(SYNC_TRACE, JSON.stringify(syncTrace));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** p50/p99 of the sendTransactionSync round trips: how long a sender waited for its preconfirmation. */
function preconfirmQuantiles(ms) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
  return { preconfirmed: sorted.length, preconfirmP50Ms: at(0.5), preconfirmP99Ms: at(0.99) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === "sign") {
    const keys = JSON.parse(readFileSync(args[0], "utf8"));
    writeFileSync(args[1], JSON.stringify(signAll(keys, Number(args[2]), Number(args[3]))));
  } else if (mode === "run")
    await run(
      args[0],
      args[1],
      args[2],
      Number(args[3]),
      args[4] === undefined || args[4] === "max" ? null : Number(args[4]),
      args.slice(5).includes("sync"),
      args.slice(5).includes("raw"),
    );
  else {
    process.stderr.write("usage: load.mjs sign|run ...\n");
    process.exitCode = 2;
  }
}
