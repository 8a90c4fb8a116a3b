/** libsecp256k1 recovery is bit-identical to noble's: same address, or the same error code. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  recoverAddressNative,
  recoverAddressNoble,
  SignatureError,
  signatureBackend,
  signDigest,
  signDigestNative,
  signDigestNoble,
} from "../../src/signature.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function outcome(fn: () => Uint8Array): string {
  try {
    return Buffer.from(fn()).toString("hex");
  } catch (err) {
    expect(err).toBeInstanceOf(SignatureError);
    return (err as SignatureError).code;
  }
}

const both = (digest: Uint8Array, sig: Uint8Array) => {
  const fast = outcome(() => recoverAddressNative!(digest, sig));
  const slow = outcome(() => recoverAddressNoble(digest, sig));
  expect(fast).toBe(slow);
  return fast;
};

const key = fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((k) => {
  const v = BigInt(`0x${Buffer.from(k).toString("hex")}`);
  return v > 0n && v < N;
});

describe("native secp256k1 recovery against noble", () => {
  it("the native back end loads on this machine", () => {
    expect(signatureBackend).toBe("libsecp256k1");
    expect(recoverAddressNative).not.toBeNull();
  });

  it("recovers the same address from valid signatures", () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 32, maxLength: 32 }), (priv, digest) => {
        expect(both(digest, signDigest(digest, priv))).toMatch(/^[0-9a-f]{40}$/);
      }),
      { numRuns: 100 },
    );
  });

  it("fails the same way on every kind of invalid signature", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 65, maxLength: 65 }),
        (digest, raw) => {
          const sig = new Uint8Array(raw);
          sig[64] = 27 + (raw[64]! & 1);
          both(digest, sig); // random r, s: mostly out of range, high-s or unrecoverable
          both(digest, raw); // random v too
        },
      ),
      { numRuns: 300 },
    );
    const digest = new Uint8Array(32).fill(7);
    const good = signDigest(digest, new Uint8Array(32).fill(3));
    const edge = (patch: (s: Uint8Array) => void) => {
      const s = new Uint8Array(good);
      patch(s);
      return both(digest, s);
    };
    expect(edge((s) => s.fill(0, 0, 32))).toBe("SIGNATURE_INVALID"); // r = 0
    expect(edge((s) => s.set(Buffer.from(N.toString(16), "hex"), 32))).toBe("SIGNATURE_INVALID"); // s = n
    expect(edge((s) => s.set(Buffer.from((N - 1n).toString(16), "hex"), 32))).toBe("SIGNATURE_HIGH_S");
    expect(edge((s) => (s[64] = 29))).toBe("SIGNATURE_INVALID_V");
    expect(both(digest, good.subarray(0, 64))).toBe("SIGNATURE_INVALID_LENGTH");
  });
});

describe("native secp256k1 signing against noble", () => {
  it("gives the same 65 bytes (RFC 6979, low-s, v 27/28)", () => {
    expect(signDigestNative).not.toBeNull();
    fc.assert(
      fc.property(key, fc.uint8Array({ minLength: 32, maxLength: 32 }), (k, digest) => {
        expect(Buffer.from(signDigestNative!(digest, k)).toString("hex")).toBe(
          Buffer.from(signDigestNoble(digest, k)).toString("hex"),
        );
      }),
      { numRuns: 200 },
    );
  });
});
