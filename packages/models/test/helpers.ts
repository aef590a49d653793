import { expect } from "vitest";
import { ModelFileError } from "../src/index.js";

/** Runs `read`, expects a ModelFileError naming `file`, and returns its message. */
export function modelFileError(read: () => unknown, file: string): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as ModelFileError).file).toBe(file);
    return (error as Error).message;
  }
  throw new Error(`expected a ModelFileError naming ${file}; the read succeeded`);
}
