/**
 * The user-facing input types of the write actions: every transaction kind's message fields in a
 * friendly form (hex strings for bytes, bigint | string | number for integers), without nonce and fee.
 */
import type { OrderMessage, TxKind, TxMessages } from "@filverse/types";
import type { Hex } from "@filverse/utils";

export type { Hex };

/** The EIP-712 primary type of every user transaction kind ("Transfer", "CollectionCreate", ...). */
export type PrimaryType = Exclude<keyof typeof TxKind, "Deposit">;

/** The wire `kind` byte of a primary type. */
export type KindOf<P extends PrimaryType> = (typeof TxKind)[P];

/** The decoded message of a primary type, as @filverse/types holds it (Uint8Array, bigint, number). */
export type MessageOf<P extends PrimaryType> = TxMessages[KindOf<P>];

/** A uint256 (amounts, fees, prices, caps, salts): a bigint, a decimal string, or a safe-integer number. */
export type Uint256Input = bigint | string | number;
/** A uint8/uint16/uint64 (nonces, token ids, expiries, sizes): a number, or a decimal string or bigint ≤ 2^53−1. */
export type UintInput = number | bigint | string;

/** The friendly form of a decoded message type. */
export type InputOf<V> = {
  [K in keyof V]: V[K] extends Uint8Array
    ? Hex
    : V[K] extends bigint
      ? Uint256Input
      : V[K] extends number
        ? UintInput
        : V[K] extends boolean
          ? boolean
          : V[K] extends string
            ? string
            : V[K] extends readonly string[]
              ? readonly string[]
              : V[K] extends readonly Uint8Array[]
                ? readonly Hex[]
                : V[K] extends readonly bigint[]
                  ? readonly Uint256Input[]
                  : InputOf<V[K]>;
};

type Prettify<T> = { [K in keyof T]: T[K] } & {};

/**
 * A write action's parameters: the kind's message fields without `nonce`, `fee` and `onBehalfOf`,
 * plus optional overrides of those three (nonce from the account, fee from filverse_estimateFee,
 * onBehalfOf zero = act as the signer).
 */
export type TxParameters<P extends PrimaryType> = P extends PrimaryType
  ? Prettify<
      Omit<InputOf<MessageOf<P>>, "nonce" | "fee" | "onBehalfOf"> & {
        nonce?: UintInput;
        fee?: Uint256Input;
      } & ("onBehalfOf" extends keyof MessageOf<P> ? { onBehalfOf?: Hex } : unknown)
    >
  : never;

/** The ids a transaction creates, known before inclusion (derived from the signer and the nonce). */
export type CreatedIds<P extends PrimaryType> = P extends "CollectionCreate"
  ? { collectionId: Hex }
  : P extends "TokenCreate"
    ? { tokenId: Hex }
    : P extends "IdentityCreate"
      ? { identityId: Hex }
      : P extends "DataAssetRegister"
        ? { dataAssetId: Hex }
        : unknown;

/** A maker order in friendly form. */
export type OrderInput = InputOf<OrderMessage>;

/** A maker order in its JSON form (what signOrder returns and fillOrder / cancelOrder accept). */
export type OrderJson = {
  maker: Hex;
  side: number;
  collectionId: Hex;
  tokenId: string;
  price: string;
  taker: Hex;
  expiresAt: string;
  salt: string;
};

/** The signed transaction as filverse_sendTransaction takes it: a kind's own type, or its `Via<Name>`. */
export type SignedTransactionJson = {
  chainId: string;
  primaryType: PrimaryType | `Via${PrimaryType}`;
  message: Record<string, unknown>;
  signature: Hex;
};
