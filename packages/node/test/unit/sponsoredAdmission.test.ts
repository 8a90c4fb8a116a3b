/**
 * Admission of Via transactions on a real Sequencer: a sponsored transaction from a 0-FIL signer is
 * admitted (no balance pre-check of the signer) and executes at the sponsor's expense; one no
 * allowance covers is refused at once with its typed code.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signTransaction, tokenIdOf } from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import { feeAllowanceObjectId, State, sessionGrantObjectId } from "@filverse/state";
import { CHAIN_ID, makeKey, sequencer as sequencerKey, ZERO_ADDRESS, ZERO_ID } from "@filverse/test-utils";
import { kindsMask, Namespace, RpcErrorCode, signedTxToJson, TxKind, type TxMessage } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterEach, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
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

async function startSequencer(existing?: string): Promise<Sequencer> {
  const dir = existing ?? mkdtempSync(join(tmpdir(), "filverse-sponsored-"));
  if (!existing) dirs.push(dir);
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

    // The reads and the rendering of a Via transaction.
    const rpc = createRpcHandlers(seq);
    const ctx = {} as never;
    const a = (await rpc.filverse_getFeeAllowance!(
      [toHex(studio.address), toHex(player.address), toHex(ZERO_ID)],
      ctx,
    )) as Record<string, unknown>;
    expect(a).toMatchObject({
      spent: String(fee),
      totalBudget: String(fee * 10n),
      remaining: String(fee * 9n),
      periodRemaining: null,
      expired: false,
    });
    expect(
      await rpc.filverse_getFeeAllowance!([toHex(carol.address), toHex(player.address), toHex(ZERO_ID)], ctx),
    ).toBeNull();
    expect(await rpc.filverse_getSessionGrant!([toHex(player.address), toHex(carol.address)], ctx)).toBeNull();
    const tx = (await rpc.filverse_getTransaction!([h1], ctx)) as Record<string, unknown>;
    expect(tx.primaryType).toBe("ViaTransfer");
    expect(tx.via).toEqual({ sponsor: toHex(studio.address), account: toHex(ZERO_ADDRESS) });
    expect(tx.sender).toBe(toHex(player.address));
    const receipt = (await rpc.filverse_getTransactionReceipt!([h1], ctx)) as Record<string, unknown>;
    expect(receipt).toMatchObject({
      sender: toHex(player.address),
      feePaid: String(fee),
      via: { sponsor: toHex(studio.address) },
    });
    const plain = (await rpc.filverse_getTransactionReceipt!([h0], ctx)) as Record<string, unknown>;
    expect(plain.via).toBeUndefined();
  });
});

describe("admission holds what the pool already promised out of an allowance", () => {
  it("held transactions of many signers never promise one allowance past its budget; a replacement frees its own", async () => {
    const seq = await startSequencer();
    await seq.seal(); // block 1: the studio is funded
    const minFee = getChainConfig("devnet").minTxFee;
    const fee = minFee > 0n ? minFee : 1000n;
    const token = tokenIdOf(studio.address, 0);
    const studioTx = async (tx: TxMessage) => {
      const h = await seq.submitJson(signedTxToJson(signTransaction(CHAIN_ID, tx, studio.priv)));
      await executed(seq, h);
      expect(seq.isDropped(h)).toBe(false);
    };
    await studioTx({
      kind: TxKind.TokenCreate,
      message: { name: "Gold", symbol: "GLD", decimals: 0, cap: 1000n, nonce: 0, fee },
    });
    // Anyone burning the studio's token is sponsored, up to 3.5 fees in all.
    await studioTx({
      kind: TxKind.FeeAllowanceSet,
      message: {
        grantee: ZERO_ADDRESS,
        target: token,
        totalBudget: fee * 3n + fee / 2n,
        periodBudget: 0n,
        period: 0,
        maxFeePerTx: 0n,
        kinds: kindsMask(["TokenBurn"]),
        expiresAt: 0,
        nonce: 1,
        fee,
      },
    });
    // Nonce 1 of fresh keys (nonce 0 unused): each is held, never executed, so only the pool's
    // accounting stops a fourth from being promised the same budget.
    const burn = (key: (typeof griefers)[number], f: bigint) =>
      signedTxToJson(
        signTransaction(
          CHAIN_ID,
          { kind: TxKind.TokenBurn, message: { tokenId: token, amount: 1n, onBehalfOf: ZERO_ID, nonce: 1, fee: f } },
          key.priv,
          { sponsor: studio.address, account: ZERO_ADDRESS },
        ),
      );
    const griefers = [0, 1, 2, 3].map((i) => makeKey(740 + i, `griefer${i}`));
    for (const key of griefers.slice(0, 3)) await seq.submitJson(burn(key, fee));
    const over = await refusal(seq.submitJson(burn(griefers[3]!, fee)));
    expect(over.code).toBe(RpcErrorCode.FEE_ALLOWANCE_REFUSED);
    expect(over.details.validationCode).toBe(214);
    // A replacement is measured without the transaction it replaces: 2 + 1.1 fees fit in 3.5.
    await seq.submitJson(burn(griefers[0]!, (fee * 11n) / 10n));
    expect(seq.mempool.size).toBe(3);

    // After a restart the journal's held transactions hold their share again.
    await seq.close();
    running.splice(running.indexOf(seq), 1);
    const again = await startSequencer(dirs[dirs.length - 1]);
    expect(again.mempool.size).toBe(3);
    const still = await refusal(again.submitJson(burn(griefers[3]!, fee)));
    expect(still.details.validationCode).toBe(214);
  });
});

describe("filverse_getSessionGrant", () => {
  it("reports what is left (rolled at the head's timestamp) and the status", async () => {
    const account = new Uint8Array(20).fill(1);
    const key = new Uint8Array(20).fill(2);
    const token = new Uint8Array(32).fill(3);
    const record = {
      app: new Uint8Array(32).fill(4),
      kinds: 2n,
      filCap: 100n,
      filSpent: 30n,
      filPeriodCap: 20n,
      filPeriodSpent: 15n,
      period: 60,
      periodStart: 1000,
      tokens: [token],
      tokenCaps: [50n],
      tokenSpent: [10n],
      tokenPeriodCaps: [0n],
      tokenPeriodSpent: [10n],
      collections: [],
      counterparties: [],
      expiresAt: 2000,
      revoked: false,
    };
    const at = (timestamp: number, revoked = false) => {
      const state = State.genesis().withChanges(
        [{ ns: Namespace.SessionGrant, id: sessionGrantObjectId(account, key), value: { ...record, revoked } }],
        [],
        [],
      );
      return createRpcHandlers({ state, head: { number: 1, header: { timestamp } } } as never);
    };
    const params = [toHex(account), toHex(key)];
    const inPeriod = (await at(1030).filverse_getSessionGrant!(params, {} as never)) as Record<string, unknown>;
    expect(inPeriod).toMatchObject({
      filRemaining: "70",
      filPeriodRemaining: "5",
      tokenRemaining: [{ tokenId: toHex(token), remaining: "40", periodRemaining: null }],
      status: "active",
    });
    // A period later the period counters have rolled: the whole period cap is there again.
    const rolled = (await at(1075).filverse_getSessionGrant!(params, {} as never)) as Record<string, unknown>;
    expect(rolled).toMatchObject({ filRemaining: "70", filPeriodRemaining: "20", periodStart: "1000" });
    expect(((await at(2000).filverse_getSessionGrant!(params, {} as never)) as { status: string }).status).toBe(
      "expired",
    );
    expect(((await at(1030, true).filverse_getSessionGrant!(params, {} as never)) as { status: string }).status).toBe(
      "revoked",
    );
  });
});
