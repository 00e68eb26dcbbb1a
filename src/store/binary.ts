/** SQLite hands BLOBs back as Uint8Array, PostgreSQL bytea as Buffer: a Buffer over the same memory either way. */
export function asBuffer(content: Uint8Array): Buffer {
  return Buffer.isBuffer(content)
    ? content
    : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
}
