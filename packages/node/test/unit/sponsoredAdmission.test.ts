/**
 * Admission of Via transactions on a real Sequencer: a sponsored transaction from a 0-FIL signer is
 * admitted (no balance pre-check of the signer) and executes at the sponsor's expense; one no
 * allowance covers is refused at once with its typed code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import { feeAllowanceObjectId } from "@filverse/state";
import { CHAIN_ID, makeKey, sequencer as sequencerKey, ZERO_ADDRESS, ZERO_ID } from "@filverse/test-utils";
import { kindsMask, Namespace, RpcErrorCode, signedTxToJson, TxKind, type TxMessage } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import { SubmitError } from "../../src/errors.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultMempoolOpts } from "../../src/sequencer/mempool.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";

const studio = makeKey(731, "studio");
const player = makeKey(732, "player");
const carol = makeKey(733, "carol");

const dirs: string[] = [];
const running: Sequencer[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function startSequencer(): Promise<Sequencer> {
  const dir = mkdtempSync(join(tmpdir(), "filverse-sponsored-"));
  dirs.push(dir);
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      chain: getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 1_000_000 }),
      genesis: { chainId: CHAIN_ID, timestamp: 1_700_000_000 },
      dataDir: join(dir, "chaindb"),
      mempool: defaultMempoolOpts,
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet([{ address: studio.address, amount: 10n ** 18n }]),
      recoverer: null,
    },
  );
  await seq.start();
  running.push(seq);
  return seq;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function executed(seq: Sequencer, hash: string): Promise<void> {
  const end = Date.now() + 5_000;
  while (seq.mempool.get(hash) !== undefined) {
    if (Date.now() > end) throw new Error("timed out waiting for execution");
    await sleep(2);
  }
}

async function refusal(p: Promise<unknown>): Promise<SubmitError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SubmitError);
    return err as SubmitError;
  }
  throw new Error("expected a refusal");
}

describe("admission of sponsored transactions", () => {
  it("admits a 0-FIL signer's sponsored transaction and refuses an uncovered one with its typed code", async () => {
    const seq = await startSequencer();
    await seq.seal(); // block 1: the studio is funded
    const minFee = getChainConfig("devnet").minTxFee;
    const fee = minFee > 0n ? minFee : 1000n;
    const set: TxMessage = {
      kind: TxKind.FeeAllowanceSet,
      message: {
        grantee: player.address,
        target: ZERO_ID,
        totalBudget: fee * 10n,
        periodBudget: 0n,
        period: 0,
        maxFeePerTx: 0n,
        kinds: kindsMask(["Transfer"]),
        expiresAt: 0,
        nonce: 0,
        fee,
      },
    };
    const h0 = await seq.submitJson(signedTxToJson(signTransaction(CHAIN_ID, set, studio.priv)));
    await executed(seq, h0);

    const transfer = (nonce: number, via?: { sponsor: Uint8Array; account: Uint8Array }) =>
      signedTxToJson(
        signTransaction(
          CHAIN_ID,
          { kind: TxKind.Transfer, message: { to: carol.address, amount: 0n, nonce, fee } },
          player.priv,
          via,
        ),
      );
    // Unsponsored, the player cannot pay its fee.
    const poor = await refusal(seq.submitJson(transfer(0)));
    expect(poor.code).toBe(RpcErrorCode.INSUFFICIENT_FUNDS);
    // Sponsored, it is admitted and executes at the studio's expense.
    const h1 = await seq.submitJson(transfer(0, { sponsor: studio.address, account: ZERO_ADDRESS }));
    await executed(seq, h1);
    expect(seq.isDropped(h1)).toBe(false);
    // A kind the allowance does not cover is refused at admission: 213, not dropped later.
    const burn = signedTxToJson(
      signTransaction(
        CHAIN_ID,
        {
          kind: TxKind.TokenBurn,
          message: { tokenId: ZERO_ID.map(() => 1), amount: 1n, onBehalfOf: ZERO_ID, nonce: 1, fee },
        },
        player.priv,
        { sponsor: studio.address, account: ZERO_ADDRESS },
      ),
    );
    const uncovered = await refusal(seq.submitJson(burn));
    expect(uncovered.code).toBe(RpcErrorCode.FEE_ALLOWANCE_REFUSED);
    expect(uncovered.details.validationCode).toBe(213);
    // A sponsor with no allowance at all: 211.
    const none = await refusal(seq.submitJson(transfer(1, { sponsor: carol.address, account: ZERO_ADDRESS })));
    expect(none.details.validationCode).toBe(211);

    await seq.seal();
    const state = seq.state;
    expect(state.get(Namespace.Account, player.address)).toEqual({ balance: 0n, nonce: 1 });
    expect(
      state.get(Namespace.FeeAllowance, feeAllowanceObjectId(studio.address, player.address, ZERO_ID))?.spent,
    ).toBe(fee);
    expect(state.get(Namespace.Account, studio.address)?.balance).toBe(10n ** 18n - 2n * fee);
  });
});
