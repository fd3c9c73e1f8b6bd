// Signs interaction payloads the way Discord does, with tweetnacl (an independent Ed25519 implementation).
// Input: JSON lines {"seed": "<64 hex>", "timestamp": "...", "body": "<raw body>"} on stdin.
// Output: one JSON line each, {"publicKey": "<64 hex>", "signature": "<128 hex>"}.
import nacl from "tweetnacl";
import { createInterface } from "node:readline";

const hex = (bytes) => Buffer.from(bytes).toString("hex");
const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const { seed, timestamp, body } = JSON.parse(line);
  const keys = nacl.sign.keyPair.fromSeed(Buffer.from(seed, "hex"));
  const message = Buffer.concat([Buffer.from(timestamp, "utf8"), Buffer.from(body, "utf8")]);
  const signature = nacl.sign.detached(message, keys.secretKey);
  process.stdout.write(JSON.stringify({ publicKey: hex(keys.publicKey), signature: hex(signature) }) + "\n");
}
