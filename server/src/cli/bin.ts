// Entry point of the bundled CLI (server/out/cli.js).
import { main } from './main';

main();
