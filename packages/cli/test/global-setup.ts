import { digitClassifier } from "@quantlab/zoo";

/** Trains the zoo's classifier once (or reads it from build/zoo) before the files run in parallel. */
export default function setup(): void {
  const c = digitClassifier();
  console.log(
    `digit classifier: ${c.fromCache ? "from build/zoo" : `trained in ${c.trainSeconds.toFixed(2)} s`} (key ${c.key})`,
  );
}
