// Stand-in for the `webgpu` package inside the single-file GPU bundle: the Dawn binary travels separately
// (xz-compressed in .gpu/) and is loaded from the path in DAWN_NODE.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { create, globals } = require(process.env.DAWN_NODE);
export { create, globals };
