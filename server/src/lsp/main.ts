// Entry point of the bundled language server (server/out/server.js).
// The transport comes from the command line: --stdio (with the pre-encoding writer,
// lsp/wire.ts), --node-ipc or --socket=N (the library's own).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';
import { createStdioConnection } from './wire';

startServer(process.argv.includes('--stdio') ? createStdioConnection() : createConnection(ProposedFeatures.all));
