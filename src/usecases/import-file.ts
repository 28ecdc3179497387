// The checks every import makes before it reads a file: the path names a regular file no larger
// than LIMITS.importFileBytesMax. Each failure is one INPUT_INVALID naming the path, so an operator
// who mistyped it sees that rather than a stack trace.

import { stat } from 'node:fs/promises';
import { GridbillError } from '../errors.ts';
import { LIMITS } from '../limits.ts';

function statProblem(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'ENOTDIR': return 'a folder in the path is a file';
    default: return (error as Error).message;
  }
}

/** Returns the file's size in bytes, or throws INPUT_INVALID naming the path. */
export async function checkImportFile(path: string): Promise<number> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new GridbillError('INPUT_INVALID', `${path}: ${statProblem(error)}`, { hint: 'check the file name and path', cause: error });
  }
  if (!info.isFile()) {
    throw new GridbillError('INPUT_INVALID', `${path}: not a regular file`, { hint: 'name a file, not a folder or device' });
  }
  assertImportSize(path, info.size);
  return info.size;
}

/** Also called while streaming: a file can grow between the check and the read. */
export function assertImportSize(path: string, bytes: number): void {
  if (bytes > LIMITS.importFileBytesMax) {
    throw new GridbillError('INPUT_INVALID', `${path}: larger than ${LIMITS.importFileBytesMax} bytes (importFileBytesMax)`, {
      hint: 'split the file into smaller ones',
    });
  }
}
