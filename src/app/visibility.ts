// Whether the panel a component sits in is the one on screen. Panels stay mounted (they keep their state when
// the user switches tabs), so views that cost work per training step - live charts, heatmaps, gradient-flow
// requests to the worker - ask this and rest while hidden; measured, the hidden Inspect and Demos panels
// otherwise took about half of the page's main-thread time during training and slowed training ~15%.
import { createContext, useContext } from 'react';

export const PanelVisibleContext = createContext(true);

export function usePanelVisible(): boolean {
  return useContext(PanelVisibleContext);
}
