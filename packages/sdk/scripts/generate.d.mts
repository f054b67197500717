export const specPath: string;
export const outputPath: string;
export function renderWireTypes(): Promise<string>;
