// Entry point of the bundled CLI (server/out/cli.js).
import { tuneV8ForLatency } from '../common/v8-tuning';
import { main } from './main';

tuneV8ForLatency();
main();
