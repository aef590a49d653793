// The TypeDoc plugin that writes an entry's `@throws` tags as one "Throws" list.
import assert from "node:assert/strict";
import { test } from "node:test";
import { mergeThrows, throwsItem } from "../lib/typedoc-throws.mjs";

const tag = (name, text, typeAnnotation) => ({
  tag: name,
  content: [{ kind: "text", text }],
  ...(typeAnnotation ? { typeAnnotation } : {}),
  clone() {
    return { ...this, content: [...this.content] };
  },
});
const text = (parts) => parts.map((part) => part.text).join("");

test("a @throws tag is a list item that starts with its class, later lines indented", () => {
  assert.equal(
    text(throwsItem(tag("@throws", "for NaN,\nor a bad scale.", "{RangeError}"))),
    "- `RangeError` for NaN,\n  or a bad scale.",
  );
  assert.equal(
    text(throwsItem(tag("@throws", "and {RangeError} as quantize.", "{TypeError}"))),
    "- `TypeError` and `RangeError` as quantize.",
  );
  assert.equal(text(throwsItem(tag("@throws", "on a bad path."))), "- on a bad path.");
});

test("the @throws tags of a comment become one, where the first was; other tags stay", () => {
  const comment = {
    blockTags: [
      tag("@param", "x"),
      tag("@throws", "for a string.", "{TypeError}"),
      tag("@example", "f(1)"),
      tag("@throws", "for NaN.", "{RangeError}"),
    ],
  };
  mergeThrows(comment);
  assert.deepEqual(
    comment.blockTags.map((t) => t.tag),
    ["@param", "@throws", "@example"],
  );
  assert.equal(
    text(comment.blockTags[1].content),
    "- `TypeError` for a string.\n- `RangeError` for NaN.",
  );
  assert.equal(comment.blockTags[1].typeAnnotation, undefined);
});
