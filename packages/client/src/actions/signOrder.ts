/**
 * `signOrder`: a maker signs an EIP-712 `Order` (sell or buy one NFT for FIL). The result goes to a
 * taker, who passes it to fillOrder; the maker can cancel it with cancelOrder.
 */
import { Order } from "@filverse/types";
import { type Hex, toHex } from "@filverse/utils";
import { type FilverseBaseClient, requireSigner } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { OrderJson, Uint256Input, UintInput } from "../types.js";
import { normalizeObject, parseMessage } from "../utils/normalize.js";
import { signMessage } from "../utils/transaction.js";

const ZERO_ADDRESS: Hex = `0x${"00".repeat(20)}`;

export type SignOrderParameters = {
  /** 0 = the maker sells the asset for `price`; 1 = the maker buys it. */
  side: UintInput;
  collectionId: Hex;
  tokenId: UintInput;
  /** attoFIL. */
  price: Uint256Input;
  /** Defaults to the account's address. */
  maker?: Hex;
  /** Only this taker may fill; zero (the default) lets anyone. */
  taker?: Hex;
  /** Unix seconds; 0 (the default) never expires. */
  expiresAt?: UintInput;
  /** Makes otherwise equal orders distinct; 256 random bits by default. */
  salt?: Uint256Input;
};

export type SignOrderReturnType = { order: OrderJson; makerSignature: Hex };

export async function signOrder(client: FilverseBaseClient, params: SignOrderParameters): Promise<SignOrderReturnType> {
  const signer = requireSigner(client, "signOrder");
  const json = normalizeObject(Order, {
    maker: signer.address,
    taker: ZERO_ADDRESS,
    expiresAt: 0,
    salt: randomSalt(),
    ...(params as Record<string, unknown>),
  });
  const order = parseMessage(Order, json);
  const makerHex = toHex(order.maker);
  if (makerHex !== signer.address) {
    throw new ClientError(ClientErrorCode.SIGNER_MISMATCH, "The order's maker is not the account's address", {
      details: { maker: makerHex, account: signer.address },
    });
  }
  const chainId = await client.resolveChainId();
  const signed = await signMessage(signer, chainId, Order, order);
  return { order: Order.toJson(order) as OrderJson, makerSignature: signed.signature };
}

function randomSalt(): bigint {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return BigInt(toHex(bytes));
}
