import { useEffect, useState } from 'react';

/**
 * The value as of a later macrotask: each chart applies new data in its own task, so a snapshot that touches
 * six charts costs six short tasks instead of one long one (recharts updates its internal store synchronously,
 * which React cannot slice). Starts as null, so a chart also mounts in its own task.
 */
export function useTaskDeferred<T>(value: T): T | null {
  const [shown, setShown] = useState<T | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setShown(() => value), 0);
    return () => clearTimeout(t);
  }, [value]);
  return shown;
}
