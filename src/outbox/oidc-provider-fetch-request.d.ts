// oidc-provider 9 ships its outgoing-request helper without type declarations; these are the
// two exports the outbox uses (lib/helpers/fetch_request.js).
declare module 'oidc-provider/lib/helpers/fetch_request.js' {
  /** Destroys a connection whose peer address is special-use (private, loopback, link-local…). */
  export function applySSRFProtection<
    T extends { on(event: 'connect', listener: (...args: never[]) => void): unknown },
  >(dispatcher: T): T;
  export function isSpecialUseIP(address: string): boolean;
}
