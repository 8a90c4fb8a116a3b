/**
 * A node whose storage refuses writes (a file-size limit on the process: LevelDB's log write fails
 * with "File too large", as on a full disk) stops instead of pretending to be healthy: it closes and
 * exits non-zero with the reason, so that a supervisor restarts it. The sequencer, then a verifier.
 */
import { createFilverseClient } from "@filverse/client";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import {
  cli,
  type DevAccount,
  initDevnet,
  type RunningNode,
  startSequencer,
  startVerifier,
  tempDir,
  waitFor,
} from "./helpers.js";

const tmp = tempDir("storage-failure");
/** Every node started here, killed at the end whatever happened (a failed test must leave none running). */
const started: RunningNode[] = [];
afterAll(async () => {
  for (const node of started) await node.kill();
  tmp.cleanup();
});

/** Enough for genesis and the first blocks; a few hundred transactions later LevelDB's log reaches it. */
const MAX_FILE_BYTES = 64 * 1024;

/**
 * Four dev accounts send transfers until `until` resolves, a send fails or 30 s pass; returns the
 * first failure's code (null if none failed).
 */
async function sendUntil(url: string, accounts: DevAccount[], until: Promise<unknown>): Promise<unknown> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const timer = setTimeout(() => {
    done = true;
  }, 30_000);
  let failure: unknown = null;
  await Promise.all(
    accounts.slice(0, 4).map(async (a, i) => {
      const client = createFilverseClient({ url, account: privateKeyToAccount(a.privateKey) });
      while (!done && failure === null) {
        await client.transfer({ to: accounts[i + 4]!.address, amount: 1n }).catch((err: unknown) => {
          failure ??= (err as { code?: unknown }).code ?? err;
        });
      }
      await client.close();
    }),
  );
  clearTimeout(timer);
  return failure;
}

async function funded(url: string, accounts: DevAccount[]): Promise<void> {
  const reader = createFilverseClient({ url });
  await waitFor(
    async () => BigInt((await reader.getAccount({ address: accounts[3]!.address })).balance) > 0n,
    20_000,
    "dev funds",
  );
  await reader.close();
}

async function expectFailedExit(node: RunningNode, who: string): Promise<void> {
  const code = await Promise.race([node.exited, new Promise((r) => setTimeout(() => r("still running"), 20_000))]);
  expect(code, `${who} exit code`).toBe(1);
  expect(node.stderr()).toMatch(new RegExp(`^error: The ${who} stopped: .*\\(File too large\\)$`, "m"));
  expect(node.logs.some((l) => l.msg === "node failed; closing it and exiting")).toBe(true);
}

it("a sequencer whose disk refuses writes answers -32017, closes and exits non-zero", async () => {
  const dir = `${tmp.dir}/seq`;
  const { accounts } = initDevnet(dir);
  const node = await startSequencer(dir, [], { maxFileBytes: MAX_FILE_BYTES });
  started.push(node);
  await funded(node.url, accounts);
  const failure = await sendUntil(node.url, accounts, node.exited);
  // The send that met the failure got -32017 UNAVAILABLE, or found the node gone already.
  expect([-32017, "TRANSPORT_CONNECTION"]).toContain(failure);
  await expectFailedExit(node, "sequencer");
}, 60_000);

it("a verifier whose disk refuses writes closes and exits non-zero", async () => {
  const seqDir = `${tmp.dir}/seq2`;
  const { accounts } = initDevnet(seqDir);
  const sequencer = await startSequencer(seqDir);
  started.push(sequencer);
  try {
    const vDir = `${tmp.dir}/verifier`;
    const init = cli(["init", "--verifier", "--data-dir", vDir, "--genesis-from", sequencer.url, "--rpc-port", "0"]);
    expect(init.status, init.stderr).toBe(0);
    const verifier = await startVerifier(vDir, [], { maxFileBytes: MAX_FILE_BYTES });
    started.push(verifier);
    await funded(sequencer.url, accounts);
    expect(await sendUntil(sequencer.url, accounts, verifier.exited)).toBeNull();
    await expectFailedExit(verifier, "verifier");
  } finally {
    expect(await sequencer.stop()).toBe(0);
  }
}, 60_000);
