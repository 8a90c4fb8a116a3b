/**
 * The node's libp2p identity: an Ed25519 key kept in a file (libp2p's protobuf encoding, mode 0600),
 * so the PeerId that other nodes list as a bootstrap peer survives restarts. The key is never logged.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { P2PError, P2PErrorCode } from "./errors.js";

/** Read the key at `path`, or create one there (atomically, mode 0600) if the file does not exist. */
export async function loadOrCreatePeerKey(path: string): Promise<PrivateKey> {
  let bytes: Uint8Array | null = null;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new P2PError(P2PErrorCode.PEER_KEY, "Cannot read the p2p key file", { cause, details: { path } });
    }
  }
  if (bytes !== null) {
    try {
      return privateKeyFromProtobuf(bytes);
    } catch (cause) {
      throw new P2PError(P2PErrorCode.PEER_KEY, "The p2p key file does not hold a libp2p private key", {
        cause,
        details: { path },
      });
    }
  }
  const key = await generateKeyPair("Ed25519");
  // Write beside the target and rename, so a crash never leaves a truncated key behind.
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new P2PError(P2PErrorCode.PEER_KEY, "Cannot write the p2p key file", { cause, details: { path } });
  }
  return key;
}
