/**
 * The competition's 7 classes; the class index is the position in this list (SPEC.md §0).
 */
export const CLASS_NAMES = [
  'eye_opened',
  'eye_closed',
  'mouth_opened',
  'mouth_closed',
  'face',
  'phone',
  'cigar',
] as const;

/** One of the competition's class names. */
export type ClassName = (typeof CLASS_NAMES)[number];

/** Index of a competition class name, or -1 when the name is not one of {@link CLASS_NAMES}. */
export function classIndex(name: string, names: readonly string[] = CLASS_NAMES): number {
  return names.indexOf(name);
}
