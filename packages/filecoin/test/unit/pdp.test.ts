/**
 * The PDP backend up to the SDK boundary: no provider or Filecoin RPC is reachable here, so a fake
 * `createSynapse` records every SDK call and answers as the SDK's types say. One test runs the real
 * `Synapse.create` against a closed loopback port.
 */
import { calibration, mainnet, type SynapseOptions } from "@filoz/synapse-sdk";
import { CID } from "multiformats/cid";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  createPdpBackend,
  type PdpBackendConfig,
  type PdpPieceStatus,
  type PdpStorageContext,
  type PdpSynapse,
} from "../../src/backends/pdp.js";
import type { BatchPiece, DealRecord } from "../../src/backends/types.js";
import { FilecoinError, FilecoinErrorCode } from "../../src/errors.js";

const KEY = `0x${"4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"}` as const;
const WALLET = privateKeyToAccount(KEY).address;
/** 200 bytes of 7; its v2 Piece CID as both @web3-storage/data-segment and synapse-core compute it. */
const CAR = new Uint8Array(200).fill(7);
const CAR_PIECE_CID = "bafkzcibcgybzgafrv5wlq7dntvnlhfkeszmjmhtra3xavtdrom3zbvbcqdhcmaq";
/** The v2 Piece CID of 200 bytes of 8: another piece of the same size. */
const OTHER_PIECE_CID = "bafkzcibcgybyb2lvbrx75pipjkv3pznboxmjhpbwetfbatofuwapw3cwjtirofy";
const SP_URL = "https://sp.example/";

const PIECE: BatchPiece = {
  checkpointIndex: 7,
  pieceCid: CAR_PIECE_CID,
  pieceCidV1: "baga6ea4seaq-unused-here",
  paddedSize: 256,
  payloadCid: "bafyreiunused",
  carSize: CAR.length,
  locationRef: "http://127.0.0.1:8645/piece/unused",
};

type Call = { method: string; args: unknown[] };

/** A fake SDK in the shape of `Synapse`, recording each call; `opts` says how it answers. */
function fakeSdk(
  opts: {
    chainId?: number;
    reportedPieceCid?: string;
    dataSetId?: bigint;
    pieceId?: bigint;
    ready?: boolean;
    dataSets?: Array<{ pdpVerifierDataSetId: bigint; isLive: boolean; pdpEndEpoch: bigint }>;
    removals?: bigint[];
    status?: PdpPieceStatus | null;
    fail?: Partial<Record<string, unknown>>;
    providerIds?: bigint[];
  } = {},
) {
  const calls: Call[] = [];
  const created: SynapseOptions[] = [];
  const providerIds = [...(opts.providerIds ?? [3n])];
  const record = (method: string, ...args: unknown[]) => {
    calls.push({ method, args });
    if (opts.fail?.[method] !== undefined) throw opts.fail[method];
  };
  const context = (providerId: bigint, dataSetId: bigint | undefined): PdpStorageContext => ({
    dataSetId,
    provider: {
      id: providerId,
      serviceProvider: "0x00000000000000000000000000000000000000aa",
      pdp: { serviceURL: SP_URL },
    },
    async store(data, options) {
      record("context.store", data, options);
      return { pieceCid: CID.parse(opts.reportedPieceCid ?? CAR_PIECE_CID), size: data.length };
    },
    async commit(options) {
      record("context.commit", options);
      return { txHash: "0xabc", pieceIds: [opts.pieceId ?? 5n], dataSetId: opts.dataSetId ?? 12n, isNewDataSet: true };
    },
    async getScheduledRemovals() {
      record("context.getScheduledRemovals");
      return opts.removals ?? [];
    },
    async pieceStatus(options) {
      record("context.pieceStatus", options);
      return opts.status === undefined ? null : opts.status;
    },
  });
  const synapse: PdpSynapse = {
    client: {
      async getChainId() {
        record("client.getChainId");
        return opts.chainId ?? calibration.id;
      },
      account: { address: WALLET },
    },
    storage: {
      async createContext(options) {
        record("storage.createContext", options);
        return context(options?.providerId ?? providerIds.shift() ?? 99n, options?.dataSetId);
      },
      async prepare(options) {
        record("storage.prepare", options);
        const ready = opts.ready ?? true;
        return {
          costs: { depositNeeded: ready ? 0n : 10n ** 18n, needsFwssMaxApproval: !ready, ready },
          transaction: ready
            ? null
            : {
                depositAmount: 10n ** 18n,
                includesApproval: true,
                execute: async () => {
                  record("transaction.execute");
                  return { hash: "0xfund" };
                },
              },
        };
      },
      async findDataSets() {
        record("storage.findDataSets");
        return [...(opts.dataSets ?? [{ pdpVerifierDataSetId: 12n, isLive: true, pdpEndEpoch: 0n }])];
      },
    },
    async getProviderInfo(address) {
      record("getProviderInfo", address);
      return { id: 42n };
    },
  };
  const createSynapse = (options: SynapseOptions) => {
    created.push(options);
    return synapse;
  };
  const methods = () => calls.map((c) => c.method);
  const argsOf = (method: string) => calls.filter((c) => c.method === method).map((c) => c.args);
  return { createSynapse, created, calls, methods, argsOf };
}

