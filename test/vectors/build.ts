/**
 * Builds the golden vectors: a fixed genesis, a block of deposits, a block holding every transaction
 * kind (all succeeding, Via<Transfer> and Via<TradeFill> among them), and a block of failing transactions, with every digest, hash, SSZ encoding
 * and root. Other implementations check themselves against test/vectors/protocol-v1.json.
 */
import {
  blockSigningDigest,
  collectionIdOf,
  dataAssetIdOf,
  depositHash,
  filverseDomain,
  hashTypedData,
  identityIdOf,
  preconfirmationDigest,
  privateKeyToAddress,
  signBlockHeader,
  signDigest,
  signPreconfirmation,
  signTransaction,
  tokenIdOf,
  txHash,
  txSigningDigest,
} from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import {
  applyBlock,
  createGenesis,
  feeAllowanceObjectId,
  handleObjectId,
  proveObject,
  proveWithdrawal,
  type State,
  sessionGrantObjectId,
} from "@filverse/state";
import {
  type Block,
  type BlockHeader,
  BlockHeader as BlockHeaderType,
  blockHash,
  type Deposit,
  Deposit as DepositType,
  encodeSignedBlock,
  encodeSignedTx,
  kindsMask,
  Namespace,
  Order,
  type OrderMessage,
  Preconfirmation,
  Receipt,
  receiptRoot,
  SessionRequest,
  type SignedBlock,
  type SignedTransaction,
  signedTxToJson,
  stateObjectStructs,
  TxKind,
  type TxMessage,
  touchedRoot,
  txStructs,
  USER_TX_KINDS,
  type Via,
  viaStruct,
} from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";

const chain = getChainConfig("devnet");
const CHAIN_ID = chain.chainId;
const GENESIS_TIME = 1_700_000_000;
const ZERO32 = new Uint8Array(32);

function key(name: string, byte: number) {
  const priv = new Uint8Array(32).fill(byte);
  return { name, priv, address: privateKeyToAddress(priv) };
}
const alice = key("alice", 0x11);
const bob = key("bob", 0x22);
const carol = key("carol", 0x33);
const session = key("session", 0x44);
const sequencer = key("sequencer", 0x55);

const CID_A = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const CID_B = "bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve";
const PIECE_CID = "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq";

type Built = { blocks: SignedBlock[]; states: State[]; genesis: { header: BlockHeader; state: State } };

function sealed(block: Block, header: BlockHeader): SignedBlock {
  return { ...block, header, signature: signBlockHeader(header, sequencer.priv) };
}

