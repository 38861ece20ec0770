/**
 * What the console's templates (views/console/) receive: every string already translated plain
 * text, every decision made here. The templates only render and escape (`<%= %>`).
 */

export interface ConsoleCell {
  text: string;
  href?: string | undefined;
}

export interface ConsoleTable {
  caption: string;
  headers: string[];
  rows: ConsoleCell[][];
  empty: string;
  /** Link to the next page, when there is one. */
  next?: { href: string; label: string } | undefined;
}

export interface ConsoleField {
  name: string;
  label: string;
  type:
    | 'text'
    | 'password'
    | 'email'
    | 'textarea'
    | 'checkbox'
    | 'hidden'
    | 'search'
    | 'select'
    | 'file';
  value: string;
  /** For `select`: the choices (`value` is the chosen one). */
  options?: { value: string; label: string }[];
  /** For `file`: the types the picker offers (`accept`). */
  accept?: string;
  /** For `textarea`: its height in lines (default 3). */
  rows?: number;
  required?: boolean;
  autocomplete?: string;
  checked?: boolean;
  hint?: string | undefined;
}

export interface ConsoleForm {
  action: string;
  method: 'get' | 'post';
  /** The submit button; `danger` styles it (and the route asks for a fresh sign-in). */
  submit: string;
  danger?: boolean;
  hint?: string | undefined;
  fields: ConsoleField[];
  /** Set on every POST form (ASVS 3.5.1). */
  csrf?: string | undefined;
  /** Accessible name of the form (several forms on one page). */
  label?: string | undefined;
  /** A file upload: sent as multipart/form-data (RFC 7578). */
  multipart?: boolean;
}

export interface ConsoleSection {
  heading: string;
  /** `term: definition` pairs. */
  facts?: { term: string; value: string }[];
  table?: ConsoleTable | undefined;
  forms?: ConsoleForm[];
  links?: { href: string; label: string }[];
  /** A secret shown once, in a field an admin can copy. */
  secret?: { label: string; value: string } | undefined;
  text?: string[];
}

export interface ConsoleNavLink {
  href: string;
  label: string;
  current: boolean;
}

export interface ConsolePage {
  lang: string;
  documentTitle: string;
  heading: string;
  t: { title: string; skip: string; nav: string; signOut: string; languages: string };
  /** Missing on pages without a session (403, signed out). */
  nav?: ConsoleNavLink[] | undefined;
  signedInAs?: string | undefined;
  signOut?: { action: string; csrf: string } | undefined;
  languages: { lang: string; name: string; href: string; current: boolean }[];
  /** A status line after an action (role=status) or an error (role=alert). */
  notice?: { kind: 'status' | 'alert'; text: string } | undefined;
  sections: ConsoleSection[];
}
