/**
 * ABI encoding of a traced step's proof (@filverse/state proveStep) for OneStepExecutor.executeStep,
 * in the layout contracts/OneStepExecutor.sol documents. The dispute player sends it; the tests
 * import it through test/unit/oneStepProof.ts.
 */
import { depositHash, type SmtProof, type SmtSiblingPreimage } from "@filverse/crypto";
import type { StepKind, StepProof, StepState } from "@filverse/state";
import {
  type BlockHeader,
  type Deposit,
  type Namespace,
  Order,
  type SignedTransaction,
  type StateObjects,
  stateObjectStructs,
  txStructs,
  type UserTxKind,
  VIA_KIND_FLAG,
} from "@filverse/types";
import { bytesEqual, toHex, utf8ToBytes } from "@filverse/utils";
import { type AbiParameter, concatHex, encodeAbiParameters, type Hex } from "viem";

export const STEP_KIND = { blockStart: 0, l1Message: 1, transaction: 2, endOfBlock: 3 } as const;

const ZERO32 = `0x${"00".repeat(32)}` as Hex;

const t = (name: string, type: string): AbiParameter => ({ name, type });
const tuple = (name: string, components: AbiParameter[]): AbiParameter =>
  ({ name, type: "tuple", components }) as AbiParameter;

export const StepStateAbi = tuple("pre", [
  t("objectsRoot", "bytes32"),
  t("withdrawalsRoot", "bytes32"),
  t("l1DepositNonce", "uint64"),
  t("items", "uint64"),
  t("l1Messages", "uint64"),
  t("receiptsRoot", "bytes32"),
  t("invalid", "bool"),
]);
export const BlockHeaderAbi = tuple("header", [
  t("chainId", "uint64"),
  t("number", "uint64"),
  t("parentHash", "bytes32"),
  t("timestamp", "uint64"),
  t("proposer", "address"),
  t("txRoot", "bytes32"),
  t("receiptsRoot", "bytes32"),
  t("stateRoot", "bytes32"),
  t("withdrawalsRoot", "bytes32"),
  t("l1DepositNonce", "uint64"),
]);
export const DepositAbi = tuple("deposit", [
  t("l1Nonce", "uint64"),
  t("l1BlockNumber", "uint64"),
  t("l1TxHash", "bytes32"),
  t("from", "address"),
  t("to", "address"),
  t("amount", "uint256"),
  t("forcedTx", "bytes"),
]);
const ItemProofAbi = tuple("item", [t("count", "uint64"), t("siblings", "bytes32[]")]);
const ObjectProofAbi: AbiParameter = {
  name: "objects",
  type: "tuple[]",
  components: [
    t("ns", "uint8"),
    t("id", "bytes"),
    t("present", "bool"),
    t("value", "bytes"),
    tuple("proof", [
      t("siblings", "bytes32[]"),
      t("hasLeaf", "bool"),
      t("leafKey", "bytes32"),
      t("leafValueHash", "bytes32"),
    ]),
    tuple("sibling", [t("isLeaf", "bool"), t("a", "bytes32"), t("b", "bytes32")]),
  ],
} as AbiParameter;
export const TransactionAbi = tuple("tx", [
  t("chainId", "uint64"),
  t("kind", "uint8"),
  t("message", "bytes"),
  t("signature", "bytes"),
]);

export const stepStateToAbi = (s: StepState) => ({
  objectsRoot: toHex(s.objectsRoot),
  withdrawalsRoot: toHex(s.withdrawalsRoot),
  l1DepositNonce: BigInt(s.l1DepositNonce),
  items: BigInt(s.items),
  l1Messages: BigInt(s.l1Messages),
  receiptsRoot: toHex(s.receiptsRoot),
  invalid: s.invalid,
});

export const headerToAbi = (h: BlockHeader) => ({
  chainId: BigInt(h.chainId),
  number: BigInt(h.number),
  parentHash: toHex(h.parentHash),
  timestamp: BigInt(h.timestamp),
  proposer: toHex(h.proposer),
  txRoot: toHex(h.txRoot),
  receiptsRoot: toHex(h.receiptsRoot),
  stateRoot: toHex(h.stateRoot),
  withdrawalsRoot: toHex(h.withdrawalsRoot),
  l1DepositNonce: BigInt(h.l1DepositNonce),
});

