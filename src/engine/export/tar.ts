// A folder as one uncompressed .tar (POSIX ustar), so the browser can hand over the exported project as a single
// download that `tar xf` unpacks everywhere. Files only, paths under 100 bytes.

export interface ExportFile {
  /** Relative path inside the folder, e.g. 'model.py'. */
  path: string;
  data: string | Uint8Array;
}

const BLOCK = 512;

function header(path: string, size: number, mtime: number): Uint8Array<ArrayBuffer> {
  const h = new Uint8Array(BLOCK);
  const put = (text: string, at: number, len: number) => h.set(new TextEncoder().encode(text).subarray(0, len), at);
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0');
  if (new TextEncoder().encode(path).length >= 100) throw new Error(`tar: path '${path}' is too long`);
  put(path, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put('        ', 148, 8); // checksum field counts as spaces while summing
  put('0', 156, 1);
  put('ustar\u000000', 257, 8);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${octal(sum, 7)}\u0000`, 148, 8);
  return h;
}

/** The files as a .tar under one top folder (a Blob: what a download wants, and no copy into one buffer). */
export function tarFiles(folder: string, files: readonly ExportFile[], mtime = Math.floor(Date.now() / 1000)): Blob {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (const f of files) {
    const data = typeof f.data === 'string' ? new TextEncoder().encode(f.data) : new Uint8Array(f.data);
    parts.push(header(`${folder}/${f.path}`, data.length, mtime), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return new Blob(parts, { type: 'application/x-tar' });
}
