// Local SQS + SNS emulator (fauxqs) on 127.0.0.1 only; the fauxqs CLI would bind 0.0.0.0.
//
//   node server.mjs [port]        port from argv, else SQS_EMULATOR_PORT, else 0 (= a free port)
//
// Prints the bound port on stdout once it accepts connections; GET /health answers {"status":"ok"}.
// Request logging (to stderr) with FAUXQS_LOGGER=true. Stops cleanly on SIGTERM / SIGINT.
import { buildApp } from "fauxqs";

const arg = process.argv[2] ?? process.env.SQS_EMULATOR_PORT ?? "0";
const port = Number(arg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`sqs-emulator: invalid port '${arg}'`);
  process.exit(2);
}

const app = buildApp({ logger: process.env.FAUXQS_LOGGER === "true", defaultRegion: "us-east-1" });
await app.listen({ host: "127.0.0.1", port });
console.log(app.server.address().port);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    app.close().finally(() => process.exit(0));
  });
}
