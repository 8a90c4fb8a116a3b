/** `filverse piece commp <file>`: a file's Piece CID (CommP), streamed through the crypto worker pool. */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { checkPayloadSize, createCryptoPool, type PieceCommitment } from "@filverse/crypto";
import type { Command } from "commander";
import { type OutputOpts, print, UsageError } from "../output.js";

/** Read size: large reads keep the per-chunk overhead of the stream small against ~1 ms of hashing per MiB. */
const READ_CHUNK_BYTES = 1024 * 1024;

async function commPOfFile(file: string): Promise<PieceCommitment> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`Not a regular file: ${file}`);
    size = info.size;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError(`No such file: ${file}`);
    if (code === "EACCES") throw new UsageError(`Cannot read ${file}: permission denied`);
    throw err;
  }
  // Size limits first, so a too-small or too-large file fails before any worker starts.
  checkPayloadSize(size);
  const pool = createCryptoPool();
  try {
    return await pool.commPStream(createReadStream(file, { highWaterMark: READ_CHUNK_BYTES }));
  } finally {
    await pool.close();
  }
}

export function registerPieceCommands(program: Command): void {
  const piece = program.command("piece").description("Filecoin pieces of batch data");
  piece
    .command("commp")
    .description("the Piece CID (CommP) of a file: v2 (FRC-0069) and v1 forms, and the padded piece size")
    .argument("<file>", "the payload, at least 65 bytes (a 64 GiB piece at most)")
    .option("--json", "print JSON")
    .action(async (file: string, o: OutputOpts) => {
      const { pieceCid, pieceCidV1, paddedSize, payloadSize } = await commPOfFile(file);
      print(o, { pieceCid, pieceCidV1, paddedSize, payloadSize }, () =>
        [
          `pieceCid    ${pieceCid}`,
          `pieceCidV1  ${pieceCidV1}`,
          `paddedSize  ${paddedSize}`,
          `payloadSize ${payloadSize}`,
        ].join("\n"),
      );
    });
}
