/**
 * The signed-transaction envelope. On the wire and in blocks: SSZ `{chainId, kind, body, signature}`
 * with `body` the SSZ encoding of the kind's message. Over JSON-RPC:
 * `{chainId, primaryType, message, signature}`, the same shape a wallet signs with eth_signTypedData_v4.
 */
import { ByteListType, ByteVectorType, ContainerType, UintNumberType } from "@chainsafe/ssz";
import { MAX_TX_BODY_BYTES, MAX_TX_BYTES, SIGNATURE_BYTES } from "@filverse/params";
import { exceedsJsonDepth, fromHex, isHex, toHex } from "@filverse/utils";
import { MAX_JSON_DEPTH } from "./rpc.js";
import { badSignatureLength, CodecError, CodecErrorCode, checkJsonKeys, uint64 } from "./schema.js";
import { isUserTxKind, type TxMessages, txKindByName, txStructs, type UserTxKind } from "./transactions.js";

export const SignedTransactionSsz = new ContainerType(
  {
    chainId: new UintNumberType(8),
    kind: new UintNumberType(1),
    body: new ByteListType(MAX_TX_BODY_BYTES),
    signature: new ByteVectorType(SIGNATURE_BYTES),
  },
  { typeName: "SignedTransaction" },
);

export type SignedTransactionOf<K extends UserTxKind> = {
  chainId: number;
  kind: K;
  message: TxMessages[K];
  /** r ‖ s ‖ v, v ∈ {27, 28}. */
  signature: Uint8Array;
};

export type SignedTransaction = { [K in UserTxKind]: SignedTransactionOf<K> }[UserTxKind];

export type SignedTransactionJson = {
  chainId: string;
  primaryType: string;
  message: Record<string, unknown>;
  signature: string;
};

type SignedTransactionSszValue = { chainId: number; kind: number; body: Uint8Array; signature: Uint8Array };

export function signedTxToSszValue(tx: SignedTransaction): SignedTransactionSszValue {
  return {
    chainId: tx.chainId,
    kind: tx.kind,
    body: txStructs[tx.kind].serialize(tx.message as never),
    signature: tx.signature,
  };
}

export function encodeSignedTx(tx: SignedTransaction): Uint8Array {
  return SignedTransactionSsz.serialize(signedTxToSszValue(tx));
}

/** Check and decode an envelope already parsed by @chainsafe/ssz (e.g. inside a block). */
export function signedTxFromSszValue(env: SignedTransactionSszValue): SignedTransaction {
  uint64.check(env.chainId, "chainId");
  if (!isUserTxKind(env.kind)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown transaction kind ${env.kind}`, {
      details: { kind: env.kind },
    });
  }
  const message = txStructs[env.kind].deserialize(env.body);
  return { chainId: env.chainId, kind: env.kind, message, signature: env.signature } as SignedTransaction;
}

/** Decode and bound-check a signed transaction; throws CodecError on any malformed byte. */
export function decodeSignedTx(bytes: Uint8Array): SignedTransaction {
  if (bytes.length > MAX_TX_BYTES) {
    throw new CodecError(
      CodecErrorCode.INVALID_SSZ,
      `Transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`,
    );
  }
  let env: SignedTransactionSszValue;
  try {
    env = SignedTransactionSsz.deserialize(bytes);
  } catch (cause) {
    throw new CodecError(CodecErrorCode.INVALID_SSZ, "Bytes are not a valid SSZ SignedTransaction", { cause });
  }
  return signedTxFromSszValue(env);
}

export function signedTxToJson(tx: SignedTransaction): SignedTransactionJson {
  const struct = txStructs[tx.kind];
  return {
    chainId: String(tx.chainId),
    primaryType: struct.name,
    message: struct.toJson(tx.message as never),
    signature: toHex(tx.signature),
  };
}

/**
 * Parse the JSON-RPC form. Throws CodecError: INVALID_FIELD when the JSON is not a transaction
 * (also when it nests deeper than MAX_JSON_DEPTH, checked before anything recurses into it),
 * OUT_OF_BOUNDS for a field past a protocol bound, BAD_SIGNATURE_LENGTH for a signature not 65 bytes.
 */
export function signedTxFromJson(json: unknown): SignedTransaction {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "Transaction must be a JSON object");
  }
  if (exceedsJsonDepth(json, MAX_JSON_DEPTH)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Transaction JSON nests deeper than ${MAX_JSON_DEPTH} levels`, {
      details: { maxDepth: MAX_JSON_DEPTH },
    });
  }
  const j = json as Record<string, unknown>;
  checkJsonKeys(j, ["chainId", "primaryType", "message", "signature"], "transaction");
  const kind = typeof j.primaryType === "string" ? txKindByName(j.primaryType) : undefined;
  if (kind === undefined) {
    const shown =
      typeof j.primaryType === "string"
        ? JSON.stringify(j.primaryType.length > 80 ? `${j.primaryType.slice(0, 80)}…` : j.primaryType)
        : `(${j.primaryType === null ? "null" : Array.isArray(j.primaryType) ? "an array" : typeof j.primaryType})`;
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown transaction primaryType ${shown}`, {
      details: { path: "primaryType", got: j.primaryType },
      metaMessages: [
        `Known types: ${Object.values(txStructs)
          .map((s) => s.name)
          .join(", ")}`,
      ],
    });
  }
  if (!isHex(j.signature, SIGNATURE_BYTES)) {
    if (isHex(j.signature)) throw badSignatureLength("signature", j.signature);
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "signature must be 0x-prefixed hex of 65 bytes", {
      details: { path: "signature", got: j.signature },
    });
  }
  const chainId = uint64.fromJson(j.chainId, "chainId");
  const message = txStructs[kind].fromJson(j.message, "message");
  return { chainId, kind, message, signature: fromHex(j.signature) } as SignedTransaction;
}