export function buildChain(): Built {
  const genesis = createGenesis(chain, { timestamp: GENESIS_TIME, proposer: sequencer.address });
  const nonces = new Map<string, number>();
  const sign = (k: typeof alice, m: TxMessage, via?: Via): SignedTransaction => {
    const n = nonces.get(k.name) ?? 0;
    nonces.set(k.name, n + 1);
    (m.message as { nonce: number }).nonce = n;
    return signTransaction(CHAIN_ID, m, k.priv, via);
  };
  const fee = 1_000_000_000n;

  const deposits: Deposit[] = [alice, bob, carol, session].map((k, i) => ({
    l1Nonce: i + 1,
    l1BlockNumber: 1000 + i,
    l1TxHash: new Uint8Array(32).fill(0xa0 + i),
    from: k.address,
    to: k.address,
    amount: 100n * 10n ** 18n,
    forcedTx: new Uint8Array(0),
  }));

  const collectionId = collectionIdOf(alice.address, 2);
  const tokenId = tokenIdOf(alice.address, 9);
  const identityId = identityIdOf(alice.address, 11);
  const dataAssetId = dataAssetIdOf(alice.address, 18);
  const order = (maker: typeof alice, o: Partial<OrderMessage> & Pick<OrderMessage, "tokenId" | "price">) => {
    const full: OrderMessage = {
      maker: maker.address,
      side: 0,
      collectionId,
      taker: new Uint8Array(20),
      expiresAt: 0,
      salt: 1n,
      ...o,
    };
    return { order: full, makerSignature: signDigest(hashTypedData(CHAIN_ID, Order, full), maker.priv) };
  };
  const z = { onBehalfOf: ZERO32, nonce: 0, fee };
  const t = GENESIS_TIME + 2;
  const everyKind: SignedTransaction[] = [
    sign(alice, { kind: TxKind.Transfer, message: { to: bob.address, amount: 10n ** 18n, nonce: 0, fee } }),
    sign(alice, {
      kind: TxKind.Withdraw,
      message: { l1Recipient: alice.address, amount: 2n * 10n ** 18n, nonce: 0, fee },
    }),
    sign(alice, {
      kind: TxKind.CollectionCreate,
      message: {
        name: "Genesis Avatars",
        symbol: "GAV",
        royaltyBps: 750,
        maxSupply: 100,
        metadataMutable: true,
        nonce: 0,
        fee,
      },
    }),
    sign(alice, {
      kind: TxKind.AssetMint,
      message: { collectionId, tokenId: 1, to: alice.address, contentCid: CID_A, ...z },
    }),
    sign(alice, {
      kind: TxKind.AssetBatchMint,
      message: { collectionId, firstTokenId: 2, to: alice.address, contentCids: [CID_A, CID_B], ...z },
    }),
    sign(alice, { kind: TxKind.AssetTransfer, message: { collectionId, tokenId: 3, to: bob.address, ...z } }),
    sign(alice, { kind: TxKind.AssetMetadataUpdate, message: { collectionId, tokenId: 1, contentCid: CID_B, ...z } }),
    sign(alice, { kind: TxKind.AssetApprove, message: { collectionId, tokenId: 2, approved: carol.address, ...z } }),
    sign(alice, { kind: TxKind.OperatorSet, message: { collectionId, operator: carol.address, approved: true, ...z } }),
    sign(alice, {
      kind: TxKind.TokenCreate,
      message: { name: "Alice Social", symbol: "ALS", decimals: 18, cap: 10n ** 24n, nonce: 0, fee },
    }),
    sign(alice, { kind: TxKind.TokenMint, message: { tokenId, to: bob.address, amount: 100n * 10n ** 18n, ...z } }),
    sign(alice, { kind: TxKind.IdentityCreate, message: { handle: "alice", profileCid: CID_A, nonce: 0, fee } }),
    sign(alice, { kind: TxKind.IdentityUpdate, message: { identityId, profileCid: CID_B, nonce: 0, fee } }),
    sign(alice, {
      kind: TxKind.AttributeSet,
      message: { identityId, key: "twitter", value: "@alice", expiresAt: 0, nonce: 0, fee },
    }),
    sign(alice, { kind: TxKind.AttributeRemove, message: { identityId, key: "twitter", nonce: 0, fee } }),
    sign(alice, {
      kind: TxKind.DelegateAdd,
      message: { identityId, delegate: session.address, scope: 3, expiresAt: t + 3600, nonce: 0, fee },
    }),
    sign(alice, {
      kind: TxKind.DelegateAdd,
      message: { identityId, delegate: carol.address, scope: 1, expiresAt: t + 60, nonce: 0, fee },
    }),
    sign(alice, { kind: TxKind.DelegateRevoke, message: { identityId, delegate: carol.address, nonce: 0, fee } }),
    sign(alice, {
      kind: TxKind.DataAssetRegister,
      message: { contentCid: CID_A, pieceCid: PIECE_CID, size: 1_048_576, license: "CC-BY-4.0", ...z },
    }),
    sign(alice, {
      kind: TxKind.AccessGrant,
      message: { dataAssetId, grantee: bob.address, expiresAt: t + 86_400, ...z },
    }),
    sign(alice, { kind: TxKind.AccessRevoke, message: { dataAssetId, grantee: bob.address, ...z } }),
    sign(alice, {
      kind: TxKind.OrderCancel,
      message: { order: order(alice, { tokenId: 1, price: 5n * 10n ** 18n, salt: 7n }).order, nonce: 0, fee },
    }),
    sign(alice, { kind: TxKind.IdentityTransfer, message: { identityId, newOwner: bob.address, nonce: 0, fee } }),
    sign(bob, { kind: TxKind.TokenTransfer, message: { tokenId, to: carol.address, amount: 40n * 10n ** 18n, ...z } }),
    sign(bob, { kind: TxKind.TokenBurn, message: { tokenId, amount: 10n * 10n ** 18n, ...z } }),
    sign(bob, { kind: TxKind.AssetBurn, message: { collectionId, tokenId: 3, ...z } }),
    sign(bob, {
      kind: TxKind.TradeFill,
      message: { ...order(alice, { tokenId: 2, price: 3n * 10n ** 18n }), nonce: 0, fee },
    }),
    // Fee allowances and session grants: alice sponsors carol's fees; carol grants the session key
    // at the request of the app identity (bob owns it since the IdentityTransfer); a sponsored
    // Via<Transfer>, a sponsored session Via<TradeFill>; then both are revoked.
    sign(alice, {
      kind: TxKind.FeeAllowanceSet,
      message: {
        grantee: carol.address,
        target: ZERO32,
        totalBudget: 10n * fee,
        periodBudget: 5n * fee,
        period: 3600,
        maxFeePerTx: fee,
        kinds: kindsMask(["Transfer", "TradeFill"]),
        expiresAt: 0,
        nonce: 0,
        fee,
      },
    }),
    sign(carol, {
      kind: TxKind.SessionGrant,
      message: {
        sessionKey: session.address,
        app: identityId,
        appSignature: signDigest(
          hashTypedData(CHAIN_ID, SessionRequest, {
            account: carol.address,
            sessionKey: session.address,
            app: identityId,
            deadline: t + 600,
          }),
          bob.priv,
        ),
        requestDeadline: t + 600,
        kinds: kindsMask(["Transfer", "TradeFill"]),
        filCap: 5n * 10n ** 18n,
        filPeriodCap: 0n,
        period: 0,
        tokens: [tokenId],
        tokenCaps: [10n ** 18n],
        tokenPeriodCaps: [0n],
        collections: [collectionId],
        counterparties: [],
        expiresAt: t + 86_400,
        nonce: 0,
        fee,
      },
    }),
    sign(
      carol,
      { kind: TxKind.Transfer, message: { to: bob.address, amount: 10n ** 17n, nonce: 0, fee } },
      { sponsor: alice.address, account: new Uint8Array(20) },
    ),
    sign(
      session,
      {
        kind: TxKind.TradeFill,
        message: { ...order(alice, { tokenId: 1, price: 10n ** 18n, salt: 8n }), nonce: 0, fee },
      },
      { sponsor: alice.address, account: carol.address },
    ),
    sign(carol, {
      kind: TxKind.SessionRevoke,
      message: { account: carol.address, sessionKey: session.address, nonce: 0, fee },
    }),
    sign(alice, {
      kind: TxKind.FeeAllowanceRevoke,
      message: { grantee: carol.address, target: ZERO32, nonce: 0, fee },
    }),
  ];
  const failing: SignedTransaction[] = [
    // bob is neither owner, approved nor operator of token 1 (carol is an operator).
    sign(bob, { kind: TxKind.AssetTransfer, message: { collectionId, tokenId: 1, to: bob.address, ...z } }),
    // alice transferred the identity, which voided the session key.
    sign(carol, { kind: TxKind.IdentityCreate, message: { handle: "alice", profileCid: CID_A, nonce: 0, fee } }),
    sign(session, {
      kind: TxKind.AssetTransfer,
      message: { collectionId, tokenId: 1, to: session.address, ...z, onBehalfOf: identityId },
    }),
  ];

  const blocks: SignedBlock[] = [];
  const states: State[] = [genesis.state];
  let parent = genesis.header;
  for (const [i, body] of [
    { deposits, transactions: [] as SignedTransaction[] },
    { deposits: [], transactions: everyKind },
    { deposits: [], transactions: failing },
  ].entries()) {
    const draft: BlockHeader = {
      ...parent,
      number: parent.number + 1,
      parentHash: blockHash(parent),
      timestamp: GENESIS_TIME + i + 1,
      proposer: sequencer.address,
    };
    const block: Block = { header: draft, ...body };
    const r = applyBlock(states[states.length - 1]!, block, { chainId: CHAIN_ID });
    const header: BlockHeader = {
      ...draft,
      txRoot: r.roots.txRoot,
      receiptsRoot: r.roots.receiptsRoot,
      stateRoot: r.roots.stateRoot,
      withdrawalsRoot: r.roots.withdrawalsRoot,
      l1DepositNonce: r.l1DepositNonce,
    };
    blocks.push(sealed(block, header));
    states.push(r.state);
    parent = header;
  }
  return { blocks, states, genesis };
}

