/**
 * `filverse order sign|fill|cancel`: maker orders for one NFT against FIL. `sign` writes the signed
 * order as JSON ({order, makerSignature}, the SDK's signOrder) to a file or stdout; a taker passes
 * that file to `fill`, the maker to `cancel`. Thin over the SDK's signOrder, fillOrder and cancelOrder.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { safeStringify } from "@filverse/utils";
import type { Command } from "commander";
import { AMOUNT_HELP, filAmountArg, formatFil } from "../amount.js";
import { type OutputOpts, print, UsageError } from "../output.js";
import { type ClientOpts, intArg, readStdin, sendAndReport, signingClient, withCommon } from "./common.js";

type Hex = `0x${string}`;
type SignedOrder = {
  order: {
    maker: Hex;
    side: string | number;
    collectionId: Hex;
    tokenId: string | number;
    price: string;
    taker: Hex;
    expiresAt: string | number;
    salt: string;
  };
  makerSignature: Hex;
};

const ORDER_FIELDS = ["maker", "side", "collectionId", "tokenId", "price", "taker", "expiresAt", "salt"] as const;

/** A signed order from a file (or stdin for "-"): its shape is checked here, its values by the SDK. */
async function readOrder(file: string, needSignature: boolean): Promise<SignedOrder> {
  let text: string;
  if (file === "-") text = await readStdin("the signed order");
  else {
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    text = readFileSync(file, "utf8");
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`${file === "-" ? "stdin" : file} is not JSON`, [
      "Write one with `filverse order sign --out <file>`.",
    ]);
  }
  const o = (v as { order?: Record<string, unknown> } | null)?.order;
  const missing = o && typeof o === "object" ? ORDER_FIELDS.filter((f) => o[f] === undefined) : ORDER_FIELDS;
  if (missing.length > 0)
    throw new UsageError(`${file === "-" ? "stdin" : file} is not a signed order: no ${missing.join(", ")}`, [
      "Expected the JSON of `filverse order sign`: {order: {maker, side, …}, makerSignature}.",
    ]);
  if (needSignature && typeof (v as { makerSignature?: unknown }).makerSignature !== "string")
    throw new UsageError(`${file === "-" ? "stdin" : file} has no makerSignature`);
  return v as SignedOrder;
}

function describeOrder(s: SignedOrder): string {
  const o = s.order;
  const side = String(o.side) === "0" ? "sells" : "buys";
  const taker = /^0x0{40}$/i.test(o.taker) ? "anyone" : o.taker;
  const expires = String(o.expiresAt) === "0" ? "never" : new Date(Number(o.expiresAt) * 1000).toISOString();
  return [
    `maker    ${o.maker} ${side} token ${o.tokenId} of ${o.collectionId}`,
    `price    ${formatFil(o.price)} (${o.price} attoFIL)`,
    `taker    ${taker}`,
    `expires  ${expires}`,
  ].join("\n");
}

export function registerOrderCommands(program: Command): void {
  const order = program.command("order").description("maker orders: sign one, fill one, cancel your own");
  const sign = order
    .command("sign")
    .description("sign an order to sell (or buy) one NFT for FIL; nothing is sent: give the file to a taker")
    .requiredOption("--side <side>", "sell (you hold the asset) or buy (you pay)")
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .requiredOption("--price <amount>", `the price; ${AMOUNT_HELP}`, filAmountArg("price"))
    .option("--taker <address>", "only this address may fill (default: anyone)")
    .option("--expires-in <seconds>", "lifetime (default: never expires)", intArg("expires-in"))
    .option("--out <file>", "write the signed order here (default: stdout)")
    .option(
      "--rpc <url>",
      "node JSON-RPC URL, for the chain id; default $FILVERSE_RPC",
      process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645",
    )
    .option("--key-file <file>", "the maker's key (0x hex, mode 0600); default $FILVERSE_KEY_FILE")
    .option("--json", "print JSON");
  sign.action(
    async (
      o: ClientOpts &
        OutputOpts & {
          side: string;
          collection: string;
          tokenId: string;
          price: string;
          taker?: string;
          expiresIn?: string;
          out?: string;
        },
    ) => {
      const side = { sell: 0, buy: 1 }[o.side.toLowerCase()];
      if (side === undefined) throw new UsageError(`--side must be sell or buy, got "${o.side}"`);
      if (o.out && existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite it`);
      const c = await signingClient(o);
      let signed: SignedOrder;
      try {
        signed = (await c.signOrder({
          side,
          collectionId: o.collection as Hex,
          tokenId: o.tokenId,
          price: o.price,
          ...(o.taker ? { taker: o.taker as Hex } : {}),
          ...(o.expiresIn ? { expiresAt: Math.floor(Date.now() / 1000) + Number(o.expiresIn) } : {}),
        })) as SignedOrder;
      } finally {
        await c.close();
      }
      const text = `${safeStringify(signed)}\n`;
      if (!o.out) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(o.out, text, { flag: "wx" });
      print(o, { file: resolve(o.out), ...signed }, () => `${describeOrder(signed)}\norder    ${resolve(o.out!)}`);
    },
  );
  withCommon(order.command("fill").description("fill a signed order as the taker (you pay, or you sell, its price)"))
    .requiredOption("--order <file>", "the signed order from `order sign` (- for stdin)")
    .action(async (o: ClientOpts & { order: string }) => {
      const signed = await readOrder(o.order, true);
      return sendAndReport(o, (c) => c.fillOrder(signed as never));
    });
  withCommon(order.command("cancel").description("cancel your own signed order, so it can no longer be filled"))
    .requiredOption("--order <file>", "the signed order from `order sign` (- for stdin)")
    .action(async (o: ClientOpts & { order: string }) => {
      const signed = await readOrder(o.order, false);
      return sendAndReport(o, (c) => c.cancelOrder({ order: signed.order } as never));
    });
  order
    .command("show")
    .description("print a signed order for a person (no node needed)")
    .argument("<file>", "the signed order (- for stdin)")
    .option("--json", "print JSON")
    .action(async (file: string, o: OutputOpts) => {
      const signed = await readOrder(file, false);
      print(o, signed, () => describeOrder(signed));
    });
}
