// Entry point of the bundled language server (server/out/server.js).
// The transport comes from the command line: --stdio, --node-ipc or --socket=N.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
