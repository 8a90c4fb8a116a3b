/**
 * docs/ must describe the code as it is: every type string, error code and namespace is listed, and
 * what a wallet written from the docs alone needs (field lists, examples, genesis roots) is checked
 * against the code that produces it.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  type Type,
  UintBigintType,
  UintNumberType,
} from "@chainsafe/ssz";
import {
  collectionIdOf,
  encodeType,
  filverseDomain,
  hashTypedData,
  privateKeyToAddress,
  recoverAddress,
  signTransaction,
} from "@filverse/crypto";
import { DEFAULT_CHALLENGE_BOND, DEFAULT_MOVE_BOND } from "@filverse/l1";
import {
  createRpcHandlers,
  DevFaucet,
  defaultMempoolOpts,
  defaultSequencerOpts,
  initDataDir,
  NodeMetrics,
  registerOperationsMetrics,
  Sequencer,
} from "@filverse/node";
import { getChainConfig } from "@filverse/params";
import {
  BlockExecutor,
  createGenesis,
  EMPTY_GLOBALS,
  ExecutionErrorCode,
  GLOBALS_ID,
  parseTransactionJson,
  State,
  TX_CODES,
  TxValidationErrorCode,
  validateTransaction,
} from "@filverse/state";
import {
  BlockHeader,
  blockHash,
  Deposit,
  MAX_JSON_DEPTH,
  Namespace,
  Order,
  RpcErrorCode,
  SessionRequest,
  type StateObjects,
  type StructType,
  signedTxToJson,
  stateObjectStructs,
  TradeFill,
  TX_DROP_REASONS,
  TxKind,
  txStructs,
  USER_TX_KINDS,
  viaStruct,
} from "@filverse/types";
import {
  fromHex,
  MAX_ECHO_DEPTH,
  MAX_ECHO_ITEMS,
  MAX_ECHO_STRING_CHARS,
  MAX_ECHO_TOTAL_CHARS,
  toHex,
} from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");

/** The text from the line `heading` to the next heading of the same or a higher level (outside code blocks). */
function section(doc: string, heading: string): string {
  const lines = doc.split("\n");
  const start = lines.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const level = heading.match(/^#+/)![0].length;
  let fenced = false;
  let end = start + 1;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (line.startsWith("```")) fenced = !fenced;
    const m = fenced ? null : /^(#+) /.exec(line);
    if (m && m[1]!.length <= level) break;
  }
  return lines.slice(start, end).join("\n");
}

/** The body rows (cells trimmed) of the first markdown table in `text`. */
function firstTable(text: string): string[][] {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  expect(first, "a table").toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The first ```json block in `text`, parsed. */
function firstJsonBlock(text: string): unknown {
  const m = /```json\n([\s\S]*?)\n```/.exec(text);
  expect(m, "a json block").not.toBeNull();
  return JSON.parse(m![1]!);
}

const sha256 = (...parts: Uint8Array[]) => new Uint8Array(createHash("sha256").update(Buffer.concat(parts)).digest());
const ZERO_CHUNK = new Uint8Array(32);

// biome-ignore lint/suspicious/noExplicitAny: structs of any value type
type AnyStruct = StructType<any>;

type ProofAnswer = {
  stateRoot: string;
  id: string;
  value: Record<string, unknown> | null;
  proof: { key: string; siblings: string[]; leaf: { key: string; valueHash: string } | null };
  withdrawalsRoot: string;
};

/** A state.md field list cell, "`name: type`, `name: type`", as [name, type] pairs. */
function docFields(cell: string): [string, string][] {
  return [...cell.matchAll(/`(\w+): ([^`]+)`/g)].map((m) => [m[1]!, m[2]!]);
}

/** The name state.md gives an SSZ type. */
function sszTypeName(t: Type<unknown>): string {
  if (t instanceof UintNumberType || t instanceof UintBigintType) return `uint${t.byteLength * 8}`;
  if (t instanceof BooleanType) return "boolean";
  if (t instanceof ByteVectorType) return `Bytes${t.lengthBytes}`;
  if (t instanceof ByteListType) return `ByteList[${t.limitBytes}]`;
  if (t instanceof ListBasicType || t instanceof ListCompositeType) {
    return `List[${sszTypeName(t.elementType as Type<unknown>)},${t.limit}]`;
  }
  throw new Error(`state.md has no name for ${t.typeName}`);
}

/** The SSZ type a state.md type name stands for, built without the schema. */
function sszOfDocType(t: string): Type<unknown> {
  let m: RegExpExecArray | null;
  if ((m = /^uint(8|16|64|256)$/.exec(t))) return new UintBigintType((Number(m[1]) / 8) as 1 | 2 | 8 | 32);
  if (t === "boolean") return new BooleanType();
  if ((m = /^Bytes(\d+)$/.exec(t))) return new ByteVectorType(Number(m[1]));
  if ((m = /^ByteList\[(\d+)\]$/.exec(t))) return new ByteListType(Number(m[1]));
  if ((m = /^List\[(\w+),(\d+)\]$/.exec(t))) {
    const item = sszOfDocType(m[1]!);
    return item instanceof UintBigintType
      ? new ListBasicType(item, Number(m[2]))
      : new ListCompositeType(item as ByteVectorType, Number(m[2]));
  }
  throw new Error(`Unknown state.md type ${t}`);
}

/** A JSON field value as state.md says to read it, in the form @chainsafe/ssz takes. */
function fromDocJson(t: string, v: unknown): unknown {
  const list = /^List\[(\w+),\d+\]$/.exec(t);
  if (list) {
    expect(Array.isArray(v), t).toBe(true);
    return (v as unknown[]).map((x) => fromDocJson(list[1]!, x));
  }
  if (t === "uint8" || t === "uint16") expect(typeof v, t).toBe("number");
  if (t === "uint64" || t === "uint256") expect(v, t).toMatch(/^(0|[1-9][0-9]*)$/);
  if (t.startsWith("uint")) return BigInt(v as string | number);
  if (t === "boolean") return v as boolean;
  if (t.startsWith("Bytes")) return fromHex(v as string);
  return new TextEncoder().encode(v as string);
}

/** The zero-padded 32-byte chunks of `bytes` (at least one). */
function chunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < Math.max(bytes.length, 1); i += 32) {
    const c = new Uint8Array(32);
    c.set(bytes.subarray(i, i + 32));
    out.push(c);
  }
  return out;
}

