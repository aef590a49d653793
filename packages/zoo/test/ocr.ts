/** The PP-OCR direction classifier as the tests run it. */
import { readFileSync } from "node:fs";
import {
  floatFeed,
  OCR_HEIGHT,
  OCR_WIDTH,
  ocrClassifierPath,
  textLineImages,
} from "../src/index.js";

/** The model's bytes, and `count` synthetic text lines: their labels and the model's feeds. */
export function ocrCase(count: number) {
  const model = new Uint8Array(readFileSync(ocrClassifierPath()));
  const { images, labels } = textLineImages(count);
  const feeds = { x: floatFeed(images, [count, 3, OCR_HEIGHT, OCR_WIDTH]) };
  return { model, labels, feeds };
}
