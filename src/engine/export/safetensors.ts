// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a JSON header
// of { name: { dtype, shape, data_offsets } }, then the raw little-endian bytes. Chosen over PyTorch's .pt for
// the exported weights because it is plain data (a .pt is a pickle, which runs code when loaded, and writing one
// means emitting pickle opcodes), it is a few lines to write here and to read with torch alone, and the
// `safetensors` package reads the same file.

export interface NamedTensor {
  name: string;
  shape: number[];
  data: ArrayLike<number>;
}

/** Float32 tensors -> one safetensors file's bytes (tensors in the given order; metadata values are strings). */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let at = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new Error(`safetensors: '${t.name}' has ${t.data.length} values for shape [${t.shape}]`);
    if (t.name in header) throw new Error(`safetensors: '${t.name}' appears twice`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [at, at + 4 * size] };
    at += 4 * size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // the data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + at);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let offset = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, offset += 4) view.setFloat32(offset, t.data[i], true);
  }
  return out;
}