/** state.md's merkleization: `leaves` rounded up to a power of two, absent leaves zero chunks. */
function merkleize(leafChunks: Uint8Array[], leaves: number): Uint8Array {
  let width = 1;
  while (width < leaves) width *= 2;
  let level = Array.from({ length: width }, (_, i) => leafChunks[i] ?? ZERO_CHUNK);
  while (level.length > 1) level = level.filter((_, i) => i % 2 === 0).map((l, i) => sha256(l, level[2 * i + 1]!));
  return level[0]!;
}

/** hash_tree_root of one field from its JSON, following state.md's rules by hand. */
function fieldRoot(t: string, v: unknown): Uint8Array {
  const list = /^List\[(\w+),(\d+)\]$/.exec(t);
  if (list) {
    // Each item one chunk (uint256, Bytes32, Bytes20), a tree of `limit` leaves, then the item count.
    const items = (v as unknown[]).map((x) => fieldRoot(list[1]!, x));
    const count = new Uint8Array(32);
    new DataView(count.buffer).setUint32(0, items.length, true);
    return sha256(merkleize(items, Number(list[2])), count);
  }
  const value = fromDocJson(t, v);
  const uint = /^uint(\d+)$/.exec(t);
  if (uint) {
    const le = new Uint8Array(Number(uint[1]) / 8);
    let x = value as bigint;
    for (let i = 0; i < le.length; i++, x >>= 8n) le[i] = Number(x & 0xffn);
    return chunks(le)[0]!;
  }
  if (t === "boolean") return chunks(Uint8Array.of(value ? 1 : 0))[0]!;
  if (t.startsWith("Bytes")) return chunks(value as Uint8Array)[0]!;
  const limit = Number(/^ByteList\[(\d+)\]$/.exec(t)![1]);
  const bytes = value as Uint8Array;
  const length = new Uint8Array(32);
  new DataView(length.buffer).setUint32(0, bytes.length, true);
  return sha256(merkleize(bytes.length === 0 ? [] : chunks(bytes), Math.ceil(limit / 32)), length);
}

