import { createHash } from 'node:crypto';
import { read } from 'node:fs';

/**
 * SHA-256 of an open file, in 1 MiB reads (from the page cache, mostly). With `writerDone`, another process
 * is still writing it: it is read as it grows until the writer has ended and everything written is read.
 */
export async function hashFile(
  fd: number,
  writerDone: Promise<unknown> = Promise.resolve(),
  report?: (bytes: number) => void,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  let writing = true;
  const stopped = writerDone.then(
    () => {
      writing = false;
    },
    () => {
      writing = false;
    },
  );
  let bytes = 0;
  let reported = 0;
  for (;;) {
    const wasWriting = writing;
    const bytesRead = await readAt(fd, buffer, bytes);
    if (bytesRead > 0) {
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
      if (bytes - reported >= 8 * 1024 * 1024) {
        reported = bytes;
        report?.(bytes);
      }
    } else if (!wasWriting) {
      // The writer had ended before this read began: the end of the file is the end of the data.
      return { bytes, sha256: hash.digest('hex') };
    } else {
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
  }
}

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, buffer, 0, buffer.length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    ),
  );
}
