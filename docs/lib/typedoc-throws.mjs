// A TypeDoc plugin: an entry's `@throws {TypeError} …` and `@throws {RangeError} …` tags become one
// "Throws" section, a list item per tag that starts with the error's class (TypeDoc keeps the class
// only with the `preservedTypeAnnotationTags` option and typedoc-plugin-markdown would otherwise
// write a section per tag, without the class).
import { Converter } from "typedoc";

/** `{RangeError}` written in a tag's text, as code. */
const BRACED = /\{([A-Z]\w*Error)\}/g;

/** One list item of a `@throws` tag: its class, then its text, later lines indented under it. */
export function throwsItem(tag) {
  const type = tag.typeAnnotation?.replace(/^\{|\}$/g, "");
  const parts = tag.content.map((part) =>
    part.kind === "text"
      ? { ...part, text: part.text.replace(BRACED, "`$1`").replace(/\n/g, "\n  ") }
      : part,
  );
  return [{ kind: "text", text: type ? `- \`${type}\` ` : "- " }, ...parts];
}

/** Merges the `@throws` tags of `comment` into its first one. */
export function mergeThrows(comment) {
  const tags = comment.blockTags.filter((tag) => tag.tag === "@throws");
  if (tags.length === 0) return;
  const content = tags.flatMap((tag, i) => [
    ...(i > 0 ? [{ kind: "text", text: "\n" }] : []),
    ...throwsItem(tag),
  ]);
  const merged = tags[0].clone();
  merged.content = content;
  delete merged.typeAnnotation;
  comment.blockTags = comment.blockTags.flatMap((tag) =>
    tag === tags[0] ? [merged] : tag.tag === "@throws" ? [] : [tag],
  );
}

/** TypeDoc's entry point for a plugin. */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      if (reflection.comment) mergeThrows(reflection.comment);
    }
  });
}
