// bench/postgraphile/v5/server.mjs: PostGraphile v5 as a plain HTTP server for bench/run.
// The recommended set-up for a plain server: the amber preset, one pg service made by
// makePgService (schema public, connected as postgres, no RLS roles), grafserv on node:http.
// GraphiQL, watch mode and explain are off; NODE_ENV=production is set by the harness.
// Environment: DATABASE_URL, PORT (listens on 127.0.0.1).
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const port = Number(process.env.PORT ?? 5005);
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] }),
  ],
  grafserv: { graphiql: false, watch: false, port, host: "127.0.0.1" },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
await serv.addTo(server);
await pgl.getSchema(); // build the schema before accepting requests
server.listen(port, "127.0.0.1", () => console.log(`PostGraphile v5 listening on 127.0.0.1:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