export const depositToAbi = (d: Deposit) => ({
  l1Nonce: BigInt(d.l1Nonce),
  l1BlockNumber: BigInt(d.l1BlockNumber),
  l1TxHash: toHex(d.l1TxHash),
  from: toHex(d.from),
  to: toHex(d.to),
  amount: d.amount,
  forcedTx: toHex(d.forcedTx),
});

/** An ABI value of one field, from its EIP-712 type (strings as they are: ABI `string`). */
function fieldToAbi(type: string, v: unknown): unknown {
  if (type.endsWith("[]")) return (v as unknown[]).map((x) => fieldToAbi(type.slice(0, -2), x));
  if (type === "address" || type === "bytes32" || type === "bytes") return toHex(v as Uint8Array);
  if (type === "uint64" || type === "uint256") return BigInt(v as number | bigint);
  return v;
}

/**
 * An object's value as the executor decodes it: abi.encode of its SszObjects struct, whose strings
 * are `bytes` (their UTF-8); a one-field container as its bare field.
 */
export function objectValueToAbi(ns: Namespace, value: StateObjects[Namespace] | null): Hex {
  if (value === null) return "0x";
  const st = stateObjectStructs[ns] as { fields: Record<string, { eip712: string }> };
  const entries = Object.entries(st.fields);
  const v = value as Record<string, unknown>;
  const abiOf = (name: string, type: string) =>
    type === "string"
      ? { type: "bytes", value: toHex(utf8ToBytes(v[name] as string)) }
      : { type, value: fieldToAbi(type, v[name]) };
  if (entries.length === 1) {
    const [name, f] = entries[0]!;
    const a = abiOf(name, f.eip712);
    return encodeAbiParameters([t(name, a.type)], [a.value]);
  }
  const parts = entries.map(([name, f]) => ({ name, ...abiOf(name, f.eip712) }));
  return encodeAbiParameters(
    [
      tuple(
        "o",
        parts.map((p) => t(p.name, p.type)),
      ),
    ],
    [Object.fromEntries(parts.map((p) => [p.name, p.value]))],
  );
}

export const smtProofToAbi = (p: SmtProof) => ({
  siblings: p.siblings.map(toHex),
  hasLeaf: p.leaf !== null,
  leafKey: p.leaf ? toHex(p.leaf.key) : ZERO32,
  leafValueHash: p.leaf ? toHex(p.leaf.valueHash) : ZERO32,
});

export const siblingToAbi = (s: SmtSiblingPreimage | null) => {
  if (s === null) return { isLeaf: false, a: ZERO32, b: ZERO32 };
  if (s.leaf) return { isLeaf: true, a: toHex(s.leaf.key), b: toHex(s.leaf.valueHash) };
  return { isLeaf: false, a: toHex(s.branch.left), b: toHex(s.branch.right) };
};

const orderFields = Object.entries((Order as { fields: Record<string, { eip712: string }> }).fields);

/** A user transaction's message, ABI-encoded as its Eip712Tx struct (a trade's Order as a nested tuple). */
export function messageToAbi(kind: number, message: unknown): Hex {
  const st = txStructs[kind as UserTxKind] as { fields: Record<string, { eip712: string }> };
  const entries = Object.entries(st.fields);
  const param = (name: string, type: string) =>
    type === "Order"
      ? tuple(
          name,
          orderFields.map(([n, f]) => t(n, f.eip712)),
        )
      : t(name, type);
  const value = (type: string, v: unknown) => {
    if (type !== "Order") return fieldToAbi(type, v);
    const o = v as Record<string, unknown>;
    return Object.fromEntries(orderFields.map(([n, f]) => [n, fieldToAbi(f.eip712, o[n])]));
  };
  const m = message as Record<string, unknown>;
  return encodeAbiParameters(
    [
      tuple(
        "m",
        entries.map(([name, f]) => param(name, f.eip712)),
      ),
    ],
    [Object.fromEntries(entries.map(([name, f]) => [name, value(f.eip712, m[name])]))],
  );
}

/**
 * A transaction's message as OneStepExecutor takes it: its kind's ABI message, behind the 40 bytes
 * sponsor ‖ account for a Via transaction (as on the wire).
 */
export function txMessageToAbi(tx: SignedTransaction): Hex {
  const m = messageToAbi(tx.kind, tx.message);
  return tx.via ? concatHex([toHex(tx.via.sponsor), toHex(tx.via.account), m]) : m;
}

