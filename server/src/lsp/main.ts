// Entry point of the bundled language server (server/out/server.js).
// The transport comes from the command line: --stdio (with the pre-encoding writer,
// lsp/wire.ts), --node-ipc or --socket=N (the library's own).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer, type MtypeSession } from './server';
import { createStdioConnection } from './wire';
import { tuneV8ForLatency } from '../common/v8-tuning';

tuneV8ForLatency();

if (process.argv.includes('--stdio')) {
  // Large answers written out leave the server idle while the editor parses them (lsp/idle-gc.ts).
  const session: MtypeSession = startServer(createStdioConnection({ afterLargeWrite: () => session.collectWhileIdle() }));
} else {
  startServer(createConnection(ProposedFeatures.all));
}
