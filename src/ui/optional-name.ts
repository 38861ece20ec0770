/** A name with its blanks trimmed, or nothing when none is left (the page then says it without one). */
export function optionalName(name: string | undefined): string | undefined {
  const trimmed = name?.trim() ?? '';
  return trimmed === '' ? undefined : trimmed;
}
