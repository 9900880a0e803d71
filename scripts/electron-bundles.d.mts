import type { BuildOptions } from 'esbuild';

export function mainProcessBundle(root: string, entry: string, outfile: string): BuildOptions;
export function preloadBundle(root: string, entry: string, outfile: string): BuildOptions;
