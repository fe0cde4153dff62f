// Results as data: a failure says what happened, in words for the user.
export type Result<T> = { ok: true; value: T } | { ok: false; message: string };

export const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });
