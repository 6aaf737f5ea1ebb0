// Types for server-launch.mjs.
/** Node options for the language server on a machine with `cores` cores (default: this one). */
export function serverNodeOptions(cores?: number): string[];
