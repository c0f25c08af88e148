// Runs a bundled CLI with TF.js flags set, as a page would with ?tfjsflags=...: node with-flags.mjs FLAGS bundle.mjs args...
// (FLAGS like WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE:100). TF.js reads them from globalThis.location when it starts.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
const [flags, bundle] = process.argv.splice(2, 2);
if (flags && flags !== '-') globalThis.location = { search: `?tfjsflags=${flags}` };
await import(pathToFileURL(resolve(bundle)).href);
