import { useEffect, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * False on the first render, true from a later task on: a view of many charts mounts one chart per task
 * instead of all in one long task. flushSync makes each chart render inside its own timer task (otherwise React
 * batches all of them into its next render again).
 */
export function useMountStagger(): boolean {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const t = setTimeout(() => flushSync(() => setReady(true)), 0);
    return () => clearTimeout(t);
  }, []);
  return ready;
}
