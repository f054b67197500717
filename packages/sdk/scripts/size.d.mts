export const entries: Record<string, string>;
export function measure(entry: string): Promise<{ minified: number; gzipped: number; inputs: string[] }>;