/** The structured inputs before the final encoding, so tests can tamper with any of them. */
export type StepInputs = {
  pre: ReturnType<typeof stepStateToAbi>;
  header: ReturnType<typeof headerToAbi>;
  stepKind: number;
  data: Hex;
};

export function objectsToAbi(p: StepProof) {
  return p.objects.map((o) => ({
    ns: o.ns,
    id: toHex(o.id),
    present: o.before !== null,
    value: objectValueToAbi(o.ns, o.before),
    proof: smtProofToAbi(o.proof),
    sibling: siblingToAbi(o.sibling),
  }));
}

export type ItemParts = {
  /** A transaction's ABI message and signature in place of the traced one's (tests of what the TypeScript cannot sign). */
  message?: Hex;
  signature?: Hex;
  item: { count: bigint; siblings: Hex[] };
  receiptSiblings: Hex[];
  objects: ReturnType<typeof objectsToAbi>;
  withdrawalSiblings: Hex[];
  /** An L1 message: txRoot lists it under its forced transaction's tx hash (default: from the trace). */
  listedAsTx?: boolean;
};

export function itemParts(p: StepProof): ItemParts {
  return {
    item: { count: BigInt(p.itemCount), siblings: p.itemSiblings.map(toHex) },
    receiptSiblings: p.receiptSiblings.map(toHex),
    objects: objectsToAbi(p),
    withdrawalSiblings: (p.withdrawals[0]?.siblings ?? []).map(toHex),
  };
}

export function encodeStepData(p: StepProof, parts: ItemParts = itemParts(p)): { stepKind: number; data: Hex } {
  switch (p.kind as `${StepKind}`) {
    case "blockStart":
      return {
        stepKind: STEP_KIND.blockStart,
        data: encodeAbiParameters(
          [{ ...BlockHeaderAbi, name: "parent" }, t("seal", "bytes")],
          [headerToAbi(p.parentHeader), toHex(p.signature)],
        ),
      };
    case "l1Message": {
      const deposit = p.item!.deposit!;
      return {
        stepKind: STEP_KIND.l1Message,
        data: encodeAbiParameters(
          [
            tuple("step", [
              DepositAbi,
              t("listedAsTx", "bool"),
              ItemProofAbi,
              t("receiptSiblings", "bytes32[]"),
              ObjectProofAbi,
              t("withdrawalSiblings", "bytes32[]"),
            ]),
          ],
          [
            {
              deposit: depositToAbi(deposit),
              listedAsTx: parts.listedAsTx ?? (p.itemHash !== null && !bytesEqual(p.itemHash, depositHash(deposit))),
              item: parts.item,
              receiptSiblings: parts.receiptSiblings,
              objects: parts.objects,
              withdrawalSiblings: parts.withdrawalSiblings,
            },
          ],
        ),
      };
    }
    case "transaction": {
      const tx = p.item!.tx!;
      return {
        stepKind: STEP_KIND.transaction,
        data: encodeAbiParameters(
          [
            tuple("step", [
              TransactionAbi,
              ItemProofAbi,
              t("receiptSiblings", "bytes32[]"),
              ObjectProofAbi,
              t("withdrawalSiblings", "bytes32[]"),
            ]),
          ],
          [
            {
              tx: {
                chainId: BigInt(tx.chainId),
                kind: tx.via ? VIA_KIND_FLAG | tx.kind : tx.kind,
                message: parts.message ?? txMessageToAbi(tx),
                signature: parts.signature ?? toHex(tx.signature),
              },
              item: parts.item,
              receiptSiblings: parts.receiptSiblings,
              objects: parts.objects,
              withdrawalSiblings: parts.withdrawalSiblings,
            },
          ],
        ),
      };
    }
    case "endOfBlock":
      return {
        stepKind: STEP_KIND.endOfBlock,
        data: encodeAbiParameters(
          [t("txDataRoot", "bytes32"), t("count", "uint64")],
          [toHex(p.txDataRoot), BigInt(p.itemCount)],
        ),
      };
  }
}

export function encodeStepProof(inputs: StepInputs): Hex {
  return encodeAbiParameters(
    [StepStateAbi, BlockHeaderAbi, t("stepKind", "uint8"), t("data", "bytes")],
    [inputs.pre, inputs.header, inputs.stepKind, inputs.data],
  );
}

export function stepInputs(p: StepProof, parts?: ItemParts): StepInputs {
  return { pre: stepStateToAbi(p.pre), header: headerToAbi(p.header), ...encodeStepData(p, parts) };
}
