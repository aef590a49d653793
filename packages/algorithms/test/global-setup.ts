import { digitClassifier } from "@quantlab/zoo";

export default function setup(): void {
  const c = digitClassifier();
  console.log(
    c.fromCache
      ? `digit classifier: from build/zoo (key ${c.key})`
      : `digit classifier: trained in ${c.trainSeconds.toFixed(2)} s (key ${c.key}), cached in build/zoo`,
  );
}
