/**
 * The import circles among `files`: each strongly connected component of more than one file
 * (or a file importing itself), given as one concrete loop through it so the message shows
 * the way round. Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
 */
export function findCycles(files: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const inSet = new Set(files);
  const next = (f: string): string[] => (edges.get(f) ?? []).filter((t) => inSet.has(t));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const start of files) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const succ = next(frame.node);
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== frame.node);
        if (comp.length > 1 || next(frame.node).includes(frame.node)) components.push(comp);
      }
    }
  }
  return components.map((comp) => loopThrough(comp, next)).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** A shortest loop from the component's first file (by name) back to itself, staying inside it. */
function loopThrough(comp: readonly string[], next: (f: string) => string[]): string[] {
  const members = new Set(comp);
  const start = [...comp].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const f = queue[q]!;
    for (const t of next(f)) {
      if (!members.has(t)) continue;
      if (t === start) {
        const loop = [f];
        while (loop[0] !== start) loop.unshift(prev.get(loop[0]!)!);
        return [...loop, start];
      }
      if (!prev.has(t)) {
        prev.set(t, f);
        queue.push(t);
      }
    }
  }
  return [start, start];
}
