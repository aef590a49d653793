import { describe, expect, it } from "vitest";
import { ModelFileError } from "../src/index.js";

describe("ModelFileError", () => {
  it("names the file, the field and the problem", () => {
    const error = new ModelFileError("a.gguf", "header.magic", 'expected "GGUF"; found "GGML"');
    expect(error.message).toBe('a.gguf: header.magic: expected "GGUF"; found "GGML"');
    expect(error).toBeInstanceOf(Error);
  });
});
