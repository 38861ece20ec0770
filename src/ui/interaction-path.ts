/** Where an interaction's form posts to (the routes of src/interactions/interaction-router.ts). */
export function interactionPath(uid: string, action: 'login' | 'abort' | 'consent'): string {
  return `/interaction/${encodeURIComponent(uid)}/${action}`;
}
