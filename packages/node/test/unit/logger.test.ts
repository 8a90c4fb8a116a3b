import { createServer } from "node:net";
import { createPublicClient, http, parseAbi } from "viem";
import { describe, expect, it } from "vitest";
import { serializeErr } from "../../src/logger.js";

describe("serializeErr", () => {
  it("cuts a real viem contract error to its short message, function and cause", async () => {
    // A real call to a closed port: viem throws its ContractFunctionExecutionError, which carries
    // the ABI and arguments and repeats its message in every layer.
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, "127.0.0.1", () => {
        const { port } = srv.address() as { port: number };
        srv.close(() => resolve(port));
      });
    });
    const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`, { retryCount: 0 }) });
    const abi = parseAbi(["function gameCount() view returns (uint256)", "error Big(uint256 a, bytes b)"]);
    const err = await client
      .readContract({ address: "0x0000000000000000000000000000000000000001", abi, functionName: "gameCount" })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    const out = serializeErr(err) as Record<string, unknown>;
    expect(out.type).toBe("ContractFunctionExecutionError");
    expect(out.message).toBe("HTTP request failed.");
    expect(out.functionName).toBe("gameCount");
    const line = JSON.stringify(out);
    expect(line).not.toContain('"abi"');
    expect(line).toContain("ECONNREFUSED");
    expect(line.length).toBeLessThan(2_000);
    expect(JSON.stringify(err, (_k, v) => (typeof v === "bigint" ? String(v) : v)).length).toBeGreaterThan(line.length);
  });

  it("keeps pino's standard form for other errors", () => {
    const out = serializeErr(Object.assign(new TypeError("bad"), { code: "X" })) as Record<string, unknown>;
    expect(out).toMatchObject({ type: "TypeError", message: "bad", code: "X" });
    expect(typeof out.stack).toBe("string");
    expect(serializeErr("plain")).toBe("plain");
  });
});