/** A value for every field of `struct` that uses each encoding fully: multi-chunk UTF-8, high bits, true. */
function sampleValue(struct: AnyStruct, seed: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of struct.fieldNames) {
    const field = struct.fields[name]!;
    const kind = field.encoding.kind;
    if (kind === "uint8") out[name] = 0xa0 + seed;
    else if (kind === "uint16") out[name] = 0xab00 + seed;
    else if (kind === "uint64") out[name] = 2 ** 53 - 1 - seed;
    else if (kind === "uint256") out[name] = 2n ** 255n + BigInt(seed);
    else if (kind === "bool") out[name] = true;
    else if (kind === "address" || kind === "bytes32") {
      out[name] = new Uint8Array(kind === "address" ? 20 : 32).map((_, i) => (i * 7 + seed) & 0xff);
    } else if (kind === "string") {
      let s = "";
      while (Buffer.byteLength(`${s}fü✓`) <= Math.min(field.bounds!.maxBytes!, 100)) s += "fü✓";
      out[name] = s;
    } else if (kind === "array" && field.encoding.item !== "string") {
      // Two items of a fixed-size kind (the session grant's lists).
      const item = field.encoding.item;
      out[name] = [0, 1].map((j) =>
        item === "uint256"
          ? 2n ** 255n + BigInt(seed + j)
          : new Uint8Array(item === "address" ? 20 : 32).map((_, i) => (i * 5 + seed + j) & 0xff),
      );
    } else throw new Error(`No sample for ${kind}`);
  }
  return out;
}

