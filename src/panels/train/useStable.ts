import { useRef } from 'react';

/** Returns the previous `value` while every key is identical (Object.is), so memoized charts skip re-rendering
 * when a snapshot changed something they do not draw. */
export function useStable<T>(value: T, keys: readonly unknown[]): T {
  const ref = useRef<{ keys: readonly unknown[]; value: T } | null>(null);
  const prev = ref.current;
  if (!prev || prev.keys.length !== keys.length || keys.some((k, i) => !Object.is(k, prev.keys[i]))) ref.current = { keys, value };
  return ref.current!.value;
}
