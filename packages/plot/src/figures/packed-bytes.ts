import type { PackingLayout } from "@quantlab/core";
import { checkInteger, checkOptions, rangeError, typeError } from "@quantlab/core/validate";
import type { Data, Shape } from "plotly.js";
import { nonEmptyArray, optionalString } from "../validate.js";
import { axis, baseLayout } from "./theme.js";
import type { Figure } from "./types.js";

/** One row of {@link packedBytes}: bytes, where each code sits in them, and the codes. */
export interface PackedRow {
  /** The row's label, e.g. "ONNX int4". */
  name: string;
  /** The packed bytes. */
  bytes: Uint8Array;
  /** Core's `packingLayout` of these bytes: the byte and bit offset of every code. */
  layout: PackingLayout;
  /** The codes, as core unpacks them (`unpackNibbles`, `unpackCodes`), one per element. */
  codes: ArrayLike<number>;
}

/** Options of {@link packedBytes}. */
export interface PackedBytesOptions {
  /** Draw the first `bytes` bytes of each row (default 16, or fewer if a row has fewer). */
  bytes?: number;
  /** Replaces the default title. */
  title?: string;
}

/** A light colour per element index: consecutive elements get neighbouring hues. */
function colorOf(i: number, n: number): string {
  const hue = Math.round((300 * i) / Math.max(n - 1, 1));
  return `hsl(${hue}, 70%, 82%)`;
}

function readRow(fn: string, k: number, row: unknown): PackedRow {
  const arg = `rows[${k}]`;
  if (typeof row !== "object" || row === null) {
    throw typeError(fn, arg, "an object { name, bytes, layout, codes }", row);
  }
  const r = row as Partial<PackedRow>;
  if (typeof r.name !== "string" || r.name === "")
    throw typeError(fn, `${arg}.name`, "a non-empty string", r.name);
  if (!(r.bytes instanceof Uint8Array))
    throw typeError(fn, `${arg}.bytes`, "a Uint8Array", r.bytes);
  const l = r.layout as Partial<PackingLayout> | undefined;
  if (
    typeof l !== "object" ||
    l === null ||
    !(l.byte instanceof Int32Array) ||
    !(l.shift instanceof Uint8Array) ||
    (l.bits !== 2 && l.bits !== 4)
  ) {
    throw typeError(fn, `${arg}.layout`, "core's packingLayout(order, bits, length)", l);
  }
  if (l.byteLength !== r.bytes.length) {
    throw rangeError(
      fn,
      `${arg}.bytes`,
      `of length ${l.byteLength} (the layout's byteLength)`,
      r.bytes,
    );
  }
  const codes = r.codes;
  if (codes === undefined || typeof codes !== "object" || codes.length !== l.byte.length) {
    throw typeError(
      fn,
      `${arg}.codes`,
      `an array of ${l.byte.length} codes (one per element of the layout)`,
      codes,
    );
  }
  return r as PackedRow;
}

/**
 * Bytes drawn with their bit fields (nibbles for 4-bit codes, four 2-bit fields for 2-bit ones),
 * each field labelled with the element that sits in it and coloured by that element's index, so
 * the packing order shows as a pattern. A byte is drawn most significant bits first, as it is
 * written in hexadecimal: 0x3A has 3 in its high nibble (left) and A in its low nibble (right).
 * The element of each field is core's `packingLayout`; the codes are core's unpacked codes and the
 * hexadecimal under each byte is the byte itself.
 *
 * Traces: per row, one text trace (the element indices, with the code and bits in the hover
 * text), named after the row; the cells and byte outlines are layout shapes, the hexadecimal bytes
 * annotations.
 *
 * @throws {TypeError} when a row is not `{ name, bytes, layout, codes }` with core's layout, or an
 *   option has the wrong type.
 * @throws {RangeError} when `rows` is empty or has more than 6 rows, a row's bytes disagree with
 *   its layout, `bytes` is out of range, or an option key is unknown.
 * @example
 * const codes = [1, 2, 3, 4];
 * const fig = packedBytes([{ name: "bnb", bytes: packNibbles(codes, "bnb"), layout: packingLayout("bnb", 4, 4), codes }]);
 * fig.data[0].text;
 * // => ["0", "1", "2", "3"]
 */