const base: PdpBackendConfig = { network: "calibration", privateKey: KEY };

async function rejection(p: Promise<unknown>): Promise<FilecoinError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FilecoinError);
  return err as FilecoinError;
}

function expectNoKey(err: FilecoinError) {
  const text = `${err.message}\n${JSON.stringify(err.details)}\n${String((err.cause as Error | undefined)?.message)}`;
  expect(text.toLowerCase()).not.toContain(KEY.slice(2).toLowerCase());
}

function published(over: Partial<DealRecord> = {}): DealRecord {
  return {
    backend: "pdp",
    pieceCid: CAR_PIECE_CID,
    ref: "dataSet/12/piece/5",
    provider: SP_URL,
    state: "published",
    dealId: "5",
    reason: null,
    updatedAt: 1,
    ...over,
  };
}

describe("PDP backend: config", () => {
  it.each([
    ["network", { ...base, network: "devnet" }],
    ["network", { privateKey: KEY }],
    ["privateKey", { network: "calibration" }],
    ["privateKey", { ...base, privateKey: KEY.slice(0, 64) }],
    ["privateKey", { ...base, privateKey: `0x${"0".repeat(64)}` }],
    ["privateKey", { ...base, privateKey: `0x${"f".repeat(64)}` }],
    ["rpcUrl", { ...base, rpcUrl: "wss://node.example/rpc" }],
    ["rpcUrl", { ...base, rpcUrl: "not a url" }],
    ["providerId", { ...base, providerId: -1 }],
    ["dataSetId", { ...base, dataSetId: "12a" }],
    ["providerAddress", { ...base, providerAddress: "0x1234" }],
    ["withCDN", { ...base, withCDN: "yes" }],
    ["dataSetID", { ...base, dataSetID: 3 }],
  ])("refuses a bad %s before calling the SDK", async (key, config) => {
    const sdk = fakeSdk();
    const err = await rejection(createPdpBackend(config as PdpBackendConfig, { createSynapse: sdk.createSynapse }));
    expect(err.code).toBe(FilecoinErrorCode.BAD_CONFIG);
    expect(err.details.key).toBe(key);
    expect(sdk.created).toHaveLength(0);
    expectNoKey(err);
  });

  it("never shows a malformed key either", async () => {
    const err = await rejection(createPdpBackend({ ...base, privateKey: `${KEY}00` }));
    expect(err.message).not.toContain(KEY.slice(2, 40));
  });
});

describe("PDP backend: the Synapse.create call", () => {
  it.each([
    ["calibration", calibration, "https://calibration.example/rpc/v1"],
    ["mainnet", mainnet, "https://mainnet.example/rpc/v1"],
  ] as const)("%s: the SDK's chain, the rpcUrl, the wallet key as a viem account", async (network, chain, rpcUrl) => {
    const sdk = fakeSdk({ chainId: chain.id });
    const backend = await createPdpBackend({ network, rpcUrl, privateKey: KEY, withCDN: true }, sdk);
    expect(backend.name).toBe("pdp");
    expect(sdk.created).toHaveLength(1);
    const opts = sdk.created[0]!;
    expect(opts.chain).toBe(chain);
    expect(opts.source).toBe("filverse");
    expect(opts.withCDN).toBe(true);
    expect(typeof opts.account === "object" && opts.account.address).toBe(WALLET);
    const transport = opts.transport!({ chain: opts.chain });
    expect(transport.config.type).toBe("http");
    expect(transport.value?.url).toBe(rpcUrl);
    expect(sdk.methods()).toEqual(["client.getChainId"]);
    await backend.close();
  });

  it("without rpcUrl the transport uses the SDK chain's default endpoint", async () => {
    const sdk = fakeSdk();
    await createPdpBackend({ ...base, privateKey: new Uint8Array(Buffer.from(KEY.slice(2), "hex")) }, sdk);
    const opts = sdk.created[0]!;
    expect(opts.transport!({ chain: opts.chain }).value?.url).toBe(calibration.rpcUrls.default.http[0]);
    expect(typeof opts.account === "object" && opts.account.address).toBe(WALLET);
  });

  it("refuses an RPC that serves another chain", async () => {
    const sdk = fakeSdk({ chainId: mainnet.id });
    const err = await rejection(createPdpBackend(base, sdk));
    expect(err.code).toBe(FilecoinErrorCode.BAD_CONFIG);
    expect(err.details).toMatchObject({ key: "rpcUrl", chainId: 314, expectedChainId: 314159 });
  });

  it("the real Synapse.create against a closed loopback port fails with a typed error naming the cause", async () => {
    const err = await rejection(createPdpBackend({ ...base, rpcUrl: "http://127.0.0.1:9/rpc/v1?token=s3cret" }));
    expect(err.code).toBe(FilecoinErrorCode.BACKEND_FAILED);
    expect(err.shortMessage).toBe("PDP backend could not reach the calibration RPC at http://127.0.0.1:9");
    expect(err.details.cause).toMatch(/^HttpRequestError: HTTP request failed/);
    expect(err.message).not.toContain("s3cret");
    expectNoKey(err);
  });
});

