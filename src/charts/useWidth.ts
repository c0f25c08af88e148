import { useLayoutEffect, useRef, useState } from 'react';

/** The element's content width, measured once and on resize (charts get a fixed width instead of each one
 * measuring itself on every render, which costs layout passes on the main thread). */
export function useWidth<T extends HTMLElement>(fallback = 300) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.max(120, Math.floor(el.clientWidth)));
    const ro = new ResizeObserver((entries) => {
      const w = Math.max(120, Math.floor(entries[0].contentRect.width));
      setWidth((old) => (Math.abs(old - w) >= 4 ? w : old));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}