describe("docs match the code", () => {
  const protocol = read("protocol.md");
  const state = read("state.md");

  it("docs/, the README and the package READMEs stand alone: no file outside the repo is cited", () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const files = [
      ...readdirSync(join(root, "docs")).map((f) => join(root, "docs", f)),
      join(root, "README.md"),
      ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "README.md")),
    ].filter((f) => f.endsWith(".md"));
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, "utf8");
      } catch {
        continue;
      }
      expect(text, f).not.toMatch(/DESIGN\.md|STYLE\.md|\.\.\/shared\b/);
    }
  });

  it("architecture.md's dependency graph is the packages' package.json dependencies, arrow for arrow", () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const block = section(read("architecture.md"), "## Layer order").split("```")[1]!;
    const drawn = new Map<string, string[]>();
    for (const line of block.split("\n")) {
      const m = /^([a-z0-9-]+)\s+─+►\s*(.*)$/.exec(line);
      if (!m) continue;
      const targets = m[2]!.split("(")[0]!.trim();
      drawn.set(m[1]!, targets === "" ? [] : targets.split(",").map((t) => t.trim()));
    }
    const packages = readdirSync(join(root, "packages")).filter((p) => !p.startsWith("."));
    for (const name of packages) {
      const pkg = JSON.parse(readFileSync(join(root, "packages", name, "package.json"), "utf8")) as {
        dependencies?: Record<string, string>;
      };
      const deps = Object.keys(pkg.dependencies ?? {})
        .filter((d) => d.startsWith("@filverse/"))
        .map((d) => d.slice("@filverse/".length));
      expect(drawn.has(name), `${name} has no line in the graph`).toBe(true);
      expect([...drawn.get(name)!].sort(), name).toEqual(deps.sort());
    }
    expect([...drawn.keys()].sort()).toEqual([...packages].sort());
  });

  it("protocol.md lists every kind with its number and exact encodeType", () => {
    for (const kind of USER_TX_KINDS) {
      const struct = txStructs[kind];
      expect(protocol).toContain(encodeType(struct as never));
      expect(protocol).toMatch(new RegExp(`\\| ${kind} \\| \`${struct.name}\` \\|`));
    }
    // The Via envelope's examples and the app's SessionRequest, as the code encodes them.
    for (const k of [TxKind.Transfer, TxKind.TradeFill]) expect(protocol).toContain(encodeType(viaStruct(k) as never));
    expect(protocol).toContain(encodeType(SessionRequest as never));
  });

  it("protocol.md lists every error code with its number", () => {
    for (const codes of [ExecutionErrorCode, TxValidationErrorCode]) {
      for (const [name, value] of Object.entries(codes)) {
        if (typeof value !== "number") continue;
        expect(protocol).toMatch(new RegExp(`\\| ${value} \\| \`${name}\` \\|`));
        // The CLI's words for the code (TX_CODES) are the table's, backticks aside.
        const row = protocol.split("\n").find((l) => l.startsWith(`| ${value} | \`${name}\` | `))!;
        const meaning = row.split(" | ")[2]!.replaceAll("`", "");
        expect(TX_CODES[value]?.[0]).toBe(name);
        expect(meaning.startsWith(TX_CODES[value]![1]), `${name}: ${meaning}`).toBe(true);
      }
    }
    expect(Object.keys(TX_CODES).length).toBe(
      [ExecutionErrorCode, TxValidationErrorCode].flatMap((c) => Object.values(c).filter((v) => typeof v === "number"))
        .length,
    );
  });

  it("rpc.md documents every method the node serves and every RPC error code", () => {
    const rpcDoc = read("rpc.md");
    const methods = Object.keys(createRpcHandlers({} as never));
    expect(methods.length).toBeGreaterThan(20);
    for (const m of methods) expect(rpcDoc, m).toMatch(new RegExp(`^### ${m}$`, "m"));
    for (const [name, value] of Object.entries(RpcErrorCode)) {
      if (typeof value === "number")
        expect(rpcDoc, name).toMatch(new RegExp(`${value}[^\\n]*${name}|${name}[^\\n]*${value}`));
    }
  });

  it("rpc.md lists every drop reason; operations.md every metric, the drop reasons among them", async () => {
    const rpcDoc = read("rpc.md");
    for (const reason of TX_DROP_REASONS) expect(rpcDoc, reason).toMatch(new RegExp(`^\\| \`${reason}\` \\|`, "m"));
    const operations = read("operations.md");
    const metrics = new NodeMetrics();
    registerOperationsMetrics(metrics, {
      checkpoints: () => null,
      finalizedBlock: () => null,
      deals: () => null,
      l1: () => null,
      head: () => ({ state: State.genesis(), stateAt: () => undefined }),
    });
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toContain("filverse_bridge_withdrawals_pending");
    for (const name of names.filter((n) => !n.startsWith("filverse_process_")))
      expect(operations, name).toContain(name);
    const dropped = operations
      .split("\n")
      .find((l) => l.startsWith("| `filverse_sequencer_dropped_transactions_total"))!;
    for (const reason of TX_DROP_REASONS) expect(dropped, reason).toContain(`\`${reason}\``);
  });

  it("rpc.md and protocol.md give the nesting limit and the clipping of echoed values as the code has them", () => {
    const rpcDoc = read("rpc.md");
    expect(rpcDoc).toContain(`at most **${MAX_JSON_DEPTH} levels** deep (\`MAX_JSON_DEPTH\``);
    expect(rpcDoc).toContain(`"a param nests deeper than ${MAX_JSON_DEPTH} levels", maxDepth: ${MAX_JSON_DEPTH}`);
    expect(protocol).toContain(`nesting deeper than ${MAX_JSON_DEPTH} levels (\`MAX_JSON_DEPTH\``);
    expect(rpcDoc).toContain(`a string keeps its first ${MAX_ECHO_STRING_CHARS} characters`);
    expect(rpcDoc).toContain(`an array keeps ${MAX_ECHO_ITEMS} items`);
    expect(rpcDoc).toContain(`an object keeps ${MAX_ECHO_ITEMS} keys`);
    expect(rpcDoc).toContain(`deeper than ${MAX_ECHO_DEPTH} levels become`);
    expect(rpcDoc).toContain(`The whole echo has a budget of ${MAX_ECHO_TOTAL_CHARS} characters`);
  });

  it("state.md lists every namespace with its object", () => {
    for (const [name, value] of Object.entries(Namespace)) {
      if (typeof value !== "number") continue;
      const struct = stateObjectStructs[value as Namespace];
      const hex = `0x${value.toString(16).padStart(2, "0")}`;
      expect(state, name).toMatch(new RegExp(`\\| ${hex} \\| \`${struct.name}\` \\|`));
    }
  });

  it("rpc.md's §3 method table lists exactly the methods the node registers", () => {
    const methods = Object.keys(createRpcHandlers({} as never));
    const listed = firstTable(section(read("rpc.md"), "## 3. Methods")).map((row) => {
      const m = /^\[`(\w+)`\]\(#(\w+)\)$/.exec(row[0]!);
      expect(m, row[0]).not.toBeNull();
      expect(m![2], "anchor").toBe(m![1]!.toLowerCase());
      return m![1]!;
    });
    expect(new Set(listed).size, "listed twice").toBe(listed.length);
    expect([...listed].sort()).toEqual([...methods].sort());
  });

  it("state.md's SSZ field list of every state object is its schema: names and types, in order", () => {
    const rows = firstTable(section(state, "### The SSZ containers"));
    const documented = new Map(rows.map((r) => [r[0]!.replaceAll("`", ""), docFields(r[1]!)]));
    const structs = Object.values(stateObjectStructs) as AnyStruct[];
    expect([...documented.keys()].sort()).toEqual(structs.map((s) => s.name).sort());
    for (const struct of structs) {
      const fromSchema = struct.fieldNames.map((n) => [n, sszTypeName(struct.fields[n]!.ssz)]);
      expect(documented.get(struct.name), struct.name).toEqual(fromSchema);
    }
  });

  it("a wallet written from state.md alone checks real proofs: valueHash from the field list, key, root", () => {
    const nsOf = new Map(
      firstTable(section(state, "## Objects and keys")).map((r) => [r[1]!.replaceAll("`", ""), Number(r[0])]),
    );
    const fieldsOf = new Map(
      firstTable(section(state, "### The SSZ containers")).map((r) => [r[0]!.replaceAll("`", ""), docFields(r[1]!)]),
    );
    // One object of every namespace, with values that use every part of each encoding.
    const namespaces = Object.values(Namespace).filter((v): v is Namespace => typeof v === "number");
    const objects = namespaces.map((ns, i) => ({
      ns,
      id: ns === Namespace.Globals ? GLOBALS_ID : new Uint8Array(20 + i).fill(0x30 + i),
      value: sampleValue(stateObjectStructs[ns] as AnyStruct, i) as StateObjects[Namespace],
    }));
    const chainState = State.genesis().withChanges(objects, [], []);
    const rpc = createRpcHandlers({
      head: { number: 7 },
      stateAt: (n: number) => (n === 7 ? chainState : undefined),
    } as never);

    for (const { ns, id } of objects) {
      const nsName = Namespace[ns];
      const answer = rpc.filverse_getProof!([nsName, toHex(id)], {} as never) as ProofAnswer;
      // What the wallet does, from state.md: the key, the container, its hash, the walk to the root.
      const objectName = (stateObjectStructs[ns] as AnyStruct).name;
      const fields = fieldsOf.get(objectName)!;
      const key = sha256(Uint8Array.of(nsOf.get(objectName)!), id);
      expect(toHex(key), nsName).toBe(answer.proof.key);
      expect(Object.keys(answer.value!), nsName).toEqual(fields.map(([n]) => n));
      const container = new ContainerType(Object.fromEntries(fields.map(([n, t]) => [n, sszOfDocType(t)])));
      const sszValue = Object.fromEntries(fields.map(([n, t]) => [n, fromDocJson(t, answer.value![n])]));
      const valueHash = container.hashTreeRoot(sszValue);
      expect(toHex(valueHash), nsName).toBe(answer.proof.leaf!.valueHash);
      // state.md's own account of hash_tree_root gives the same hash.
      const byHand = merkleize(
        fields.map(([n, t]) => fieldRoot(t, answer.value![n])),
        fields.length,
      );
      expect(toHex(byHand), nsName).toBe(toHex(valueHash));
      let node = sha256(Uint8Array.of(0), key, valueHash);
      for (let d = answer.proof.siblings.length - 1; d >= 0; d--) {
        const sibling = fromHex(answer.proof.siblings[d]!);
        node = ((key[d >> 3]! >> (7 - (d & 7))) & 1) === 1 ? sha256(sibling, node) : sha256(node, sibling);
      }
      expect(toHex(sha256(node, fromHex(answer.withdrawalsRoot))), nsName).toBe(answer.stateRoot);
    }

    // The worked example of state.md is the rpc.md getProof example's Account.
    const example = JSON.parse(
      /^← (.*"namespace":"Account".*)$/m.exec(section(read("rpc.md"), "### filverse_getProof"))![1]!,
    ).result as ProofAnswer;
    const account = fieldsOf.get("Account")!;
    const exampleHash = merkleize(
      account.map(([n, t]) => fieldRoot(t, example.value![n])),
      account.length,
    );
    expect(toHex(exampleHash)).toBe(example.proof.leaf!.valueHash);
    expect(section(state, "### The SSZ containers")).toContain(`\`${toHex(exampleHash)}\``);
    expect(toHex(sha256(Uint8Array.of(Namespace.Account), fromHex(example.id)))).toBe(example.proof.key);
  });

  it("the genesis state the docs give is State.genesis(): only the zeroed Globals leaf, and its roots", () => {
    const genesis = State.genesis();
    const roots = genesis.roots();
    expect(genesis.get(Namespace.Globals, GLOBALS_ID)).toEqual(EMPTY_GLOBALS);
    // A tree of one leaf hashes to that leaf: the objects root is the zeroed Globals leaf and nothing else.
    const globalsKey = sha256(Uint8Array.of(Namespace.Globals));
    const globalsHash = stateObjectStructs[Namespace.Globals].hashTreeRoot(EMPTY_GLOBALS);
    expect(toHex(roots.objectsRoot)).toBe(toHex(sha256(Uint8Array.of(0), globalsKey, globalsHash)));
    const documented = Object.fromEntries(
      firstTable(section(state, "## The genesis state")).map((r) => [
        r[0]!.replaceAll("`", ""),
        /0x[0-9a-f]{64}/.exec(r[1]!)?.[0],
      ]),
    );
    expect(documented).toEqual({
      objectsRoot: toHex(roots.objectsRoot),
      withdrawalsRoot: toHex(roots.withdrawalsRoot),
      stateRoot: toHex(roots.stateRoot),
    });

    // rpc.md's filverse_getGenesis: the text, and the example's header is what createGenesis makes.
    const rpcDoc = read("rpc.md");
    const getGenesis = section(rpcDoc, "### filverse_getGenesis");
    expect(getGenesis).toContain("`Globals` leaf with every counter zero");
    expect(getGenesis).toContain(`\`stateRoot\` is \`${toHex(roots.stateRoot)}\``);
    const answer = JSON.parse(/^← (.*)$/m.exec(getGenesis)![1]!).result;
    const { header } = createGenesis(
      { chainId: Number(answer.header.chainId) },
      { timestamp: Number(answer.header.timestamp), proposer: fromHex(answer.header.proposer) },
    );
    const made = BlockHeader.toJson(header);
    expect(answer.header).toEqual(made);
    expect(answer.hash).toBe(toHex(blockHash(header)));
    for (const doc of [rpcDoc, read("operations.md"), state]) expect(doc).not.toMatch(/state is empty/);
  });

  it("protocol.md's Order signing example verifies: viem signs it as given, the node accepts the TradeFill", async () => {
    const text = section(protocol, "### Signing an order");
    const td = firstJsonBlock(text) as {
      domain: { name: string; version: string; chainId: number };
      primaryType: string;
      types: Record<string, { name: string; type: string }[]>;
      message: Record<string, unknown>;
    };
    const { EIP712Domain, ...types } = td.types;
    expect(td.primaryType).toBe("Order");
    expect(types).toEqual(Order.eip712Types);
    expect(td.domain).toEqual(filverseDomain(td.domain.chainId));
    expect(protocol).toContain(`EIP712Domain(${EIP712Domain!.map((f) => `${f.type} ${f.name}`).join(",")})`);

    // Sign exactly what the doc gives, with the key it names.
    const key = /test key\s+`(0x[0-9a-f]{64})`/.exec(text)![1]! as `0x${string}`;
    const maker = privateKeyToAccount(key);
    const makerSignature = await maker.signTypedData(td as never);
    expect(text).toContain(`\`${makerSignature}\``);
    expect(td.message.maker).toBe(maker.address.toLowerCase());
    expect(td.message.collectionId).toBe(toHex(collectionIdOf(fromHex(maker.address), 0)));

    // The node's checks: the order hash (documented), the maker recovered from it.
    const chainId = td.domain.chainId;
    const order = Order.fromJson(td.message);
    const orderHash = hashTypedData(chainId, Order, order);
    expect(text).toContain(`\`${toHex(orderHash)}\``);
    expect(toHex(recoverAddress(orderHash, fromHex(makerSignature)))).toBe(td.message.maker);

    // A taker's TradeFill in the form the doc gives passes validation (completeValidation included).
    const takerKey = new Uint8Array(32).fill(0x42);
    const fill = (signature: string) =>
      signTransaction(
        chainId,
        {
          kind: TxKind.TradeFill,
          message: TradeFill.fromJson({ order: td.message, makerSignature: signature, nonce: "0", fee: "0" }),
        },
        takerKey,
      );
    const vtx = validateTransaction(fill(makerSignature), chainId);
    expect(vtx.orderHash).toEqual(orderHash);
    // The same order signed for another chain is refused.
    const otherChain = await maker.signTypedData({ ...td, domain: { ...td.domain, chainId: chainId + 1 } } as never);
    expect(() => validateTransaction(fill(otherChain), chainId)).toThrow(
      expect.objectContaining({ code: TxValidationErrorCode.BAD_ORDER_SIGNATURE }),
    );
  });

  it("operations.md gives the shape of the dev-accounts.json that init writes", () => {
    const operations = read("operations.md");
    const text = operations.slice(operations.indexOf("`dev-accounts.json` is a JSON array"));
    const documented = firstJsonBlock(text) as Record<string, unknown>[];
    const defaultCount = Number(/`--dev-accounts <n>`, default (\d+)/.exec(text)![1]);
    const dir = mkdtempSync(join(tmpdir(), "filverse-docs-"));
    try {
      // What `filverse init --preset devnet`, `filverse dev` and `filverse devnet` call.
      const { config } = initDataDir({ dataDir: dir, preset: "devnet" });
      expect(config.devAccountsFile).toBe("dev-accounts.json");
      const written = JSON.parse(readFileSync(join(dir, config.devAccountsFile!), "utf8")) as Record<string, string>[];
      expect(Array.isArray(written)).toBe(true);
      expect(written).toHaveLength(defaultCount);
      for (const account of written) {
        expect(Object.keys(account)).toEqual(Object.keys(documented[0]!));
        expect(account.address).toMatch(/^0x[0-9a-f]{40}$/);
        expect(account.privateKey).toMatch(/^0x[0-9a-f]{64}$/);
        expect(toHex(privateKeyToAddress(fromHex(account.privateKey!)))).toBe(account.address);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every deposit the docs show has exactly the Deposit codec's fields, forcedTx included", () => {
    let shown = 0;
    for (const name of readdirSync(new URL("../docs/", import.meta.url)).filter((n) => n.endsWith(".md"))) {
      const doc = read(name);
      for (const m of doc.matchAll(/\{\s*"?l1Nonce\b/g)) {
        const text = doc.slice(m.index, doc.indexOf("}", m.index) + 1);
        if (text.startsWith('{"')) {
          const json = JSON.parse(text) as Record<string, unknown>;
          expect(Object.keys(json), `${name}: ${text}`).toEqual(Deposit.fieldNames);
          expect(Deposit.toJson(Deposit.fromJson(json))).toEqual(json);
        } else {
          const names = text
            .slice(1, -1)
            .split(",")
            .map((f) => f.trim().split(/[:\s]/)[0]);
          expect(names, `${name}: ${text}`).toEqual(Deposit.fieldNames);
        }
        shown++;
      }
    }
    expect(shown).toBeGreaterThanOrEqual(6);
  });

  it("protocol.md and rpc.md agree on a resent transaction, and say what the node and a block do", async () => {
    const row = protocol.split("\n").find((l) => l.startsWith("| 200 | `NONCE_TOO_LOW` |"));
    expect(row).toBeDefined();
    expect(row).not.toMatch(/every replay/);
    expect(row).toContain("a resend of the same signed bytes with the same hash, not this code");
    expect(row).toContain("](rpc.md#filverse_sendtransaction)");
    expect(section(read("rpc.md"), "### filverse_sendTransaction")).toContain(
      "sending exactly the same signed transaction again returns the same hash",
    );

    const chain = getChainConfig("devnet", { blockTimeMs: 1_000_000 });
    const aliceKey = new Uint8Array(32).fill(0x11);
    const transfer = (amount: bigint) =>
      signedTxToJson(
        signTransaction(
          chain.chainId,
          { kind: TxKind.Transfer, message: { to: new Uint8Array(20).fill(0xb0), amount, nonce: 0, fee: 0n } },
          aliceKey,
        ),
      );
    const dir = mkdtempSync(join(tmpdir(), "filverse-docs-"));
    const seq = new Sequencer(
      {
        ...defaultSequencerOpts,
        chain,
        genesis: { chainId: chain.chainId, timestamp: 1_700_000_000 },
        dataDir: join(dir, "chaindb"),
        mempool: defaultMempoolOpts,
      },
      {
        key: new Uint8Array(32).fill(0x22),
        deposits: new DevFaucet([{ address: privateKeyToAddress(aliceKey), amount: 10n ** 18n }]),
        recoverer: null,
      },
    );
    try {
      await seq.start();
      await seq.seal(); // block 1 funds alice
      const hash = await seq.submitJson(transfer(1n));
      expect(await seq.submitJson(transfer(1n)), "pending").toBe(hash);
      for (let i = 0; i < 20 && !(await seq.db.getTxLocation(fromHex(hash))); i++) await seq.seal();
      expect(await seq.db.getTxLocation(fromHex(hash))).not.toBeNull();
      expect(await seq.submitJson(transfer(1n)), "included").toBe(hash);
      await expect(seq.submitJson(transfer(2n))).rejects.toMatchObject({ code: RpcErrorCode.NONCE_TOO_LOW });

      // A block that replays the included transaction cannot include it.
      const block = new BlockExecutor(seq.state, {
        chainId: chain.chainId,
        timestamp: 1_700_000_100,
        proposer: new Uint8Array(20),
        minTxFee: 0n,
      });
      const replay = validateTransaction(parseTransactionJson(transfer(1n)), chain.chainId);
      expect(() => block.applyTransaction(replay)).toThrow(
        expect.objectContaining({ code: TxValidationErrorCode.NONCE_TOO_LOW }),
      );
    } finally {
      await seq.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("operations.md gives deployFilverse's fault-proof defaults as the code has them", () => {
    const operations = read("operations.md");
    const row = (field: string) => new RegExp(`\\| \`${field}\` \\|[^\\n]*\\| (\\d+) FIL \\|`).exec(operations)?.[1];
    expect(BigInt(row("challengeBond")!) * 10n ** 18n).toBe(DEFAULT_CHALLENGE_BOND);
    expect(BigInt(row("moveBond")!) * 10n ** 18n).toBe(DEFAULT_MOVE_BOND);
    expect(operations).toMatch(/\| `maxClockDurationSec` \|[^\n]*\| half the challenge window \|/);
  });

  it("every trust model says one honest verifier is enough only where the game is set, which needs a complete executor", () => {
    const section = (text: string, start: RegExp) => {
      const from = text.search(start);
      expect(from, String(start)).toBeGreaterThanOrEqual(0);
      const rest = text.slice(from + 1);
      const end = rest.search(/\n#{1,3} /);
      return end < 0 ? rest : rest.slice(0, end);
    };
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const models = [
      section(readme, /\*\*Trust model\*\*/).split("\n")[0]!,
      section(read("bridge.md"), /^## Trust model/m),
      section(read("checkpoints.md"), /^## Trust model/m),
      section(read("fault-proofs.md"), /^## Trust model/m),
    ];
    for (const m of models) {
      expect(m).toMatch(/one honest verifier/i);
      expect(m).toMatch(/game/);
      expect(m).toMatch(/complete/);
      // The older model stays stated for a rollup without a game.
      expect(m).toMatch(/2\/3/);
    }
  });
});
