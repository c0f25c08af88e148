import { useLayoutEffect, useRef, useState } from 'react';

/**
 * The element's content width, from a ResizeObserver (which reports after layout, on its own), so no chart
 * ever forces a synchronous layout of the page by reading clientWidth: on a large page that cost 100+ ms.
 */
export function useWidth<T extends HTMLElement>(fallback = 300) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width);
      // Hidden (width 0, e.g. another tab): keep the last width; it is measured again when shown.
      if (w > 0) setWidth((old) => (Math.abs(old - w) >= 4 ? Math.max(120, w) : old));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}
