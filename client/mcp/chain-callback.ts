/**
 * Runs `ours` before whatever callback `target[name]` holds, now or later: the property becomes an
 * accessor, so an application that assigns its own callback after the audit wrapper was attached
 * replaces only its own part. For the SDK's `oninitialized`/`onclose` properties, which the
 * protocol calls as `this.onclose?.()`.
 */
export function chainCallback<K extends string>(
  target: { [key in K]?: (() => void) | undefined },
  name: K,
  ours: () => void,
): void {
  let theirs = target[name];
  const combined = (): void => {
    ours();
    theirs?.();
  };
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: true,
    get: () => combined,
    set: (value: (() => void) | undefined) => {
      theirs = value;
    },
  });
}