const hex = toHex;

/** Everything another implementation needs to check itself, as plain JSON. */
export function buildVectors(): unknown {
  const { blocks, states, genesis } = buildChain();
  const final = states[states.length - 1]!;
  const keys = [alice, bob, carol, session, sequencer].map((k) => ({
    name: k.name,
    privateKey: hex(k.priv),
    address: hex(k.address),
  }));
  return {
    description:
      "Filverse protocol v1 golden vectors. Regenerate with `npm run vectors` only for a deliberate protocol change; docs/protocol.md defines every value.",
    chainId: CHAIN_ID,
    domain: filverseDomain(CHAIN_ID),
    keys,
    eip712Types: Object.fromEntries(
      USER_TX_KINDS.map((k) => [txStructs[k].name, { kind: k, types: txStructs[k].eip712Types }]),
    ),
    /** The Via envelope's types for two kinds (any user kind K is wrapped as Via<Name>, wire kind 0x80 | K), and the app's SessionRequest. */
    viaEip712Types: Object.fromEntries(
      [TxKind.Transfer, TxKind.TradeFill].map((k) => [viaStruct(k).name, { kind: k, types: viaStruct(k).eip712Types }]),
    ),
    sessionRequestTypes: SessionRequest.eip712Types,
    genesis: { header: BlockHeaderType.toJson(genesis.header), blockHash: hex(blockHash(genesis.header)) },
    blocks: blocks.map((b, i) => {
      const result = applyBlock(states[i]!, b, { chainId: CHAIN_ID });
      return {
        header: BlockHeaderType.toJson(b.header),
        blockHash: hex(blockHash(b.header)),
        sealDigest: hex(blockSigningDigest(b.header)),
        signature: hex(b.signature),
        ssz: hex(encodeSignedBlock(b)),
        deposits: b.deposits.map((d) => ({ deposit: DepositType.toJson(d), hash: hex(depositHash(d)) })),
        transactions: b.transactions.map((tx) => ({
          json: signedTxToJson(tx),
          signingDigest: hex(txSigningDigest(tx)),
          txHash: hex(txHash(tx)),
          ssz: hex(encodeSignedTx(tx)),
        })),
        receipts: result.receipts.map((r) => Receipt.toJson(r)),
        roots: Object.fromEntries(Object.entries(result.roots).map(([k, v]) => [k, hex(v)])),
      };
    }),
    preconfirmation: (() => {
      // A promise about block 2's first transaction (after its deposits), with a sample writes list.
      const block = blocks[1]!;
      const receipt = applyBlock(states[1]!, block, { chainId: CHAIN_ID }).receipts[block.deposits.length]!;
      const touched = [
        { key: new Uint8Array(32).fill(0xbb), valueHash: new Uint8Array(32) },
        { key: new Uint8Array(32).fill(0xaa), valueHash: new Uint8Array(32).fill(0x11) },
      ];
      const p = {
        number: block.header.number,
        position: block.deposits.length,
        receiptRoot: receiptRoot(receipt),
        touchedRoot: touchedRoot(touched),
      };
      return {
        touched: touched.map((e) => ({ key: hex(e.key), valueHash: hex(e.valueHash) })),
        message: Preconfirmation.toJson(p),
        digest: hex(preconfirmationDigest(CHAIN_ID, p)),
        signature: hex(signPreconfirmation(CHAIN_ID, p, sequencer.priv)),
      };
    })(),
    proofs: {
      stateRoot: hex(final.roots().stateRoot),
      objects: [
        [Namespace.Account, alice.address],
        [Namespace.Handle, handleObjectId("alice")],
        [Namespace.Handle, handleObjectId("nobody")],
        // The session grant stays, revoked, for ever; the revoked allowance is gone.
        [Namespace.SessionGrant, sessionGrantObjectId(carol.address, session.address)],
        [Namespace.FeeAllowance, feeAllowanceObjectId(alice.address, carol.address, ZERO32)],
      ].map(([ns, id]) => {
        const p = proveObject(final, ns as Namespace, id as Uint8Array);
        const struct = stateObjectStructs[p.ns] as { toJson(v: unknown): unknown };
        return {
          namespace: p.ns,
          id: hex(p.id),
          value: p.value === null ? null : struct.toJson(p.value),
          proof: {
            key: hex(p.proof.key),
            siblings: p.proof.siblings.map(hex),
            leaf: p.proof.leaf && { key: hex(p.proof.leaf.key), valueHash: hex(p.proof.leaf.valueHash) },
          },
          withdrawalsRoot: hex(p.withdrawalsRoot),
        };
      }),
      withdrawal: (() => {
        const p = proveWithdrawal(final, 0)!;
        return {
          withdrawal: {
            ...p.withdrawal,
            l2Sender: hex(p.withdrawal.l2Sender),
            l1Recipient: hex(p.withdrawal.l1Recipient),
            amount: p.withdrawal.amount.toString(),
          },
          siblings: p.siblings.map(hex),
          objectsRoot: hex(p.objectsRoot),
          withdrawalsRoot: hex(final.withdrawals.root()),
        };
      })(),
    },
  };
}

export { CHAIN_ID, fromHex, sequencer };