export function packedBytes(rows: PackedRow[], options?: PackedBytesOptions): Figure {
  const fn = "packedBytes";
  nonEmptyArray(fn, "rows", rows, "an array of { name, bytes, layout, codes }", {
    count: 6,
    noun: "rows",
  });
  const read = rows.map((row, k) => readRow(fn, k, row));
  const opts = checkOptions(fn, "options", options, ["bytes", "title"]);
  const most = Math.max(...read.map((r) => r.bytes.length));
  const count = checkInteger(fn, "options.bytes", opts.bytes, Math.min(16, most), 1, most);
  const title = optionalString(fn, "options.title", opts.title);

  const data: Data[] = [];
  const shapes: Array<Partial<Shape>> = [];
  const annotations: NonNullable<Figure["layout"]["annotations"]> = [];
  const rowHeight = 1;
  read.forEach((row, r) => {
    const y0 = -r * 1.6;
    const { layout, codes, bytes } = row;
    const n = layout.byte.length;
    const xs: number[] = [];
    const ys: number[] = [];
    const text: string[] = [];
    const hover: string[] = [];
    for (let i = 0; i < n; i++) {
      const b = layout.byte[i] as number;
      if (b >= count) continue;
      const shift = layout.shift[i] as number;
      // Bit `shift` counted from the right of the byte: high bits on the left.
      const left = b + (8 - shift - layout.bits) / 8;
      const width = layout.bits / 8;
      shapes.push({
        type: "rect",
        x0: left,
        x1: left + width,
        y0,
        y1: y0 + rowHeight,
        fillcolor: colorOf(i, n),
        line: { color: "#ffffff", width: 1 },
        layer: "below",
      });
      xs.push(left + width / 2);
      ys.push(y0 + rowHeight / 2);
      text.push(String(i));
      hover.push(
        `element ${i} = ${codes[i]}<br>byte ${b}, bits ${shift + layout.bits - 1}..${shift}`,
      );
    }
    for (let b = 0; b < Math.min(count, bytes.length); b++) {
      shapes.push({
        type: "rect",
        x0: b,
        x1: b + 1,
        y0,
        y1: y0 + rowHeight,
        line: { color: "#222222", width: 2 },
        layer: "above",
      });
      annotations.push({
        x: b + 0.5,
        y: y0 - 0.12,
        yanchor: "top",
        text: `0x${(bytes[b] as number).toString(16).toUpperCase().padStart(2, "0")}`,
        showarrow: false,
        font: { size: 10, color: "#444444", family: "monospace" },
      });
    }
    data.push({
      type: "scatter",
      mode: "text",
      name: row.name,
      x: xs,
      y: ys,
      text,
      // Two-digit labels must fit a field: a 2-bit field is a quarter of a byte wide.
      textfont: {
        size: layout.bits === 2 && count > 8 ? 8 : count > 12 ? 11 : 13,
        color: "#111111",
      },
      hovertext: hover,
      hoverinfo: "text",
      showlegend: false,
    });
  });
  const layout = baseLayout(
    title ??
      `Which element sits in which bits: the first ${count} bytes of ${read.length} packing${read.length === 1 ? "" : "s"}`,
    axis("", {
      range: [-0.1, count + 0.1],
      tickvals: Array.from({ length: count }, (_, b) => b + 0.5),
      ticktext: Array.from({ length: count }, (_, b) => String(b)),
      showgrid: false,
      zeroline: false,
      side: "top",
    }),
    axis("", {
      tickvals: read.map((_, r) => -r * 1.6 + rowHeight / 2),
      ticktext: read.map((row) => row.name),
      range: [-(read.length - 1) * 1.6 - 0.5, rowHeight + 0.1],
      showgrid: false,
      zeroline: false,
      showline: false,
    }),
  );
  layout.shapes = shapes;
  layout.annotations = annotations;
  layout.height = 150 + 110 * read.length;
  layout.showlegend = false;
  layout.margin = { l: 110, r: 24, t: 84, b: 30 };
  // The byte numbers sit on top, under the title.
  layout.annotations.push({
    x: 0,
    xref: "paper",
    xanchor: "left",
    y: 1,
    yref: "paper",
    yanchor: "bottom",
    yshift: 22,
    text: "byte",
    showarrow: false,
    font: { size: 11, color: "#444444" },
  });
  return { data, layout };
}
