import { digitClassifier } from "../src/index.js";

export default function setup(): void {
  const c = digitClassifier();
  console.log(
    c.fromCache
      ? `digit classifier: from build/zoo (key ${c.key}; its training took ${c.cachedTrainSeconds.toFixed(2)} s)`
      : `digit classifier: trained in ${c.trainSeconds.toFixed(2)} s (key ${c.key}), cached in build/zoo`,
  );
}