describe("PDP backend: store", () => {
  it("uploads exactly the CAR bytes, checks the Piece CID, commits it and returns a published record", async () => {
    const sdk = fakeSdk();
    const backend = await createPdpBackend({ ...base, providerId: "3" }, sdk);
    const before = Date.now();
    const record = await backend.store(PIECE, async () => CAR);
    expect(sdk.methods()).toEqual([
      "client.getChainId",
      "storage.createContext",
      "storage.prepare",
      "context.store",
      "context.commit",
    ]);
    expect(sdk.argsOf("storage.createContext")[0]).toEqual([{ withCDN: false, providerId: 3n }]);
    const [prepare] = sdk.argsOf("storage.prepare")[0] as [{ dataSize: bigint }];
    expect(prepare.dataSize).toBe(200n);
    const [data, storeOpts] = sdk.argsOf("context.store")[0] as [Uint8Array, { signal: AbortSignal }];
    expect(data).toBe(CAR);
    expect(storeOpts.signal).toBeInstanceOf(AbortSignal);
    const [commit] = sdk.argsOf("context.commit")[0] as [{ pieces: Array<{ pieceCid: CID }> }];
    expect(commit.pieces.map((p) => p.pieceCid.toString())).toEqual([CAR_PIECE_CID]);
    expect(record).toEqual({
      backend: "pdp",
      pieceCid: CAR_PIECE_CID,
      ref: "dataSet/12/piece/5",
      provider: SP_URL,
      state: "published",
      dealId: "5",
      reason: null,
      updatedAt: record.updatedAt,
    });
    expect(record.updatedAt).toBeGreaterThanOrEqual(before);
  });

  it("refuses a Piece CID the SDK computes differently, before anything is committed", async () => {
    const sdk = fakeSdk({ reportedPieceCid: OTHER_PIECE_CID });
    const backend = await createPdpBackend(base, sdk);
    const err = await rejection(backend.store(PIECE, async () => CAR));
    expect(err.code).toBe(FilecoinErrorCode.PIECE_MISMATCH);
    expect(err.details).toMatchObject({ pieceCid: CAR_PIECE_CID, reportedPieceCid: OTHER_PIECE_CID });
    expect(sdk.methods()).not.toContain("context.commit");
  });

  it("refuses bytes of the wrong length or outside the SDK's sizes without uploading", async () => {
    const sdk = fakeSdk();
    const backend = await createPdpBackend(base, sdk);
    const short = await rejection(backend.store(PIECE, async () => CAR.subarray(1)));
    expect(short.code).toBe(FilecoinErrorCode.PIECE_MISMATCH);
    const tiny = new Uint8Array(100);
    const small = await rejection(backend.store({ ...PIECE, carSize: 100 }, async () => tiny));
    expect(small.code).toBe(FilecoinErrorCode.PIECE_SIZE);
    expect(sdk.methods()).toEqual(["client.getChainId"]);
  });

  it("an unready wallet stops the upload; autoFund makes the SDK's deposit+approval first", async () => {
    const sdk = fakeSdk({ ready: false });
    const backend = await createPdpBackend(base, sdk);
    const err = await rejection(backend.store(PIECE, async () => CAR));
    expect(err.code).toBe(FilecoinErrorCode.WALLET_NOT_READY);
    expect(err.details).toMatchObject({ wallet: WALLET, depositNeeded: "1000000000000000000" });
    expect(sdk.methods()).not.toContain("context.store");

    const funded = fakeSdk({ ready: false });
    const auto = await createPdpBackend({ ...base, autoFund: true }, funded);
    expect((await auto.store(PIECE, async () => CAR)).state).toBe("published");
    expect(funded.methods().slice(-3)).toEqual(["transaction.execute", "context.store", "context.commit"]);
  });

  it("providerAddress is resolved through the SDK's registry; the next replica avoids the first provider", async () => {
    const byAddress = fakeSdk();
    const pinned = await createPdpBackend({ ...base, providerAddress: `0x${"ab".repeat(20)}` }, byAddress);
    await pinned.store(PIECE, async () => CAR);
    expect(byAddress.argsOf("getProviderInfo")).toEqual([[`0x${"ab".repeat(20)}`]]);
    expect(byAddress.argsOf("storage.createContext")[0]).toEqual([{ withCDN: false, providerId: 42n }]);

    const sdk = fakeSdk({ providerIds: [3n, 4n] });
    const backend = await createPdpBackend(base, sdk);
    await backend.store(PIECE, async () => CAR);
    await backend.store(PIECE, async () => CAR);
    expect(sdk.argsOf("storage.createContext")).toEqual([
      [{ withCDN: false }],
      [{ withCDN: false, excludeProviderIds: [3n] }],
    ]);
  });

  it("SDK failures become BACKEND_FAILED naming the step and the cause, with the key and RPC token scrubbed", async () => {
    const leak = new Error(
      `Failed to commit pieces on-chain - reverted; URL: https://rpc.example/v1/tok3n key ${KEY.toUpperCase()}`,
    );
    const sdk = fakeSdk({ fail: { "context.commit": leak } });
    const backend = await createPdpBackend({ ...base, rpcUrl: "https://rpc.example/v1/tok3n" }, sdk);
    const err = await rejection(backend.store(PIECE, async () => CAR));
    expect(err.code).toBe(FilecoinErrorCode.BACKEND_FAILED);
    expect(err.shortMessage).toBe("PDP backend could not add the piece to a data set");
    expect(err.details).toMatchObject({ action: "store", pieceCid: CAR_PIECE_CID, providerId: "3" });
    expect(err.details.cause).toBe(
      "Error: Failed to commit pieces on-chain - reverted; URL: https://rpc.example[redacted] key 0X[redacted]",
    );
    expect(err.message).not.toContain("tok3n");
    expect(err.cause).not.toBe(leak);
    expectNoKey(err);

    const upload = fakeSdk({ fail: { "context.store": new TypeError("fetch failed") } });
    const b2 = await createPdpBackend(base, upload);
    const e2 = await rejection(b2.store(PIECE, async () => CAR));
    expect(e2.shortMessage).toBe(`PDP backend could not upload to ${SP_URL}`);
    expect(e2.details.cause).toBe("TypeError: fetch failed");
    expect(e2.cause).toBeInstanceOf(TypeError);
  });
});

