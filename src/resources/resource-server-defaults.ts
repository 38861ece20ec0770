/** RFC 9068 JWTs are verified locally until they expire: short by default (issue 5). */
export const DEFAULT_JWT_ACCESS_TOKEN_TTL_SECONDS = 300;
