/**
 * Hostile JSON and wire forms of the Via envelope and kinds 60–63: whatever is changed, parsing and
 * the stateless checks answer with a TxValidationError (a typed RPC error), never anything else (which
 * the RPC would answer with -32603). FILVERSE_FUZZ_RUNS sets the run count.
 */
import { signTransaction } from "@filverse/crypto";
import { CHAIN_ID, makeKey } from "@filverse/test-utils";
import { encodeSignedTx, kindsMask, signedTxToJson, TxKind, type TxMessage } from "@filverse/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TxValidationError } from "../../src/errors.js";
import { parseTransactionBytes, parseTransactionJson, validateTransaction } from "../../src/validate.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 200);
const key = makeKey(901, "fuzz");
const other = makeKey(902, "other");
const id = (b: number) => new Uint8Array(32).fill(b);

const MESSAGES: TxMessage[] = [
  { kind: TxKind.Transfer, message: { to: other.address, amount: 5n, nonce: 0, fee: 1n } },
  {
    kind: TxKind.FeeAllowanceSet,
    message: {
      grantee: other.address,
      target: id(1),
      totalBudget: 10n,
      periodBudget: 2n,
      period: 60,
      maxFeePerTx: 1n,
      kinds: kindsMask(["Transfer", "AssetMint"]),
      expiresAt: 0,
      nonce: 0,
      fee: 1n,
    },
  },
  { kind: TxKind.FeeAllowanceRevoke, message: { grantee: other.address, target: id(0), nonce: 0, fee: 1n } },
  {
    kind: TxKind.SessionGrant,
    message: {
      sessionKey: other.address,
      app: id(2),
      appSignature: new Uint8Array(65).fill(3),
      requestDeadline: 100,
      kinds: kindsMask(["Transfer", "TokenTransfer"]),
      filCap: 5n,
      filPeriodCap: 1n,
      period: 10,
      tokens: [id(4), id(5)],
      tokenCaps: [1n, 2n],
      tokenPeriodCaps: [0n, 1n],
      collections: [id(6)],
      counterparties: [key.address],
      expiresAt: 1000,
      nonce: 0,
      fee: 1n,
    },
  },
  { kind: TxKind.SessionRevoke, message: { account: other.address, sessionKey: key.address, nonce: 0, fee: 1n } },
];
const VIAS = [
  undefined,
  { sponsor: other.address, account: new Uint8Array(20) },
  { sponsor: new Uint8Array(20), account: other.address },
];
const SIGNED = MESSAGES.flatMap((m) => VIAS.map((via) => signTransaction(CHAIN_ID, m, key.priv, via)));

/** Only a TxValidationError may come out. */
function typed(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof TxValidationError)) throw err;
  }
}

/** A copy of `json` with the value at a random path replaced by `value` (or the key deleted). */
function mutate(json: unknown, pick: number[], value: unknown, del: boolean): unknown {
  if (pick.length === 0 || json === null || typeof json !== "object") return value;
  const keys = Object.keys(json as object);
  if (keys.length === 0) return value;
  const k = keys[pick[0]! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(json) ? ([...json] as never) : { ...(json as object) };
  if (del && pick.length === 1) {
    delete copy[k];
    return copy;
  }
  copy[k] = mutate(copy[k], pick.slice(1), value, del);
  return copy;
}

const hostileValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    "0x",
    "0x00",
    `0x${"ff".repeat(20)}`,
    `0x${"00".repeat(32)}`,
    `0x${"ab".repeat(65)}`,
    "-1",
    "1e3",
    "18446744073709551616",
    "115792089237376316195423570985008687907853269984665640564039457584007913129640",
    "ViaViaTransfer",
    "ViaSessionGrant",
    "__proto__",
    "constructor",
  ),
  fc.array(fc.constantFrom(`0x${"11".repeat(32)}`, "1", `0x${"22".repeat(20)}`, null), { maxLength: 6 }),
);

describe("hostile Via and grant transactions get a typed error, never an internal one", () => {
  it("JSON: any value at any path, or a key deleted", () => {
    fc.assert(
      fc.property(
        fc.nat(SIGNED.length - 1),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 4 }),
        hostileValue,
        fc.boolean(),
        (i, pick, value, del) => {
          const json = mutate(JSON.parse(JSON.stringify(signedTxToJson(SIGNED[i]!))), pick, value, del);
          typed(() => validateTransaction(parseTransactionJson(json), CHAIN_ID));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("wire bytes: any byte changed, any kind byte, truncated or extended", () => {
    fc.assert(
      fc.property(
        fc.nat(SIGNED.length - 1),
        fc.array(fc.tuple(fc.nat(1000), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.integer({ min: -8, max: 8 }),
        (i, changes, cut) => {
          const bytes = Uint8Array.from(encodeSignedTx(SIGNED[i]!));
          for (const [at, b] of changes) bytes[at % bytes.length] = b;
          const out =
            cut < 0 ? bytes.slice(0, bytes.length + cut) : Uint8Array.from([...bytes, ...new Array(cut).fill(0)]);
          typed(() => validateTransaction(parseTransactionBytes(out), CHAIN_ID));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("every kind byte 0x80 | k with the body of each signed transaction", () => {
    for (const tx of SIGNED) {
      const bytes = encodeSignedTx(tx);
      for (let k = 0; k < 256; k++) {
        const b = Uint8Array.from(bytes);
        // The envelope: chainId (8) then kind (1).
        b[8] = k;
        typed(() => validateTransaction(parseTransactionBytes(b), CHAIN_ID));
      }
    }
    expect(SIGNED.length).toBe(15);
  });
});