describe("PDP backend: refresh", () => {
  const due = new Date(Date.now() + 3_600_000);
  const cases: Array<[string, Parameters<typeof fakeSdk>[0], DealRecord["state"], RegExp | null]> = [
    [
      "in the data set, no proving period yet",
      { status: { dataSetNextProofDue: null, dataSetLastProven: null } },
      "published",
      null,
    ],
    ["in a live, proving data set", { status: { dataSetNextProofDue: due, dataSetLastProven: null } }, "active", null],
    ["gone from the active pieces", { status: null }, "expired", /no longer in data set 12/],
    [
      "scheduled for removal",
      { removals: [5n], status: { dataSetNextProofDue: due, dataSetLastProven: null } },
      "expired",
      /scheduled for removal/,
    ],
    [
      "data set terminated",
      { dataSets: [{ pdpVerifierDataSetId: 12n, isLive: true, pdpEndEpoch: 900n }] },
      "expired",
      /terminated .*epoch 900/,
    ],
    [
      "data set deleted",
      { dataSets: [{ pdpVerifierDataSetId: 12n, isLive: false, pdpEndEpoch: 0n }] },
      "expired",
      /deleted/,
    ],
    ["data set not the wallet's", { dataSets: [] }, "expired", /no longer the wallet's/],
  ];

  it.each(cases)("%s", async (_name, opts, state, reason) => {
    const sdk = fakeSdk(opts);
    const backend = await createPdpBackend(base, sdk);
    const next = await backend.refresh(published());
    expect(next.state).toBe(state);
    if (reason === null) expect(next.reason).toBeNull();
    else expect(next.reason).toMatch(reason);
    if (state !== "published") expect(next.updatedAt).toBeGreaterThan(1);
    expect(sdk.argsOf("storage.createContext").flat()).toEqual(
      sdk.methods().includes("storage.createContext") ? [{ dataSetId: 12n }] : [],
    );
    if (sdk.methods().includes("context.pieceStatus")) {
      expect(sdk.argsOf("context.pieceStatus")).toEqual([[{ pieceCid: CAR_PIECE_CID }]]);
    }
  });

  it("never moves a record backwards, and leaves failed/expired records alone", async () => {
    const sdk = fakeSdk({ status: { dataSetNextProofDue: null, dataSetLastProven: null } });
    const backend = await createPdpBackend(base, sdk);
    const active = published({ state: "active", updatedAt: 9 });
    expect(await backend.refresh(active)).toBe(active);
    for (const state of ["failed", "expired"] as const) {
      const done = published({ state, reason: "x" });
      expect(await backend.refresh(done)).toBe(done);
    }
    expect(sdk.methods().filter((m) => m === "storage.findDataSets")).toHaveLength(1);
  });

  it("reuses the data-set list within an epoch, but asks again for a data set it does not list yet", async () => {
    const dataSets = [{ pdpVerifierDataSetId: 12n, isLive: true, pdpEndEpoch: 0n }];
    const sdk = fakeSdk({ dataSets, status: { dataSetNextProofDue: due, dataSetLastProven: null } });
    const backend = await createPdpBackend(base, sdk);
    expect((await backend.refresh(published())).state).toBe("active");
    expect((await backend.refresh(published())).state).toBe("active");
    dataSets.push({ pdpVerifierDataSetId: 13n, isLive: true, pdpEndEpoch: 0n });
    expect((await backend.refresh(published({ ref: "dataSet/13/piece/0" }))).state).toBe("active");
    expect(sdk.methods().filter((m) => m === "storage.findDataSets")).toHaveLength(2);
  });

  it("an overdue proof keeps the state and says why", async () => {
    const sdk = fakeSdk({ status: { dataSetNextProofDue: due, dataSetLastProven: null, isProofOverdue: true } });
    const backend = await createPdpBackend(base, sdk);
    const next = await backend.refresh(published({ state: "active" }));
    expect(next).toMatchObject({ state: "active", reason: "data set 12 is overdue on its proof", updatedAt: 1 });
  });

  it("refuses a record it did not make, and SDK failures are typed", async () => {
    const backend = await createPdpBackend(base, fakeSdk());
    const bad = await rejection(backend.refresh(published({ backend: "dealClient", ref: "proposal/1" })));
    expect(bad.code).toBe(FilecoinErrorCode.BAD_RECORD);

    const sdk = fakeSdk({ fail: { "storage.findDataSets": new Error("RPC timeout") } });
    const failing = await createPdpBackend(base, sdk);
    const err = await rejection(failing.refresh(published()));
    expect(err.code).toBe(FilecoinErrorCode.BACKEND_FAILED);
    expect(err.details).toMatchObject({
      action: "refresh",
      dataSetId: "12",
      pieceId: "5",
      cause: "Error: RPC timeout",
    });
  });
});

describe("PDP backend: close", () => {
  it("is idempotent; afterwards store and refresh fail as CLOSED, and an upload in flight is aborted", async () => {
    const sdk = fakeSdk();
    const backend = await createPdpBackend(base, sdk);
    let started!: () => void;
    const uploading = new Promise<void>((r) => (started = r));
    // Hold the upload until close() aborts its signal, as the SDK's fetch would.
    const sdkStore = fakeSdk();
    const slow = await createPdpBackend(base, {
      createSynapse: (o) => {
        const s = sdkStore.createSynapse(o);
        return {
          ...s,
          storage: {
            ...s.storage,
            async createContext(opts) {
              const ctx = await s.storage.createContext(opts);
              return {
                ...ctx,
                store: (_data, options) =>
                  new Promise((_, reject) => {
                    started();
                    options?.signal?.addEventListener("abort", () => reject(new Error("This operation was aborted")));
                  }),
              };
            },
          },
        };
      },
    });
    const pending = rejection(slow.store(PIECE, async () => CAR));
    await uploading;
    await slow.close();
    expect((await pending).code).toBe(FilecoinErrorCode.CLOSED);

    await backend.close();
    await backend.close();
    expect((await rejection(backend.store(PIECE, async () => CAR))).code).toBe(FilecoinErrorCode.CLOSED);
    expect((await rejection(backend.refresh(published()))).code).toBe(FilecoinErrorCode.CLOSED);
  });
});
