import { useEffect, useState } from "react";

/**
 * False during server rendering and the hydrating render, true from the first effect on. Dates
 * shown in the viewer's own time zone (which the server cannot know) wait for it.
 */
export function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}
